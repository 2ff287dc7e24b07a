"""Bugs the fuzzers found, each pinned by the smallest input that showed it."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import httpx
import pytest

from tally.models import Rejected
from tally.sources.files import EMPTY, read_paths


@pytest.mark.parametrize("data", [b"\xff\xfe", b"\xfe\xff", "  \n".encode("utf-16"), b"\xef\xbb\xbf \n"])
def test_a_file_that_decodes_to_nothing_is_rejected_as_empty(tmp_path: Path, data: bytes) -> None:
    # found by test_text_files_never_crash_the_reader: a UTF-16 byte-order mark alone became an empty report
    path = tmp_path / "bom-only.txt"
    path.write_bytes(data)
    (item,) = read_paths([str(path)])
    assert isinstance(item, Rejected) and item.code == EMPTY and item.origin == str(path)


@pytest.mark.parametrize("name,data", [
    ("empty.rss", b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title></channel></rss>"),
    ("header-only.csv", b"id,title,text,published\n"),
])
def test_a_feed_or_spreadsheet_with_nothing_in_it_says_so(tmp_path: Path, name: str, data: bytes) -> None:
    # found by tests/fuzz/test_web_readers.py: such files passed without a report or a reject
    path = tmp_path / name
    path.write_bytes(data)
    (item,) = read_paths([str(path)])
    assert isinstance(item, Rejected) and item.code == EMPTY and item.origin == str(path)


def test_a_web_archive_without_pages_or_with_a_header_cut_short_is_rejected(tmp_path: Path) -> None:
    # found by tests/fuzz/test_web_readers.py: an archive of 404s passed in silence, and a record header cut
    # before its target URI crashed warcio (AttributeError) and the whole ingest with it
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    headers = StatusAndHeaders("404 Not Found", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record("https://example.org/gone", "response",
                                                  payload=io.BytesIO(b"<html>gone</html>"), http_headers=headers))
    whole = tmp_path / "only-404.warc"
    whole.write_bytes(buf.getvalue())
    (item,) = read_paths([str(whole)])
    assert isinstance(item, Rejected) and item.code == EMPTY
    data = buf.getvalue()
    cut = tmp_path / "cut-header.warc"
    cut.write_bytes(data[: data.index(b"WARC-Target-URI")])
    items = list(read_paths([str(cut)]))
    assert items and all(isinstance(i, Rejected) and i.origin == str(cut) for i in items)


def _mocked_get(url: str, answer: Callable[[httpx.Request], httpx.Response], robots_txt: bytes = b"",
                **validators: str) -> tuple[object, list[float]]:
    from tally.errors import SourceError
    from tally.sources.fetch import Fetcher, FetchPolicy

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=robots_txt) if request.url.path == "/robots.txt" else answer(request)

    waits: list[float] = []
    with Fetcher(FetchPolicy(per_host_interval=0, retries=1, max_wait=120), transport=httpx.MockTransport(handle),
                 sleep=waits.append) as fetcher:
        try:
            return fetcher.get(url, **validators), waits
        except SourceError as exc:
            return exc, waits


@pytest.mark.parametrize("url,code", [
    ("http://[::1", "T215"),                                    # ValueError from urlsplit
    ("https://" + "a" * 70 + ".org/", "T215"),                  # UnicodeError from the idna codec
    ("http://:0/", "T215"), ("ftp://example.org/x", "T215"), ("https://ex ample.org/", "T215"),
])
def test_a_url_that_cannot_be_fetched_is_refused_with_bad_url(url: str, code: str) -> None:
    # found by tests/fuzz/test_fetch.py: the first two crashed the fetcher (and a watcher polling such a feed)
    got, _ = _mocked_get(url, lambda r: httpx.Response(200))
    assert getattr(got, "code", None) == code and got.origin == url  # type: ignore[attr-defined]


@pytest.mark.parametrize("answer,code", [
    (lambda r: httpx.Response(302, headers={"Location": str(r.url)}), "T216"),           # TooManyRedirects
    (lambda r: httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=b"\x1f\x8b junk"), "T208"),
])
def test_redirect_loops_bad_redirects_and_undecodable_bodies_get_their_own_code(
        answer: Callable[[httpx.Request], httpx.Response], code: str) -> None:
    # found by tests/fuzz/test_fetch.py: httpx's TooManyRedirects and DecodingError are not TransportErrors, so
    # they escaped the fetcher and crashed the run (a redirect to a too-long host name, the idna UnicodeError,
    # is pinned on real sockets: test_fetch.py::test_each_hostile_answer_gets_the_code_that_says_what_went_wrong)
    got, _ = _mocked_get("https://example.org/a", answer)
    assert getattr(got, "code", None) == code


def test_an_etag_in_latin1_is_not_sent_back() -> None:
    # found by tests/fuzz/test_fetch.py: the next conditional request raised UnicodeEncodeError
    seen: list[httpx.Request] = []

    def answer(r: httpx.Request) -> httpx.Response:
        seen.append(r)
        return httpx.Response(200, content=b"<p>x</p>")

    from tally.sources.fetch import Fetched
    got, _ = _mocked_get("https://example.org/a", answer, etag='"caf\u00e9"', last_modified="Sun, 12 Mar \x01")
    assert isinstance(got, Fetched) and "If-None-Match" not in seen[-1].headers


@pytest.mark.parametrize("robots_txt,retry_after", [(b"User-agent: *\nCrawl-delay: 99999999999999999999\n", "0"),
                                                    (b"", "99999999999"), (b"", "nan"), (b"", "inf")])
def test_no_wait_is_longer_than_max_wait(robots_txt: bytes, retry_after: str) -> None:
    # found by tests/fuzz/test_fetch.py: a Crawl-delay of 10^20 seconds was slept in full
    calls: list[int] = []

    def answer(r: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(503 if len(calls) == 1 else 200, headers={"Retry-After": retry_after})

    _got, waits = _mocked_get("https://example.org/a", answer, robots_txt)
    assert waits and max(waits) <= 120
