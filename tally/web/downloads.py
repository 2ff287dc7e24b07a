"""Incident downloads in every format of the export registry (``tally.readout.formats``).

A download holds the same bytes as ``tally incidents --format X`` for the same filters. When the registry has
``EXPORTS`` (each ``Export`` renders records to bytes, with its media type and extension), every format in it
that can render incidents is offered; a registry of Tally 0.1 (``FORMATS`` names only) offers JSON Lines and CSV,
flattened the way the CLI does.
"""
from __future__ import annotations

import io
from typing import Any, Callable

from fastapi.responses import Response

from tally.readout import formats


def _jsonl(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    formats.write_jsonl(rows, buf)
    return buf.getvalue()


def _csv(rows: list[dict[str, Any]]) -> str:
    from tally.cli import _csv_row  # the CLI's flattening, so a download equals `tally incidents --format csv`

    buf = io.StringIO()
    formats.write_csv([_csv_row(r) for r in rows], buf)
    return buf.getvalue()


_TALLY_0_1: dict[str, tuple[Callable[[list[dict[str, Any]]], str], str]] = {
    "jsonl": (_jsonl, "application/x-ndjson"), "csv": (_csv, "text/csv; charset=utf-8")}


def available() -> list[str]:
    """The download formats for incidents, in the registry's order."""
    exports = getattr(formats, "EXPORTS", None)
    if exports is not None:
        return [name for name, exp in exports.items() if "incidents" in exp.kinds]
    return [name for name in formats.FORMATS if name in _TALLY_0_1]


def download(rows: list[dict[str, Any]], fmt: str, stem: str = "incidents") -> Response:
    """``rows`` (incident export records) as an attachment in format ``fmt`` (one of ``available()``)."""
    exports = getattr(formats, "EXPORTS", None)
    if exports is not None:
        exp = exports[fmt]
        body, media, ext = exp.render(rows, "incidents"), exp.media_type, exp.extension
    else:
        render, media = _TALLY_0_1[fmt]
        body, ext = render(rows).encode("utf-8"), fmt
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{stem}.{ext}"'})
