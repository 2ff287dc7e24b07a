"""The JSON API under /api, documented by its OpenAPI schema at /api/openapi.json. Read-only.

Every answer is ``{"ok": true, ...}``; every error ``{"ok": false, "error", "status"}``.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from tally.models import CATEGORIES, KINDS
from tally.readout import query
from tally.readout.query import IncidentQuery
from tally.readout import formats
from tally.web.downloads import available, download
from tally.web.responses import MAX_OFFSET, incident_query, ok, store_of
from tally.web.views.incidents import incident_data, list_data
from tally.web.views.timeline import timeline_data

router = APIRouter(prefix="/api", tags=["ledger"])
# the formats offered, as an enum in the schema (a free string let any value through to a 400), and their media
# types (schemathesis found downloads answering with content types the schema did not name)
Format = Literal[tuple(["json", *available()])]  # type: ignore[valid-type]
_EXPORTS = getattr(formats, "EXPORTS", None)
_MEDIA = ([_EXPORTS[f].media_type for f in available()] if _EXPORTS is not None
          else ["application/x-ndjson", "text/csv"])


@router.get("/incidents", summary="Incidents, filtered, sorted and paged; or a download of all that match",
            description="Each page carries `next` (the next page's URL), `next_after` and `next_offset`. "
                        "`after=<next_after>` (with the same filters, sort and order) reads the next page from where "
                        "this one ends, however deep; it is an opaque cursor, refused with 400 when it is not one this "
                        "API made for that order, and does not go with `offset`. `total` is exact, except for a text "
                        "search (`q`) matching more than 10,000 incidents: counting stops there and "
                        "`total_is_lower_bound` is true.",
            responses={200: {"content": {"application/json": {}, **{m.split(";")[0]: {} for m in _MEDIA}}}})
def api_incidents(request: Request, q: IncidentQuery = Depends(incident_query),
                  format: Format = Query("json", description="json, or a download format: csv, jsonl, ...")
                  ) -> Response:
    if format in available():
        return download(query.all_incidents(store_of(request), q), format)
    if format != "json":
        raise HTTPException(400, f"unknown format {format!r}; use json or one of {', '.join(available())}")
    return ok(list_data(request, q, facets=False))


@router.get("/incidents/{ident}", summary="One incident with its claims (and their evidence), denials and reports")
def api_incident(request: Request, ident: str) -> JSONResponse:
    return ok(incident_data(store_of(request), ident))


@router.get("/tallies", summary="Running totals")
def api_tallies(request: Request, country: str | None = None, since: dt.date | None = None,
                until: dt.date | None = None) -> JSONResponse:
    return ok({"tallies": query.tallies(store_of(request), country=country, since=since, until=until)})


@router.get("/claims", summary="Casualty claims with their claimant, stance and evidence sentence")
def api_claims(request: Request, incident: str | None = None, article: str | None = None,
               kind: Literal[KINDS] | None = None, category: Literal[CATEGORIES] | None = None,  # type: ignore[valid-type]
               stance: Literal["asserted", "denied"] | None = None,
               scope: Literal["incident", "tally", "aggregate"] | None = None,
               min_confidence: float = Query(0.0, ge=0.0, le=1.0)) -> JSONResponse:
    rows = query.claims(store_of(request), incident=incident, article=article, kind=kind, category=category,
                        stance=stance, scope=scope, min_confidence=min_confidence)
    return ok({"claims": rows})


@router.get("/reports", summary="Reports in arrival order (without text)")
def api_reports(request: Request, limit: int = Query(100, ge=1, le=query.MAX_LIMIT),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> JSONResponse:
    res = query.reports(store_of(request), limit, offset)
    return ok({"reports": res.rows, "total": res.total, "offset": offset, "limit": limit,
               "next_offset": res.next_offset})


@router.get("/reports/{key:path}", summary="One report: cleaned text, what was removed and why, copies, claims")
def api_report(request: Request, key: str) -> JSONResponse:
    doc = query.report(store_of(request), key)
    if doc is None:
        raise HTTPException(404, f"no report {key!r}; list them at /api/reports")
    return ok({"report": doc})


@router.get("/stats/days", summary="Per day: incidents, killed by category (best estimates), injured; and tallies")
def api_stats_days(request: Request, q: IncidentQuery = Depends(incident_query)) -> JSONResponse:
    return ok(timeline_data(store_of(request), q))


@router.get("/stats/regions", summary="Per country and admin region: incidents, killed, injured, first and last day")
def api_stats_regions(request: Request, q: IncidentQuery = Depends(incident_query)) -> JSONResponse:
    return ok({"regions": query.stats_per_region(store_of(request), q)})


@router.get("/formats", summary="The download formats this server offers")
def api_formats() -> dict[str, Any]:
    return {"ok": True, "formats": available()}
