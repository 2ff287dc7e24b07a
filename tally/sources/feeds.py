"""Read RSS and Atom feeds (feedparser), from a file or a URL; optionally fetch each entry's page.

Without fetching, an entry becomes a report from its own content (or summary), title, link and date. With
``ReadOptions.fetch_pages`` the linked page is downloaded politely (``fetch.Fetcher``) and read as a web page
(``html.read_page``), the entry's date standing in when the page gives none. Links the ledger already holds
(``ReadOptions.seen``) are not fetched again.
"""
from __future__ import annotations

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import feedparser
import lxml.html
from lxml.etree import ParserError

from tally.errors import SourceError
from tally.models import RawArticle, Rejected
from tally.sources.codes import EMPTY, FETCH_FAILED, NO_TEXT, NOT_A_FEED, TOO_LARGE, UNREADABLE
from tally.sources.fetch import Fetcher
from tally.sources.html import looks_like_html, read_page
from tally.sources.options import ReadOptions

log = logging.getLogger(__name__)

FEED_SUFFIXES = (".rss", ".atom", ".xml")
FEED_SIZE_FACTOR = 10       # a feed document may be ten times the size of one report


@dataclass(frozen=True, slots=True)
class FeedEntry:
    origin: str                 # "feed#n"
    key: str                    # the entry's id, else its link
    link: str | None
    title: str | None
    published: dt.date | None
    text: str                   # the entry's own content or summary, as plain text
    feed: str


def read_feed_file(path: Path, options: ReadOptions) -> Iterator[RawArticle | Rejected]:
    origin = str(path)
    try:
        size = path.stat().st_size
        cap = options.max_bytes * FEED_SIZE_FACTOR
        if size > cap:
            yield Rejected(origin, "read", TOO_LARGE, f"feed file is {size} bytes, over the {cap} byte limit")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Rejected(origin, "read", UNREADABLE, f"cannot read file: {exc.strerror or exc}")
        return
    yield from read_feed_bytes(data, origin, options)


def read_feed_url(url: str, options: ReadOptions, fetcher: Fetcher) -> Iterator[RawArticle | Rejected]:
    try:
        got = fetcher.get(url)
    except SourceError as exc:
        yield Rejected(url, "read", exc.code, exc.reason)
        return
    if "html" in got.content_type.lower() and looks_like_html(got.content):     # a page, not a feed
        yield read_page(got.content, url, url, url=got.url, extra={"format": "html"})
        return
    yield from read_feed_bytes(got.content, url, options, base_url=got.url)


def read_feed_bytes(data: bytes, origin: str, options: ReadOptions,
                    base_url: str | None = None) -> Iterator[RawArticle | Rejected]:
    """Every entry of one feed document, in feed order."""
    try:
        entries = parse_feed(data, origin, base_url)
    except SourceError as exc:
        yield Rejected(origin, "read", exc.code, exc.reason)
        return
    if not entries:  # a feed named on the command line that holds nothing says so (`tally watch` polls quietly)
        yield Rejected(origin, "read", EMPTY, "feed has no entries")
        return
    for entry in entries:
        item = entry_article(entry, options)
        if item is not None:
            yield item


def parse_feed(data: bytes, origin: str, base_url: str | None = None) -> list[FeedEntry]:
    if not data.strip():
        raise SourceError(origin, "empty feed", code=EMPTY)
    parsed = feedparser.parse(data, response_headers={"content-location": base_url} if base_url else None)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        why = f": {parsed.bozo_exception}" if parsed.bozo else ""
        what = " (it is an HTML page)" if looks_like_html(data) else why
        raise SourceError(origin, f"not an RSS or Atom feed{what}", code=NOT_A_FEED)
    if parsed.bozo:
        log.info("%s: feed is not well formed (%s); read what could be parsed", origin, parsed.bozo_exception)
    return [_entry(e, f"{origin}#{n}", origin) for n, e in enumerate(parsed.entries, 1)]


def _entry(e: Any, origin: str, feed: str) -> FeedEntry:
    link = e.get("link") or None
    return FeedEntry(origin=origin, key=str(e.get("id") or link or origin), link=link,
                     title=" ".join(str(e.get("title") or "").split()) or None,
                     published=_entry_date(e), text=_entry_text(e), feed=feed)


def _entry_date(e: Any) -> dt.date | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        stamp = e.get(name)
        if stamp:
            return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.timezone.utc).date()
    return None


def _entry_text(e: Any) -> str:
    """The longest of the entry's content and summary, as paragraphs of plain text."""
    values = [c.get("value", "") for c in e.get("content", [])] + [e.get("summary", "")]
    return max((_plain(v) for v in values if v), key=len, default="")


def _plain(fragment: str) -> str:
    if "<" not in fragment:
        return fragment.strip()
    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except (ParserError, ValueError):
        return fragment.strip()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    blocks = [" ".join(el.text_content().split()) for el in root.iter("p", "li", "h1", "h2", "h3", "blockquote")]
    blocks = [b for b in blocks if b]
    return "\n\n".join(blocks) if blocks else " ".join(root.text_content().split())


def entry_article(entry: FeedEntry, options: ReadOptions) -> RawArticle | Rejected | None:
    """The entry as a report: its linked page when fetching, else its own text; None when already stored."""
    extra = {"feed": entry.feed, "format": "feed"}
    if options.fetch_pages and options.fetcher is not None and entry.link:
        if options.seen(entry.link):
            log.info("%s: %s is already in the ledger; not fetched again", entry.origin, entry.link)
            return None
        return _fetched_page(entry, options.fetcher, extra)
    if not entry.text.strip():
        return Rejected(entry.origin, "read", NO_TEXT, "feed entry has no content or summary (use --fetch to "
                                                       "download its page)")
    return RawArticle(key=entry.key, text=entry.text, origin=entry.origin, url=entry.link, title=entry.title,
                      published=entry.published, extra=extra)


def _fetched_page(entry: FeedEntry, fetcher: Fetcher, extra: dict[str, Any]) -> RawArticle | Rejected:
    assert entry.link is not None
    try:
        got = fetcher.get(entry.link)
    except SourceError as exc:
        return Rejected(entry.link, "read", exc.code, exc.reason)
    if got.status != 200:
        return Rejected(entry.link, "read", FETCH_FAILED, f"HTTP {got.status}")
    extra["feed_link"] = entry.link
    page = read_page(got.content, entry.link, entry.link, url=got.url, fallback_date=entry.published, extra=extra)
    if isinstance(page, RawArticle) and page.title is None and entry.title:
        return RawArticle(key=page.key, text=page.text, origin=page.origin, url=page.url, title=entry.title,
                          published=page.published, extra=page.extra, outlet=page.outlet)
    return page
