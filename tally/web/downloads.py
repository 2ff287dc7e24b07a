"""Incident downloads in every format of the export registry (``tally.readout.formats.FORMATS``).

A download holds the same bytes as ``tally incidents --format X`` for the same filters: text formats use the
registry's ``write_<format>`` function, and CSV flattens figures the way the CLI does.
"""
from __future__ import annotations

import io
from typing import IO, Any, Callable

from fastapi.responses import Response

from tally.readout import formats

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson",
               "geojson": "application/geo+json", "parquet": "application/vnd.apache.parquet"}
Writer = Callable[[list[dict[str, Any]], IO[str]], None]


def _csv(rows: list[dict[str, Any]], out: IO[str]) -> None:
    from tally.cli import _csv_row  # the CLI's flattening, so a download equals `tally incidents --format csv`

    formats.write_csv([_csv_row(r) for r in rows], out)


def writers() -> dict[str, Writer]:
    """Format name -> writer, for every downloadable format the registry holds."""
    out: dict[str, Writer] = {}
    for name in formats.FORMATS:
        if name == "table":
            continue
        fn = _csv if name == "csv" else getattr(formats, f"write_{name}", None)
        if fn is not None:
            out[name] = fn
    return out


def download(rows: list[dict[str, Any]], fmt: str, stem: str = "incidents") -> Response:
    buf = io.StringIO()
    writers()[fmt](rows, buf)
    return Response(buf.getvalue(), media_type=MEDIA_TYPES.get(fmt, "text/plain; charset=utf-8"),
                    headers={"content-disposition": f'attachment; filename="{stem}.{fmt}"'})
