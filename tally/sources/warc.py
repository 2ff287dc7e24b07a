"""Read web archives (WARC, WARC.gz; the format of Common Crawl News) with warcio, one record at a time.

Only HTML responses are read (status 200, an HTML content type); each becomes a report through
``html.read_page`` with the record's target URI as its URL and the WARC date standing in for a publication
date the page does not give. A record over the size cap is rejected without being held in memory, and a
truncated or corrupt archive yields what it had up to the break and one reject naming where it broke.
"""
from __future__ import annotations

import datetime as dt
import gzip
import io
import logging
import zlib
from pathlib import Path
from typing import IO, Any, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from tally.models import RawArticle, Rejected
from tally.sources.codes import EMPTY, TOO_LARGE, TRUNCATED, UNREADABLE
from tally.sources.html import read_page

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz")
CHUNK = 64 * 1024


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(WARC_SUFFIXES)


def read_warc(path: Path, max_bytes: int) -> Iterator[RawArticle | Rejected]:
    """Every HTML page of the archive, or one reject saying why there is none: an archive never passes silently."""
    origin = str(path)
    try:
        with open(path, "rb") as raw:
            yield from read_warc_stream(raw, origin, max_bytes, gz=path.name.lower().endswith(".gz"))
    except OSError as exc:
        yield Rejected(origin, "read", UNREADABLE, f"cannot read file: {exc.strerror or exc}")


def read_warc_bytes(data: bytes, origin: str, max_bytes: int) -> Iterator[RawArticle | Rejected]:
    """``read_warc`` of an archive already in memory (the Spark job's ``binaryFiles``), named ``origin``."""
    yield from read_warc_stream(io.BytesIO(data), origin, max_bytes, gz=origin.lower().endswith(".gz"))


def read_warc_stream(raw: IO[bytes], origin: str, max_bytes: int, *, gz: bool) -> Iterator[RawArticle | Rejected]:
    """The archive in the binary stream ``raw`` (gzip-compressed if ``gz``), its records and rejects named
    after ``origin``; one reject if it holds no web page."""
    given = 0
    for item in _read_stream(raw, origin, max_bytes, gz):
        given += 1
        yield item
    if given == 0:
        yield Rejected(origin, "read", EMPTY, "archive holds no web page (no HTML response with status 200)")


def _read_stream(raw: IO[bytes], origin: str, max_bytes: int, gz: bool) -> Iterator[RawArticle | Rejected]:
    if gz:
        stream = _GzipStream(raw)
        yield from _records(stream, origin, max_bytes)   # type: ignore[arg-type]
        if stream.truncated:
            yield Rejected(origin, "read", TRUNCATED, "archive is truncated: the compressed data ends early")
    else:
        yield from _records(raw, origin, max_bytes)


class _GzipStream:
    """Decompresses a .gz archive for warcio and notes a truncated end, which warcio's own reader passes over
    in silence; record offsets are then offsets in the decompressed stream. Written by hand for that one flag."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self.truncated = False

    def read(self, size: int = -1) -> bytes:
        if self.truncated:
            return b""
        try:
            return self._gz.read1(size if size and size > 0 else CHUNK)
        except EOFError:
            self.truncated = True
            return b""

    def tell(self) -> int:
        return self._gz.tell()

    def readline(self, size: int = -1) -> bytes:
        if self.truncated:
            return b""
        try:
            return self._gz.readline(size)
        except EOFError:
            self.truncated = True
            return b""


def _records(stream: IO[bytes], origin: str, max_bytes: int) -> Iterator[RawArticle | Rejected]:
    records = ArchiveIterator(stream)
    read = 0
    try:
        for record in records:
            read += 1
            if not record.format.startswith("warc"):      # warcio reads any text as an old ARC record
                yield Rejected(origin, "read", UNREADABLE if read == 1 else TRUNCATED,
                               f"not a WARC file: record {read} has no WARC/1.x header")
                return
            html = _is_html_response(record)
            body = _capped(record.content_stream(), max_bytes) if html else None
            # the offset is known once the record is read to its end (warcio reads the rest)
            where = f"{origin}@{records.get_record_offset()}"
            if getattr(record.raw_stream, "limit", 0) > 0:      # the file ended inside this record
                uri = record.rec_headers.get_header("WARC-Target-URI") or "no URI"
                yield Rejected(origin, "read", TRUNCATED, f"archive is truncated in record {read} ({uri}) at {where}")
                return
            if html:
                yield _page(record, body, where, max_bytes)
    except ArchiveLoadFailed as exc:
        reason = str(exc).splitlines()[0] if str(exc) else "unknown format"
        if read == 0:
            yield Rejected(origin, "read", UNREADABLE, f"not a WARC file: {reason}")
        else:
            yield Rejected(origin, "read", TRUNCATED, f"archive is corrupt after record {read}: {reason}")
    except (EOFError, zlib.error, ValueError, OSError, AttributeError, KeyError, IndexError, TypeError) as exc:
        # warcio trips over a header cut short (e.g. no WARC-Target-URI: AttributeError on None): corrupt, not a crash
        yield Rejected(origin, "read", TRUNCATED,
                       f"archive is truncated or corrupt after record {read}: {exc.__class__.__name__}: {exc}")


def _is_html_response(record: ArcWarcRecord) -> bool:
    if record.rec_type != "response" or record.http_headers is None:
        return False
    if record.http_headers.get_statuscode() != "200":
        return False
    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
    return "html" in ctype


def _page(record: ArcWarcRecord, body: bytes | None, origin: str, max_bytes: int) -> RawArticle | Rejected:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if body is None:
        return Rejected(origin, "read", TOO_LARGE, f"record for {uri} is over the {max_bytes} byte limit per report")
    stamp = record.rec_headers.get_header("WARC-Date")
    extra: dict[str, Any] = {"warc_date": stamp, "format": "warc"}
    return read_page(body, origin, uri or origin, url=uri, fallback_date=_warc_date(stamp), extra=extra)


def _capped(stream: Any, max_bytes: int) -> bytes | None:
    """The record's payload, or None once it passes ``max_bytes`` (warcio skips the rest of the record)."""
    body = bytearray()
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            return bytes(body)
        body += chunk
        if len(body) > max_bytes:
            return None


def _warc_date(stamp: str | None) -> dt.date | None:
    if not stamp:
        return None
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    except ValueError:
        log.info("unreadable WARC-Date %r", stamp)
        return None
