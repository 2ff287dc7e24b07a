"""Printing records as a readable table, and the registry of export formats.

Every export format is one ``Export`` in ``EXPORTS`` (name, media type, file extension, which record kinds it
can render); ``render(fmt, rows, kind)`` turns a list of exported records into the bytes of a file. The CLI
(``tally incidents --format ...``) and the web API both go through ``render``, so a format registered here is
offered by both. JSON Lines and CSV are the contract of Tally 0.1; the others live in ``tally/readout/exports/``.
"""
from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from typing import IO, Any, Callable, Sequence

from tally.errors import ConfigError

KINDS = ("incidents", "tallies", "claims", "articles")


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rng(fig: dict[str, Any] | None) -> str:
    """{"min": 14, "max": None} -> "14+"; {"min": None, "max": 700} -> "<=700"; equal -> "12"."""
    if not fig:
        return ""
    lo, hi = fig.get("min"), fig.get("max")
    if lo is not None and hi is not None:
        return str(lo) if lo == hi else f"{lo}-{hi}"
    if lo is not None:
        return f"{lo}+"
    return f"<={hi}" if hi is not None else "?"


def write_jsonl(rows: Sequence[dict[str, Any]], out: IO[str]) -> None:
    for r in rows:
        out.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")


def write_csv(rows: Sequence[dict[str, Any]], out: IO[str], columns: Sequence[str] | None = None) -> None:
    cols = list(columns or (rows[0].keys() if rows else []))
    w = csv.writer(out)
    w.writerow(cols)
    for r in rows:
        w.writerow([_flat(r.get(c)) for c in cols])


def write_table(rows: Sequence[dict[str, Any]], out: IO[str],
                columns: Sequence[tuple[str, Callable[[dict[str, Any]], Any]]]) -> None:
    width = shutil.get_terminal_size((160, 20)).columns
    cells = [[h for h, _ in columns]] + [[_flat(f(r)) for _, f in columns] for r in rows]
    widths = [min(max(len(row[i]) for row in cells), 48) for i in range(len(columns))]
    for n, row in enumerate(cells):
        line = "  ".join(c[:w].ljust(w) for c, w in zip(row, widths))
        out.write(line[:width].rstrip() + "\n")
        if n == 0:
            out.write("  ".join("-" * w for w in widths)[:width] + "\n")
    out.write(f"({len(rows)} rows)\n")


def flat_row(r: dict[str, Any]) -> dict[str, Any]:
    """Nested figures become flat columns (killed_civilian_min ...) for spreadsheets; other nested values JSON."""
    out: dict[str, Any] = {}
    for k, v in r.items():
        if k in ("killed", "injured") and isinstance(v, dict) and all(isinstance(x, dict) or x is None for x in v.values()):
            if "min" in v and not isinstance(v.get("min"), dict):
                out[f"{k}_min"], out[f"{k}_max"] = v.get("min"), v.get("max")
                continue
            for cat in ("civilian", "combatant", "unknown", "total"):
                fig = v.get(cat) or {}
                for part in ("min", "max", "best"):
                    out[f"{k}_{cat}_{part}"] = fig.get(part)
        elif k in ("evidence", "victim_sides", "place_details", "merge_reasons"):
            out[k] = json.dumps(v, ensure_ascii=False)
        else:
            out[k] = v
    return out


Renderer = Callable[[Sequence[dict[str, Any]], str], bytes]


@dataclass(frozen=True, slots=True)
class Export:
    """One export format: how to render records of the given kinds into the bytes of a file."""

    name: str
    media_type: str
    extension: str                 # without the dot
    binary: bool                   # the CLI writes it only to a file or a pipe, never to a terminal
    kinds: tuple[str, ...]         # record kinds it can render (see KINDS)
    renderer: str                  # "module:function" under tally.readout, imported on first use

    def render(self, rows: Sequence[dict[str, Any]], kind: str) -> bytes:
        import importlib

        module, func = self.renderer.split(":")
        fn: Renderer = getattr(importlib.import_module(f"tally.readout.{module}"), func)
        return fn(rows, kind)


def render_jsonl(rows: Sequence[dict[str, Any]], kind: str) -> bytes:
    buf = io.StringIO()
    write_jsonl(rows, buf)
    return buf.getvalue().encode("utf-8")


def csv_bytes(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> bytes:
    buf = io.StringIO()
    write_csv(rows, buf, columns)
    return buf.getvalue().encode("utf-8")


def render_csv(rows: Sequence[dict[str, Any]], kind: str) -> bytes:
    return csv_bytes([flat_row(r) for r in rows])


# Heavy renderers (pyarrow) are named, not imported, so `tally incidents` starts fast.
EXPORTS: dict[str, Export] = {e.name: e for e in (
    Export("jsonl", "application/x-ndjson", "jsonl", False, KINDS, "formats:render_jsonl"),
    Export("csv", "text/csv; charset=utf-8", "csv", False, KINDS, "formats:render_csv"),
    Export("geojson", "application/geo+json", "geojson", False, ("incidents",), "exports.geojson:render"),
    Export("acled", "text/csv; charset=utf-8", "acled.csv", False, ("incidents",), "exports.acled:render"),
    Export("ucdp", "text/csv; charset=utf-8", "ucdp.csv", False, ("incidents",), "exports.ucdp:render"),
    Export("parquet", "application/vnd.apache.parquet", "parquet", True, KINDS, "exports.parquet:render"),
)}

FORMATS = ("table", *EXPORTS)


def export_for(fmt: str, kind: str = "incidents") -> Export:
    """The registered export `fmt`, checked against the record kind; a ConfigError says what is available."""
    exp = EXPORTS.get(fmt)
    if exp is None:
        raise ConfigError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTS)}", code="T110")
    if kind not in exp.kinds:
        usable = ", ".join(n for n, e in EXPORTS.items() if kind in e.kinds)
        raise ConfigError(f"the {fmt} format exports {' and '.join(exp.kinds)} only; for {kind} use {usable}",
                          code="T111")
    return exp


def render(fmt: str, rows: Sequence[dict[str, Any]], kind: str = "incidents") -> bytes:
    """The bytes of an export file: `rows` are records as `tally.readout.ledger` builds them for `kind`."""
    return export_for(fmt, kind).render(rows, kind)
