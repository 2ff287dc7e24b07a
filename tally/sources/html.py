"""Read one saved web page: main text, title, publication date, outlet and canonical URL.

``read_page(data, origin, key)`` turns the raw bytes of an HTML page into a ``RawArticle`` (or a ``Rejected`` when
no report text can be found). trafilatura finds the main text and metadata, htmldate the publication date. The
sha256 of the raw bytes is kept in ``extra["page_sha256"]`` so the same page seen twice (under another file name,
in a WARC and a feed) is recognised before any work is done on it.

Used by the file, WARC, feed and JSON Lines readers alike; pages that are not UTF-8 are decoded with the charset
they declare, else the one charset_normalizer detects, and the encoding is noted in ``extra["encoding"]``.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import charset_normalizer
import htmldate
import trafilatura

from tally.errors import SourceError
from tally.models import RawArticle, Rejected
from tally.sources.codes import BINARY, EMPTY, NO_TEXT
from tally.stages import metadata

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MIN_WORDS = 6               # less main text than this is a menu or an error page, not a report
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_LOOKS_HTML = re.compile(rb"<\s*(?:!doctype\s+html|html|head|body|article|p|div)\b", re.IGNORECASE)


def page_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def looks_like_html(head: bytes) -> bool:
    """True when the first bytes of a document are plainly HTML."""
    return bool(_LOOKS_HTML.search(head[:4096]))


def read_page(data: bytes, origin: str, key: str, *, url: str | None = None,
              fallback_date: dt.date | None = None, extra: dict[str, Any] | None = None) -> RawArticle | Rejected:
    """One HTML page as a report. ``url`` is where it was fetched from; the page's canonical URL wins when given."""
    try:
        html, encoding = decode_html(data, origin)
        return _article(html, data, encoding, origin, key, url, fallback_date, dict(extra or {}))
    except SourceError as exc:
        return Rejected(origin, "read", exc.code, exc.reason)


def decode_html(data: bytes, origin: str) -> tuple[str, str]:
    """Bytes -> (markup, encoding): UTF-8, else the charset the page declares, else a detected one."""
    if not data.strip():
        raise SourceError(origin, "empty page", code=EMPTY)
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(origin, "binary data (contains NUL bytes), not an HTML page", code=BINARY)
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(data[:8192])
    if declared:
        name = declared.group(1).decode("ascii", "replace")
        try:
            return data.decode(name), name.lower()
        except (LookupError, UnicodeDecodeError):
            log.info("%s: declared charset %s does not fit; detecting", origin, name)
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise SourceError(origin, "not UTF-8 and no text encoding fits: binary data, not an HTML page", code=BINARY)
    return str(best), best.encoding


def _article(html: str, data: bytes, encoding: str, origin: str, key: str, url: str | None,
             fallback_date: dt.date | None, extra: dict[str, Any]) -> RawArticle:
    doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    found = (getattr(doc, "text", None) or "") if doc is not None else ""
    text = "\n\n".join(line.strip() for line in found.splitlines() if line.strip())   # one paragraph a line
    if len(text.split()) < MIN_WORDS:
        raise SourceError(origin, f"no report text found in the HTML page ({len(text.split())} words of main "
                                  "text)", code=NO_TEXT)
    canonical = _canonical(getattr(doc, "url", None), url)
    extra.update({"page_sha256": page_hash(data), "format": "html"})
    if encoding != "utf-8":
        extra["encoding"] = encoding
    if url and canonical != url:
        extra["fetched_url"] = url
    return RawArticle(
        key=canonical or key, text=text, origin=origin, url=canonical,
        title=_clean_title(getattr(doc, "title", None)),
        published=_page_date(html, canonical or url) or fallback_date,
        outlet=_outlet(getattr(doc, "sitename", None), canonical or url),
        extra=extra,
    )


def _canonical(found: str | None, fetched: str | None) -> str | None:
    """The page's own canonical URL when it is absolute, else the URL it was fetched from."""
    if found and urlsplit(found).scheme in ("http", "https"):
        return found
    return fetched


def _clean_title(title: str | None) -> str | None:
    return " ".join(title.split()) or None if title else None


def _page_date(html: str, url: str | None) -> dt.date | None:
    """The original publication date from the page's markup and URL (htmldate), never the crawl date."""
    try:
        found = htmldate.find_date(html, url=url, original_date=True, extensive_search=False,
                                   outputformat="%Y-%m-%d")
    except (ValueError, TypeError) as exc:     # htmldate raises on some malformed markup
        log.info("htmldate could not read a date: %s", exc)
        return None
    return dt.date.fromisoformat(found) if found else None


def _outlet(sitename: str | None, url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    known = metadata.outlet_by_domain(host) if host else None
    if known:
        return known
    if sitename:
        return metadata.outlet_by_alias(sitename) or " ".join(sitename.split())
    return None
