"""The timeline: killed per day by category (stacked), with the running tallies drawn over it."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tally.models import CATEGORIES
from tally.readout import query
from tally.readout.query import IncidentQuery
from tally.store.db import Store
from tally.web.responses import fmt_of, incident_query, page, store_of

router = APIRouter()


def tally_total(t: dict[str, Any]) -> int:
    """A tally's headline figure: its total when given, else the sum of its parts' best estimates."""
    killed = t.get("killed") or {}
    if killed.get("total"):
        return int(killed["total"].get("best") or killed["total"].get("min") or 0)
    return sum(int((f or {}).get("best") or (f or {}).get("min") or 0) for f in killed.values())


def timeline_data(store: Store, q: IncidentQuery) -> dict[str, Any]:
    days = query.stats_per_day(store, q)
    tallies = query.tallies(store, country=q.country, since=q.since, until=q.until)
    series = [{"id": t["id"], "scope": t["scope"], "country": t["country"], "as_of": t["as_of"],
               "killed": tally_total(t)} for t in tallies if t.get("as_of")]
    return {"categories": list(CATEGORIES), "days": days, "tallies": series,
            "killed": sum(d["killed"]["total"] for d in days), "incidents": sum(d["incidents"] for d in days)}


@router.get("/timeline.json", include_in_schema=False)
@router.get("/timeline", include_in_schema=False)
def timeline_page(request: Request, q: IncidentQuery = Depends(incident_query)) -> Response:
    return page(request, fmt_of(request), "timeline.html", timeline_data(store_of(request), q))
