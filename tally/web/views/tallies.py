"""Running totals (campaign or war tolls), apart from incidents."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from tally.readout import query
from tally.web.responses import fmt_of, page, store_of

router = APIRouter()


@router.get("/tallies.json", include_in_schema=False)
@router.get("/tallies", include_in_schema=False)
def tallies_page(request: Request) -> Response:
    return page(request, fmt_of(request), "tallies.html", {"tallies": query.tallies(store_of(request))})
