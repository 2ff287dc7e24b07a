"""Reports: the list, and one report's cleaned text beside what cleaning removed, with its copies and claims."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from tally.readout import query
from tally.web.responses import MAX_OFFSET, fmt_of, page, split_ext, store_of, with_params

router = APIRouter()


@router.get("/reports.json", include_in_schema=False)
@router.get("/reports", include_in_schema=False)
def reports_page(request: Request, limit: int = Query(100, ge=1, le=query.MAX_LIMIT),
                 offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> Response:
    res = query.reports(store_of(request), limit, offset)
    nxt = with_params(request, offset=res.next_offset) if res.next_offset is not None else None
    data = {"reports": res.rows, "total": res.total, "next": nxt}
    return page(request, fmt_of(request), "reports.html", data)


@router.get("/reports/{name:path}", include_in_schema=False)
def report_page(request: Request, name: str) -> Response:
    store = store_of(request)
    doc = query.report(store, name)           # a key may itself end in ".json"
    fmt = "html"
    if doc is None:
        key, fmt = split_ext(name)
        doc = query.report(store, key) if fmt == "json" else None
    if doc is None:
        raise HTTPException(404, f"no report {name!r}; the list is at /reports")
    original = query.report_heads(store, [doc["duplicate_of"]]) if doc.get("duplicate_of") else []
    return page(request, fmt, "report.html", {"report": doc, "original": original[0] if original else None})
