"""Read CSV exports of news tools, one report per row, with a column mapping.

The mapping says which column holds each field Tally reads (``text`` is required; ``id``, ``url``, ``title``,
``published`` and ``html`` are optional). It comes from the command line (``--csv-map text=body,title=headline``)
or a TOML file with a ``[csv]`` table (``--csv-config FILE``). Columns not mapped are kept in ``extra``. The file is
streamed; its encoding is detected from the first bytes when it is not UTF-8.
"""
from __future__ import annotations

import codecs
import csv
import io
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Iterator

import charset_normalizer

from tally.errors import ConfigError, SourceError
from tally.models import RawArticle, Rejected
from tally.sources.codes import BINARY, EMPTY, NO_COLUMN, TOO_LARGE, UNREADABLE

CSV_SUFFIXES = (".csv", ".tsv")
SAMPLE = 64 * 1024


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """Column names in the file for each field Tally reads."""

    text: str = "text"
    id: str | None = "id"
    url: str | None = "url"
    title: str | None = "title"
    published: str | None = "published"
    html: str | None = None           # a column holding a whole HTML page, read like a saved page

    @classmethod
    def parse(cls, spec: str) -> CsvMapping:
        """``text=body,title=headline``: fields not named keep their default column."""
        known = {f.name for f in fields(cls)}
        given: dict[str, str] = {}
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            name, sep, column = part.partition("=")
            if not sep or name.strip() not in known or not column.strip():
                raise ConfigError(f"bad CSV column mapping {part!r}: write FIELD=COLUMN with FIELD one of "
                                  f"{', '.join(sorted(known))}", code="T101")
            given[name.strip()] = column.strip()
        return cls(**given)

    @classmethod
    def load(cls, path: Path) -> CsvMapping:
        """The ``[csv]`` table of a TOML file."""
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("csv")
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read the CSV mapping: {exc}", code="T101") from exc
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f"{path}: needs a [csv] table of FIELD = \"column\" lines", code="T101")
        return cls.parse(",".join(f"{k}={v}" for k, v in table.items()))

    def columns(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def is_csv(path: Path) -> bool:
    return path.suffix.lower() in CSV_SUFFIXES


def read_csv(path: Path, mapping: CsvMapping, max_bytes: int) -> Iterator[RawArticle | Rejected]:
    from tally.sources.files import record_article     # files dispatches to this module

    origin = str(path)
    try:
        with open(path, "rb") as raw:
            encoding = _encoding(raw.read(SAMPLE), origin)
            raw.seek(0)
            text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
            yield from _rows(text, path, mapping, max_bytes, record_article)
    except SourceError as exc:
        yield Rejected(origin, "read", exc.code, exc.reason)
    except OSError as exc:
        yield Rejected(origin, "read", UNREADABLE, f"cannot read file: {exc.strerror or exc}")


def _encoding(sample: bytes, origin: str) -> str:
    if not sample.strip():
        raise SourceError(origin, "empty file", code=EMPTY)
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(origin, "binary file (contains NUL bytes), not CSV", code=BINARY)
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(sample, final=False)
        return "utf-8-sig"
    except UnicodeDecodeError:
        best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise SourceError(origin, "not UTF-8 and no text encoding fits: binary, not CSV", code=BINARY)
    return best.encoding


def _rows(text: io.TextIOWrapper, path: Path, mapping: CsvMapping, max_bytes: int,
          record_article: Any) -> Iterator[RawArticle | Rejected]:
    dialect = csv.excel_tab if path.suffix.lower() == ".tsv" else csv.excel
    csv.field_size_limit(max_bytes)
    reader = csv.DictReader(text, dialect=dialect)
    header = reader.fieldnames or []
    if mapping.text not in header and not (mapping.html and mapping.html in header):
        raise SourceError(str(path), f"no column {mapping.text!r} (columns: {', '.join(header) or 'none'}); "
                                     "map one with --csv-map text=COLUMN", code=NO_COLUMN)
    wanted = {column: name for name, column in mapping.columns().items()}
    rows = 0
    while True:
        where = f"{path}:{reader.line_num + 1}"
        try:
            row = next(reader)
            rows += 1
        except StopIteration:
            if rows == 0:  # a header and nothing under it says so, rather than passing in silence
                yield Rejected(str(path), "read", EMPTY, "CSV file has a header but no rows")
            return
        except csv.Error as exc:
            yield Rejected(where, "read", TOO_LARGE if "limit" in str(exc) else UNREADABLE, f"bad CSV row: {exc}")
            if f"{path}:{reader.line_num + 1}" == where:      # nothing consumed: stop rather than loop
                return
            continue
        where = f"{path}:{reader.line_num}"
        rec = {wanted.get(k, k): v for k, v in row.items() if k is not None}
        try:
            yield record_article(rec, where, f"{path.name}:{reader.line_num}", f"row at line {reader.line_num}")
        except SourceError as exc:
            yield Rejected(where, "read", exc.code, exc.reason)
