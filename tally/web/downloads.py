"""Incident downloads in every format of the export registry (``tally.readout.formats.EXPORTS``).

A download holds the same bytes as ``tally incidents --format X`` for the same filters: both call the registry's
``Export.render``, with its media type and file extension.
"""
from __future__ import annotations

from typing import Any

from fastapi.responses import Response

from tally.readout import formats


def available() -> list[str]:
    """The download formats for incidents, in the registry's order."""
    return [name for name, exp in formats.EXPORTS.items() if "incidents" in exp.kinds]


def download(rows: list[dict[str, Any]], fmt: str, stem: str = "incidents") -> Response:
    """``rows`` (incident export records) as an attachment in format ``fmt`` (one of ``available()``)."""
    exp = formats.export_for(fmt, "incidents")
    return Response(exp.render(rows, "incidents"), media_type=exp.media_type,
                    headers={"content-disposition": f'attachment; filename="{stem}.{exp.extension}"'})
