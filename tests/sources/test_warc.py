"""Web archives: a WARC file each test builds with warcio, read record by record."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tally.models import RawArticle, Rejected
from tally.sources import codes
from tally.sources.files import read_paths

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"
WARC_DATE = "2023-03-13T06:00:00Z"


def _response(writer: WARCWriter, uri: str, body: bytes, ctype: str = "text/html; charset=utf-8",
              status: str = "200 OK") -> None:
    http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")
    record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                       warc_headers_dict={"WARC-Date": WARC_DATE})
    writer.write_record(record)


def build_warc(path: Path, *, big: bytes | None = None) -> Path:
    """A Common Crawl News-shaped archive: warcinfo, request/response pairs, non-HTML and failed responses."""
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tally tests"}))
        req = writer.create_warc_record("https://lakechad-monitor.example/2023/03/12/convoy-ambush", "request",
                                        payload=io.BytesIO(b""), http_headers=StatusAndHeaders(
                                            "GET /2023/03/12/convoy-ambush HTTP/1.1", [], is_http_request=True))
        writer.write_record(req)
        _response(writer, "https://lakechad-monitor.example/2023/03/12/convoy-ambush",
                  (PAGES / "convoy.html").read_bytes())
        _response(writer, "https://lakechad-monitor.example/logo.png", b"\x89PNG\r\n\x1a\n", ctype="image/png")
        _response(writer, "https://news.example/missing", b"<html>gone</html>", status="404 Not Found")
        if big is not None:
            _response(writer, "https://news.example/huge", big)
        _response(writer, "https://aden-daily.example/news/market-shelling", (PAGES / "market.html").read_bytes())
    return path


def read(path: Path, **kw: int) -> list[RawArticle | Rejected]:
    return list(read_paths([str(path)], **kw))


def test_warc_gz_yields_html_responses_only_with_uri_and_dates(tmp_path: Path) -> None:
    items = read(build_warc(tmp_path / "news.warc.gz"))
    assert all(isinstance(i, RawArticle) for i in items), items
    convoy, market = items
    assert convoy.key == convoy.url == "https://lakechad-monitor.example/2023/03/12/convoy-ambush"
    assert convoy.published == dt.date(2023, 3, 12)                  # the page's own date wins
    assert market.url == "https://aden-daily.example/news/market-shelling"
    assert market.published == dt.date(2023, 3, 11)
    assert market.extra["warc_date"] == WARC_DATE
    assert convoy.origin.startswith(f"{tmp_path / 'news.warc.gz'}@")


def test_uncompressed_warc_and_the_warc_date_standing_in(tmp_path: Path) -> None:
    path = tmp_path / "plain.warc"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=False)
        page = b"<html><body><p>" + b"Two people were killed when a roadside bomb hit a minibus, police said. " * 3 \
               + b"</p></body></html>"
        _response(writer, "https://news.example/bomb", page)
    [item] = read(path)
    assert isinstance(item, RawArticle)
    assert item.published == dt.date(2023, 3, 13)


def test_record_over_the_cap_is_rejected_and_the_next_read(tmp_path: Path) -> None:
    big = b"<html><body>" + b"<p>filler text for a huge page</p>" * 4000 + b"</body></html>"
    items = read(build_warc(tmp_path / "big.warc.gz", big=big), max_bytes=100_000)
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [r.code for r in rejected] == [codes.TOO_LARGE]
    assert "https://news.example/huge" in rejected[0].reason
    assert [i.url for i in items if isinstance(i, RawArticle)][-1] == "https://aden-daily.example/news/market-shelling"


def test_truncated_warc_gz_keeps_what_it_read_and_says_where_it_broke(tmp_path: Path) -> None:
    full = build_warc(tmp_path / "full.warc.gz").read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(full[: len(full) - 900])
    items = read(cut)
    assert isinstance(items[0], RawArticle)
    assert isinstance(items[-1], Rejected) and items[-1].code == codes.TRUNCATED
    assert str(cut) == items[-1].origin and "truncated" in items[-1].reason


def test_file_that_is_not_a_warc_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc"
    path.write_text("this is a text file pretending to be an archive\n")
    [item] = read(path)
    assert isinstance(item, Rejected) and item.code == codes.UNREADABLE
    assert "not a WARC file" in item.reason
