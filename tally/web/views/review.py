"""The review queue page: what needs an analyst's look, in the order ``tally.review.review_queue`` gives, each item
with its evidence sentence and its incident. Read-only as HTML; static/review.js adds the one-key actions, which
write through /api/review (tally/web/views/review_api.py) with the write token."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from tally.review import GRADES, review_queue
from tally.store.db import Store
from tally.web.responses import MAX_OFFSET, fmt_of, page, store_of, with_params

router = APIRouter()
KEYS = [("j / k", "next / previous item"), ("c", "confirm the claim"), ("r", "reject the claim"),
        ("d", "dismiss the item"), ("g then 1–5", "grade the incident: " + ", ".join(GRADES)),
        ("w", "withdraw the correction"), ("n", "write a note (sent with the next action, or alone with Enter)"),
        ("?", "show or hide this help")]


def _incident(target: str, related: tuple[str, ...]) -> str | None:
    return target if target.startswith("inc-") else next((r for r in related if r.startswith("inc-")), None)


def review_data(store: Store, limit: int = 200, offset: int = 0) -> dict[str, Any]:
    """One page of the open queue items, most important first, with the incident each concerns and its evidence
    sentence; ``total`` counts every open item."""
    queue = review_queue(store)
    shown = queue[offset:offset + limit]
    targets = {i.target for i in shown}
    quotes = {r["id"]: r["quote"] for r in store.claim_rows() if r["id"] in targets} if shown else {}
    items = [{**i.as_dict(), "incident": _incident(i.target, i.related), "evidence": quotes.get(i.target)}
             for i in shown]
    return {"items": items, "total": len(queue), "offset": offset, "limit": limit,
            "grades": list(GRADES), "keys": KEYS}


@router.get("/review.json", include_in_schema=False)
@router.get("/review", include_in_schema=False)
def review_page(request: Request, limit: int = Query(200, ge=1, le=1000),
                offset: int = Query(0, ge=0, le=MAX_OFFSET)) -> Response:
    data = review_data(store_of(request), limit, offset)
    data["next"] = with_params(request, offset=offset + limit) if offset + limit < data["total"] else None
    data["previous"] = with_params(request, offset=max(0, offset - limit)) if offset else None
    return page(request, fmt_of(request), "review.html", data)
