"""Read reports from files, folders, JSON Lines (optionally gzipped, or on standard input) and feed URLs.

This module dispatches on the kind of input: plain text and JSON Lines are read here; web pages go to
``html.py``, web archives to ``warc.py``, RSS/Atom feeds (files or URLs) to ``feeds.py`` and CSV exports to
``csvfile.py``. A JSON Lines record may carry a whole page in ``html`` instead of ``text``.

``read_paths(paths)`` yields one ``RawArticle`` per report and one ``Rejected`` per file or line that cannot be used,
so one bad input never stops a batch. Text is decoded as UTF-8 (a byte-order mark is dropped); other encodings are
detected with ``charset_normalizer`` and noted in ``extra["encoding"]``. Line endings are normalised to ``\\n``.
"""
from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import IO, Any, Iterator, Protocol, Sequence

import charset_normalizer
import dateparser

from tally.errors import SourceError
from tally.models import RawArticle, Rejected
from tally.sources import csvfile, feeds, warc
from tally.sources.codes import (BAD_FIELD, BINARY, EMPTY, MISSING, NO_TEXT, NOT_JSON, TOO_LARGE, UNREADABLE,
                                 UNSUPPORTED)
from tally.sources.html import HTML_SUFFIXES, looks_like_html, read_page
from tally.sources.options import DEFAULT_MAX_BYTES, ReadOptions

log = logging.getLogger(__name__)

STDIN = "-"
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
# Formats another reader handles (or nobody does): say so instead of reading them as text.
UNSUPPORTED_SUFFIXES = frozenset({
    ".json", ".gz", ".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".pdf", ".doc", ".docx", ".odt", ".xls",
    ".xlsx", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp3", ".mp4",
})
RECORD_FIELDS = ("id", "url", "published", "title", "text", "html")
URL_SCHEMES = ("http://", "https://")


def read_paths(paths: Sequence[str], *, max_bytes: int | None = None,
               options: ReadOptions | None = None) -> Iterator[RawArticle | Rejected]:
    """Yield every report under ``paths`` (files, folders, feed URLs, or ``-`` for JSON Lines on stdin), in order."""
    opts = options or ReadOptions()
    if max_bytes is not None:
        opts = replace(opts, max_bytes=max_bytes)
    for path in paths:
        if path == STDIN:
            yield from _read_jsonl_stream(_stdin_bytes(), "<stdin>", "<stdin>", opts.max_bytes)
        elif path.lower().startswith(URL_SCHEMES):
            yield from _read_url(path, opts)
        else:
            yield from _read_path(Path(path), opts, named=True)


def _read_url(url: str, opts: ReadOptions) -> Iterator[RawArticle | Rejected]:
    if opts.fetcher is not None:
        yield from feeds.read_feed_url(url, opts, opts.fetcher)
        return
    from tally.sources.fetch import Fetcher

    with Fetcher() as fetcher:
        yield from feeds.read_feed_url(url, replace(opts, fetcher=fetcher), fetcher)


class _LineReader(Protocol):
    def readline(self, limit: int = -1, /) -> bytes: ...


def _stdin_bytes() -> _LineReader:
    buffer: _LineReader | None = getattr(sys.stdin, "buffer", None)
    return buffer if buffer is not None else _EncodedText(sys.stdin)


class _EncodedText:
    """Adapts a text stream without a ``buffer`` (e.g. a test's StringIO) to ``readline(limit) -> bytes``."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def readline(self, limit: int = -1, /) -> bytes:
        return self._stream.readline(limit).encode("utf-8")


def _read_path(path: Path, opts: ReadOptions, named: bool = False) -> Iterator[RawArticle | Rejected]:
    max_bytes = opts.max_bytes
    if path.is_dir():
        yield from _read_folder(path, opts, seen=set())
    elif not path.exists():
        yield Rejected(str(path), "read", MISSING, "no such file or folder")
    elif _is_jsonl(path):
        yield from _read_jsonl_file(path, max_bytes)
    elif warc.is_warc(path):
        yield from warc.read_warc(path, max_bytes)
    elif path.suffix.lower() in feeds.FEED_SUFFIXES:
        yield from feeds.read_feed_file(path, opts)
    elif csvfile.is_csv(path):
        yield from csvfile.read_csv(path, opts.csv or csvfile.CsvMapping(), max_bytes)
    elif path.suffix.lower() in HTML_SUFFIXES:
        yield _read_html_file(path, max_bytes)
    else:
        yield _read_text_file(path, max_bytes)


def _read_folder(folder: Path, opts: ReadOptions, seen: set[Path]) -> Iterator[RawArticle | Rejected]:
    real = folder.resolve()
    if real in seen:                       # a symlink loop: each real folder is read once
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError as exc:
        yield Rejected(str(folder), "read", UNREADABLE, f"cannot list folder: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _read_folder(entry, opts, seen)
        elif passed_over(entry, opts):
            # inside a folder, a file that is plainly not a report (a README, a gold file) is passed over;
            # named on the command line it is rejected with a reason
            log.info("skipping %s: not a report file", entry)
        else:
            yield from _read_path(entry, opts)


FOLDER_SKIP_SUFFIXES = frozenset({".md", ".rst", ".json", ".csv", ".tsv", ".py", ".sh", ".toml", ".yaml", ".yml"})


def passed_over(entry: Path, opts: ReadOptions) -> bool:
    """Inside a folder: a file that is plainly not a report (CSV counts as one only when a mapping is given)."""
    return entry.suffix.lower() in FOLDER_SKIP_SUFFIXES and not (opts.csv and csvfile.is_csv(entry))


def _is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith(JSONL_SUFFIXES)


def _read_html_file(path: Path, max_bytes: int) -> RawArticle | Rejected:
    origin = str(path)
    try:
        data = _capped_bytes(path, max_bytes)
    except SourceError as exc:
        return Rejected(origin, "read", exc.code, exc.reason)
    except OSError as exc:
        return Rejected(origin, "read", UNREADABLE, f"cannot read file: {exc.strerror or exc}")
    return read_page(data, origin, path.name)


def _capped_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; a file over the cap is refused from its size alone, never read."""
    size = path.stat().st_size
    if size > max_bytes:
        raise SourceError(str(path), f"file is {_mb(size)}, over the {_mb(max_bytes)} limit per report",
                          code=TOO_LARGE)
    return path.read_bytes()


def _read_text_file(path: Path, max_bytes: int) -> RawArticle | Rejected:
    origin = str(path)
    try:
        suffix = path.suffix.lower()
        if suffix in UNSUPPORTED_SUFFIXES:
            raise SourceError(origin, f"unsupported file type '{suffix}': give .txt, .html, .jsonl, .warc, "
                                      ".rss/.atom/.xml, .csv (or their .gz)", code=UNSUPPORTED)
        data = _capped_bytes(path, max_bytes)
        if suffix not in (".txt", ".text") and looks_like_html(data):
            return read_page(data, origin, path.name)       # a saved page without an .html name
        text, encoding = _decode(data, origin)
    except SourceError as exc:
        return Rejected(origin, "read", exc.code, exc.reason)
    except OSError as exc:
        return Rejected(origin, "read", UNREADABLE, f"cannot read file: {exc.strerror or exc}")
    extra = {"encoding": encoding} if encoding != "utf-8" else {}
    return RawArticle(key=path.name, text=text, origin=origin, extra=extra)


def _decode(data: bytes, origin: str) -> tuple[str, str]:
    """Bytes -> (text, encoding); raises SourceError for empty or binary input."""
    if not data.strip():
        raise SourceError(origin, "empty file", code=EMPTY)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text, encoding = _decode_utf16(data, origin)
    elif b"\x00" in data:
        raise SourceError(origin, "binary file (contains NUL bytes), not text", code=BINARY)
    else:
        text, encoding = _decode_8bit(data, origin)
    if not text.strip():                  # e.g. a UTF-16 byte-order mark and nothing else
        raise SourceError(origin, "empty file", code=EMPTY)
    if _looks_binary(text):
        raise SourceError(origin, "binary file (mostly control characters), not text", code=BINARY)
    return _normalise_newlines(text), encoding


def _decode_utf16(data: bytes, origin: str) -> tuple[str, str]:
    try:
        return data.decode("utf-16"), "utf-16"
    except UnicodeDecodeError:
        raise SourceError(origin, "binary file (starts like UTF-16 but does not decode)", code=BINARY) from None


def _decode_8bit(data: bytes, origin: str) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    mended = _mostly_utf8(data)
    if mended is not None:
        return mended
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise SourceError(origin, "binary file (not UTF-8 and no text encoding fits)", code=BINARY)
    return str(best), best.encoding


def _mostly_utf8(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few damaged bytes (a bad copy, a cut multi-byte character): keep it, mark the damage with
    U+FFFD and say so, rather than misread the whole file in another encoding."""
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for ch in text if ord(ch) > 127) - bad
    if bad <= max(2, len(data) // 2000) and multibyte >= bad:
        return text, f"utf-8 ({bad} damaged byte{'s' if bad > 1 else ''} replaced)"
    return None


def _looks_binary(text: str) -> bool:
    # Hand-written check: charset detection will happily "decode" some binary data, so count control characters.
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return controls > max(2, len(sample) // 20)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size % (1024 * 1024) else f"{size // (1024 * 1024)} MB"


# --- JSON Lines ---------------------------------------------------------------------------------------------------

def _read_jsonl_file(path: Path, max_bytes: int) -> Iterator[RawArticle | Rejected]:
    origin = str(path)
    try:
        opener = gzip.open if path.name.lower().endswith(".gz") else open
        with opener(path, "rb") as stream:
            yield from _read_jsonl_stream(stream, origin, path.name, max_bytes)
    except (OSError, EOFError) as exc:      # gzip.BadGzipFile is an OSError
        yield Rejected(origin, "read", UNREADABLE, f"cannot read file: {exc}")


def _read_jsonl_stream(stream: _LineReader, origin: str, name: str, max_bytes: int) -> Iterator[RawArticle | Rejected]:
    """One report per line; blank lines are skipped, a file with no records at all is rejected as empty."""
    records = 0
    for number, line, too_long in _lines(stream, max_bytes):
        if not line.strip() and not too_long:
            continue
        records += 1
        where = f"{origin}:{number}"
        try:
            if too_long:
                raise SourceError(where, f"line {number}: record is over the {_mb(max_bytes)} limit per report",
                                  code=TOO_LARGE)
            yield record_article(_parse_line(line, number, where), where, f"{name}:{number}", f"line {number}")
        except SourceError as exc:
            yield Rejected(where, "read", exc.code, exc.reason)
    if records == 0:
        yield Rejected(origin, "read", EMPTY, "empty file")


def _lines(stream: _LineReader, max_bytes: int) -> Iterator[tuple[int, bytes, bool]]:
    """Yield (line number, bytes, too_long) without ever holding more than ``max_bytes`` of one line."""
    number = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        number += 1
        too_long = len(line) > max_bytes and not line.endswith(b"\n")
        while too_long and line and not line.endswith(b"\n"):
            line = stream.readline(max_bytes + 1)      # skip the rest of the oversized line
        yield number, (b"" if too_long else line), too_long


def _parse_line(line: bytes, number: int, where: str) -> dict[str, Any]:
    try:
        value = json.loads(line.decode("utf-8-sig") if number == 1 else line.decode("utf-8"))
    except UnicodeDecodeError:
        raise SourceError(where, f"line {number}: not UTF-8 text", code=NOT_JSON) from None
    except json.JSONDecodeError as exc:
        raise SourceError(where, f"line {number}: not JSON: {exc.msg} at column {exc.colno}",
                          code=NOT_JSON) from None
    if not isinstance(value, dict):
        raise SourceError(where, f"line {number}: not a JSON object but {_json_type(value)}", code=NOT_JSON)
    return value


def record_article(rec: dict[str, Any], where: str, fallback_key: str, label: str) -> RawArticle | Rejected:
    """One record (a JSON Lines line, a CSV row) as a report; raises SourceError naming ``label`` when unusable."""
    text = rec.get("text")
    key = rec.get("id")
    key = str(key) if key not in (None, "") else fallback_key
    extra = {k: v for k, v in rec.items() if k not in RECORD_FIELDS}
    if (text is None or text == "") and isinstance(rec.get("html"), str) and rec["html"].strip():
        return _record_page(rec, where, key, extra)
    if text is None or (isinstance(text, str) and not text.strip()):
        raise SourceError(where, f"{label}: record has no text", code=NO_TEXT)
    if not isinstance(text, str):
        raise SourceError(where, f"{label}: 'text' is {_json_type(text)}, not a string", code=BAD_FIELD)
    return RawArticle(
        key=key,
        text=_normalise_newlines(text),
        origin=where,
        url=_optional_str(rec.get("url")),
        title=_optional_str(rec.get("title")),
        published=_record_date(rec.get("published"), where),
        extra=extra,
    )


def _record_page(rec: dict[str, Any], where: str, key: str, extra: dict[str, Any]) -> RawArticle | Rejected:
    """A record carrying a whole page: the page is read like a saved one; the record's own fields win."""
    url = _optional_str(rec.get("url"))
    page = read_page(rec["html"].encode("utf-8"), where, key, url=url, extra=extra)
    if isinstance(page, Rejected):
        return page
    return RawArticle(key=key, text=page.text, origin=where, url=url or page.url,
                      title=_optional_str(rec.get("title")) or page.title,
                      published=_record_date(rec.get("published"), where) or page.published,
                      extra=page.extra, outlet=page.outlet)


def _optional_str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _json_type(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object",
             str: "a string", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _record_date(value: Any, where: str) -> dt.date | None:
    """ISO date or datetime first; dateparser for anything else. An unparsable date is logged, not fatal."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        log.warning("%s: 'published' is %s, not a date string; ignored", where, _json_type(value))
        return None
    text = value.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text).date()
    except ValueError:
        pass
    parsed = dateparser.parse(text, settings={"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year", "month"]})
    if parsed is None:
        log.warning("%s: cannot parse 'published' %r; ignored", where, text)
        return None
    return parsed.date()
