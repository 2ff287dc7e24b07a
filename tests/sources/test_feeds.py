"""RSS and Atom feeds, from files and from a feed the test serves itself on 127.0.0.1, with polite fetching."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from webserver import Route, Site

from tally.cli import main
from tally.errors import SourceError
from tally.models import RawArticle, Rejected
from tally.sources import codes
from tally.sources.feeds import read_feed_bytes
from tally.sources.fetch import Fetcher, FetchPolicy
from tally.sources.files import read_paths
from tally.sources.options import ReadOptions

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"


def rss(base: str, *items: tuple[str, str, str, str]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>{date}</pubDate><description><![CDATA[{summary}]]></description></item>"
        for title, path, date, summary in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Monitor wire</title>'
            f"<link>{base}/</link><description>Test feed</description>{body}</channel></rss>").encode("utf-8")


CONVOY = ("Seven soldiers killed in convoy ambush", "/2023/03/12/convoy-ambush", "Sun, 12 Mar 2023 09:30:00 +0100",
          "<p>Gunmen killed seven soldiers and wounded four in an ambush near Maiduguri, the army said.</p>")
MARKET = ("Shells hit market in Aden", "/news/market", "Sat, 11 Mar 2023 18:00:00 GMT",
          "<p>At least 12 civilians were killed when shells hit a market in Aden.</p><p>Medics said 30 were hurt.</p>")

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom wire</title><id>urn:tally:test</id><updated>2023-03-14T10:00:00Z</updated>
  <entry>
    <title>Drone strike kills three</title>
    <id>urn:tally:entry:1</id>
    <link href="https://wire.example/2023/03/14/drone"/>
    <updated>2023-03-14T10:00:00Z</updated>
    <content type="html">&lt;p&gt;A drone strike killed three fighters near the border on Tuesday, officials said.&lt;/p&gt;</content>
  </entry>
</feed>"""


def test_rss_file_entries_become_reports(tmp_path: Path) -> None:
    path = tmp_path / "wire.rss"
    path.write_bytes(rss("https://wire.example", CONVOY, MARKET))
    first, second = read_paths([str(path)])
    assert isinstance(first, RawArticle) and isinstance(second, RawArticle)
    assert first.key == first.url == "https://wire.example/2023/03/12/convoy-ambush"
    assert first.title == "Seven soldiers killed in convoy ambush"
    assert first.published == dt.date(2023, 3, 12)
    assert first.text.startswith("Gunmen killed seven soldiers") and "<p>" not in first.text
    assert second.text == "At least 12 civilians were killed when shells hit a market in Aden.\n\nMedics said 30 were hurt."
    assert first.origin == f"{path}#1" and first.extra["feed"] == str(path)


def test_atom_file(tmp_path: Path) -> None:
    path = tmp_path / "wire.atom"
    path.write_bytes(ATOM)
    [entry] = read_paths([str(path)])
    assert isinstance(entry, RawArticle)
    assert entry.key == "urn:tally:entry:1" and entry.url == "https://wire.example/2023/03/14/drone"
    assert entry.published == dt.date(2023, 3, 14)
    assert entry.text == "A drone strike killed three fighters near the border on Tuesday, officials said."


def test_xml_that_is_not_a_feed_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "page.xml"
    path.write_bytes((PAGES / "market.html").read_bytes())
    [item] = read_paths([str(path)])
    assert isinstance(item, Rejected) and item.code == codes.NOT_A_FEED and "HTML page" in item.reason


def test_entry_without_text_asks_for_fetch() -> None:
    data = rss("https://wire.example", ("Headline only", "/x", "Sat, 11 Mar 2023 18:00:00 GMT", ""))
    [item] = read_feed_bytes(data, "feed", ReadOptions())
    assert isinstance(item, Rejected) and item.code == codes.NO_TEXT and "--fetch" in item.reason


def _serve_wire(site: Site) -> None:
    site.routes["/feed.xml"] = Route(rss(site.base, CONVOY, MARKET), "application/rss+xml", etag='"v1"')
    site.routes["/2023/03/12/convoy-ambush"] = Route((PAGES / "convoy.html").read_bytes())
    site.routes["/news/market"] = Route((PAGES / "market.html").read_bytes())
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")


def test_feed_url_is_fetched_with_a_clear_user_agent_after_robots_txt(site: Site) -> None:
    _serve_wire(site)
    items = list(read_paths([site.url("/feed.xml")]))
    assert [i.key for i in items] == [site.url(CONVOY[1]), site.url(MARKET[1])]
    assert site.paths() == ["/robots.txt", "/feed.xml"]
    assert all(h.headers["User-Agent"].startswith("Tally/") for h in site.hits)


def _ingest(db: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["ingest", "--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_fetch_reads_each_linked_page_once(site: Site, tmp_path: Path) -> None:
    _serve_wire(site)
    db = tmp_path / "t.db"
    _ingest(db, "--fetch", site.url("/feed.xml"))
    assert site.paths() == ["/robots.txt", "/feed.xml", CONVOY[1], MARKET[1]]
    out = CliRunner().invoke(main, ["articles", "--db", str(db), "--format", "jsonl"]).output
    rows = {r["key"]: r for r in map(json.loads, out.splitlines())}
    convoy = rows["https://lakechad-monitor.example/2023/03/12/convoy-ambush"]   # the page's canonical URL
    assert convoy["outlet"] == "Lake Chad Monitor" and convoy["killed"] == {"min": 7, "max": 7}
    assert rows[site.url(MARKET[1])]["title"] == "Shells hit market in Aden"
    site.hits.clear()
    _ingest(db, "--fetch", site.url("/feed.xml"))
    assert site.paths() == ["/robots.txt", "/feed.xml"]      # both pages are in the ledger: not fetched again


def test_robots_txt_forbidding_a_page_rejects_it(site: Site) -> None:
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", "text/plain")
    site.routes["/feed.xml"] = Route(rss(site.base, ("Secret", "/private/a", "Sat, 11 Mar 2023 18:00:00 GMT",
                                                     "<p>x</p>")), "application/rss+xml")
    with Fetcher(FetchPolicy(per_host_interval=0)) as fetcher:
        [item] = read_paths([site.url("/feed.xml")], options=ReadOptions(fetcher=fetcher, fetch_pages=True))
    assert isinstance(item, Rejected) and item.code == codes.ROBOTS
    assert "/private/a" not in site.paths()


def test_transient_failures_are_retried_with_growing_waits(site: Site) -> None:
    site.routes["/feed.xml"] = Route(b"ok", fail_first=2)
    waits: list[float] = []
    with Fetcher(FetchPolicy(per_host_interval=0, backoff=0.5, obey_robots=False), sleep=waits.append) as f:
        got = f.get(site.url("/feed.xml"))
    assert got.content == b"ok" and waits == [0.5, 1.0]


def test_retries_give_up_with_a_clear_error(site: Site) -> None:
    site.routes["/down"] = Route(b"", fail_first=10)
    with Fetcher(FetchPolicy(per_host_interval=0, retries=2, obey_robots=False), sleep=lambda _s: None) as f:
        with pytest.raises(SourceError, match=r"HTTP 503 after 3 attempts") as err:
            f.get(site.url("/down"))
    assert err.value.code == codes.FETCH_FAILED and site.url("/down") in str(err.value)


def test_requests_to_one_host_are_spaced(site: Site) -> None:
    site.routes["/a"] = Route(b"a")
    waits: list[float] = []
    with Fetcher(FetchPolicy(per_host_interval=3.0, obey_robots=False), sleep=waits.append) as f:
        for _ in range(3):
            f.get(site.url("/a"))
    assert len(waits) == 2 and all(2.5 < w <= 3.0 for w in waits)


def test_answers_over_the_size_cap_are_refused(site: Site) -> None:
    site.routes["/big"] = Route(b"x" * 5000)
    with Fetcher(FetchPolicy(max_bytes=1000, obey_robots=False, per_host_interval=0)) as f:
        with pytest.raises(SourceError) as err:
            f.get(site.url("/big"))
    assert err.value.code == codes.TOO_LARGE


def test_slow_answers_time_out(site: Site) -> None:
    site.routes["/slow"] = Route(b"late", delay=1.0)
    with Fetcher(FetchPolicy(timeout=0.2, retries=0, obey_robots=False, per_host_interval=0)) as f:
        with pytest.raises(SourceError, match="Timeout"):
            f.get(site.url("/slow"))


def test_conditional_request_gets_not_modified(site: Site) -> None:
    _serve_wire(site)
    with Fetcher(FetchPolicy(per_host_interval=0)) as f:
        first = f.get(site.url("/feed.xml"))
        again = f.get(site.url("/feed.xml"), etag=first.etag)
    assert first.status == 200 and first.etag == '"v1"'
    assert again.status == 304 and again.content == b""
    assert site.hits[-1].headers["If-None-Match"] == '"v1"'


def test_retry_after_is_honoured(site: Site) -> None:
    site.routes["/busy"] = Route(b"done", fail_first=1, retry_after="7")
    waits: list[float] = []
    with Fetcher(FetchPolicy(per_host_interval=0, backoff=0.5, obey_robots=False), sleep=waits.append) as f:
        assert f.get(site.url("/busy")).content == b"done"
    assert waits == [7.0]


def test_url_answering_with_a_web_page_is_read_as_that_page(site: Site) -> None:
    site.routes["/news/market"] = Route((PAGES / "market.html").read_bytes())
    [page] = read_paths([site.url("/news/market")])
    assert isinstance(page, RawArticle)
    assert page.key == page.url == site.url("/news/market") and page.title == "Shells hit market in Aden"


def test_robots_crawl_delay_spaces_requests(site: Site) -> None:
    site.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 4\n", "text/plain")
    site.routes["/a"] = Route(b"a")
    waits: list[float] = []
    with Fetcher(FetchPolicy(per_host_interval=0), sleep=waits.append) as f:
        f.get(site.url("/a"))
        f.get(site.url("/a"))
    assert len(waits) == 2 and all(3.5 < w <= 4.0 for w in waits)    # after robots.txt, then between the two
