"""The incident list (filters, paging, sorting, downloads) and the incident page with its evidence."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from tally.readout import query
from tally.readout.query import IncidentQuery
from tally.store.db import Store
from tally.web.downloads import available, download
from tally.web.responses import incident_query, page, split_ext, store_of, with_params

router = APIRouter()


def list_data(request: Request, q: IncidentQuery, facets: bool = True) -> dict[str, Any]:
    """One page of incidents with links to the pages around it; ``facets``: the filters' choices too."""
    store, counts = store_of(request), request.app.state.counts
    everything = counts.total(IncidentQuery()) if q.q else None   # a text search picks its plan by it
    # a text search is counted as far as the choice of its plan needs too, so that the page does not count again
    cap = query.text_count_cap(store, q, everything) if everything is not None else None
    total = counts.total(q, cap=cap)
    marks = counts.marks(q) if query.seeks_offsets(store, q) else ()
    res = query.incidents(store, q, total=total, everything=everything, marks=marks)
    cursor = res.next_after.encode() if res.next_after else None
    capped = bool(q.q) and res.total > query.TEXT_COUNT_CAP   # Counts.total counted it up to the cap
    data: dict[str, Any] = {
        # a text search is counted up to query.TEXT_COUNT_CAP: past it the total says so and is a lower bound
        "total": query.TEXT_COUNT_CAP if capped else res.total, "total_is_lower_bound": capped,
        "offset": res.offset, "limit": res.limit,
        # the next page by cursor: read from where this one ends, however deep (offset= still works for clients
        # that compute pages); the previous one by offset, which the cursor's position gives
        "next": with_params(request, after=cursor, offset=None) if cursor else None,
        "next_after": cursor, "next_offset": res.next_offset,
        "previous": with_params(request, offset=max(0, res.offset - q.limit) or None, after=None)
        if res.offset else None,
        "incidents": res.rows,
        "filters": {k: v for k, v in request.query_params.items() if k not in ("offset", "after")},
    }
    if facets:
        data.update(facets=counts.facets(), downloads=available())
    return data


@router.get("/incidents.{fmt}", include_in_schema=False)
@router.get("/incidents", include_in_schema=False)
def incidents_page(request: Request, q: IncidentQuery = Depends(incident_query)) -> Response:
    fmt = request.path_params.get("fmt", "html")
    if fmt in available():
        return download(query.all_incidents(store_of(request), q), fmt)
    if fmt not in ("html", "json"):
        raise HTTPException(404, f"no format {fmt!r}; use .json or one of {', '.join(available())}")
    return page(request, fmt, "incidents.html", list_data(request, q))


def highlight(claim: dict[str, Any]) -> list[str]:
    """The claim's quote split as [before, the figure's words, after], for marking the number."""
    quote, start = claim["quote"] or "", claim["start"] or 0
    a, b = (claim.get("number_start") or 0) - start, (claim.get("number_end") or 0) - start
    if not (0 <= a < b <= len(quote)):
        number = claim.get("number") or ""
        a = quote.find(number) if number else -1
        if a < 0:
            return [quote, "", ""]
        b = a + len(number)
    return [quote[:a], quote[a:b], quote[b:]]


def incident_data(store: Store, ident: str) -> dict[str, Any]:
    doc = query.incident(store, ident)
    if doc is None:
        raise HTTPException(404, f"no incident {ident!r}; the list is at /incidents")
    heads = {r["key"]: r for r in query.report_heads(store, doc["articles"])}
    claims = []
    for c in query.claims(store, incident=ident):
        head = heads.get(c["article"]) or {}
        claims.append({**c, "outlet": head.get("outlet"), "title": head.get("title"), "highlight": highlight(c)})
    return {"incident": doc, "claims": claims, "denials": query.denials(store, doc["articles"]),
            "reports": [heads[k] for k in doc["articles"] if k in heads]}


@router.get("/incidents/{name}", include_in_schema=False)
def incident_page(request: Request, name: str) -> Response:
    ident, fmt = split_ext(name)
    return page(request, fmt, "incident.html", incident_data(store_of(request), ident))
