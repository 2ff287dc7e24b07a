"""The map: incidents as points sized by killed and coloured by perpetrator, over an offline country basemap
(Natural Earth 1:50m outlines from the world-atlas npm package, served from /static)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from tally.readout import query
from tally.readout.query import IncidentQuery
from tally.store.db import Store
from tally.web.responses import fmt_of, incident_query, page, store_of

router = APIRouter()
PALETTE = 10          # colours c0..c9 in style.css and map.js; the last one is for "unknown"
UNKNOWN = "unknown"


def map_data(store: Store, q: IncidentQuery) -> dict[str, Any]:
    points, unplaced = query.map_points(store, q)
    names = sorted({p["perpetrator"] for p in points if p["perpetrator"]})
    colour = {n: i % (PALETTE - 1) for i, n in enumerate(names)}
    for p in points:
        p["colour"] = colour.get(p["perpetrator"] or "", PALETTE - 1)
        p["perpetrator"] = p["perpetrator"] or UNKNOWN
    legend = [{"name": n, "colour": colour[n]} for n in names]
    if any(p["perpetrator"] == UNKNOWN for p in points):
        legend.append({"name": UNKNOWN, "colour": PALETTE - 1})
    return {"points": points, "legend": legend, "unplaced": unplaced, "basemap": "/static/countries-50m.json"}


@router.get("/map.json", include_in_schema=False)
@router.get("/map", include_in_schema=False)
def map_page(request: Request, q: IncidentQuery = Depends(incident_query)) -> Response:
    return page(request, fmt_of(request), "map.html", map_data(store_of(request), q))
