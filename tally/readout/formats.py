"""Printing records as a readable table, JSON Lines or CSV."""
from __future__ import annotations

import csv
import json
import shutil
from typing import IO, Any, Callable, Sequence

FORMATS = ("table", "jsonl", "csv")


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
