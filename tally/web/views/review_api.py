"""The write routes under /api/review: analyst corrections through the web, each one a call to ``tally.review``.

Every route needs the write token (tally/web/writes.py) and a JSON object. Who: the ``by`` field or the
``X-Tally-Analyst`` header; why: ``note``; when: the server's clock. A bad field is a 400 naming it; an unknown
target a 404; a correction already withdrawn a 409.
"""
from __future__ import annotations

from typing import Any, Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tally.errors import ReviewError
from tally.review import ACTION_KEYS, ACTIONS, GRADES, act, correct, note, review_queue, withdraw
from tally.web.responses import store_of
from tally.web.writes import write_body

router = APIRouter(prefix="/api/review", tags=["review"])

ITEM_ACTIONS = tuple(dict.fromkeys(list(ACTION_KEYS.values()) + ["note"]))
MAX_NAME, MAX_NOTE = 80, 4000
_NOT_FOUND = {"T601", "T602", "T605"}
_WHO_WHY = {"by": {"type": "string", "maxLength": MAX_NAME, "description": "Who (or the X-Tally-Analyst header)."},
            "note": {"type": "string", "maxLength": MAX_NOTE, "description": "Why: kept with the correction."}}
_DENIED = {401: {"description": "Missing or wrong `Authorization: Bearer` token"},
           403: {"description": "Writes are disabled on this server (no write token set)"},
           409: {"description": "Already done (a correction withdrawn before)"},
           415: {"description": "The body is not JSON"}}


def _doc(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": required, "properties": {**properties, **_WHO_WHY}}}}},
        "security": [{"bearer": []}]}


def _text(body: dict[str, Any], field: str, limit: int, default: str = "") -> str:
    value = body.get(field, default)
    if not isinstance(value, str):
        raise HTTPException(400, f"field {field!r} must be a string, not {type(value).__name__}")
    if len(value) > limit:
        raise HTTPException(400, f"field {field!r} is over {limit} characters")
    return value


def _who_why(request: Request, body: dict[str, Any]) -> tuple[str, str]:
    who = _text(body, "by", MAX_NAME, request.headers.get("x-tally-analyst", "")).strip()
    if not who:
        raise HTTPException(400, "field 'by': say who makes the correction (or send the X-Tally-Analyst header)")
    if not who.isprintable():
        raise HTTPException(400, "field 'by' must be a plain name, without control characters")
    return who, _text(body, "note", MAX_NOTE)


def _choice(body: dict[str, Any], field: str, allowed: tuple[str, ...]) -> str:
    value = body.get(field)
    if value not in allowed:
        raise HTTPException(400, f"field {field!r} must be one of {', '.join(allowed)}, not {value!r}")
    return str(value)


async def _answer(run: Callable[[], Any]) -> JSONResponse:
    """Run one library call (in a worker thread: it rebuilds the ledger); its ReviewError becomes a 404 (unknown
    target), 409 (already done) or 400."""
    try:
        done = await run_in_threadpool(run)
    except ReviewError as exc:
        status = 404 if exc.code in _NOT_FOUND or (exc.code == "T607" and "no correction" in str(exc)) \
            else 409 if exc.code == "T607" else 400
        raise HTTPException(status, str(exc)) from None
    key = "correction" if hasattr(done, "as_dict") else "note"
    return JSONResponse({"ok": True, key: done.as_dict() if key == "correction" else done}, status_code=201)


@router.post("/items/{item}", status_code=201, responses=_DENIED,
             summary="Settle a review-queue item: confirm, reject, dismiss, grade, withdraw, or add a note",
             openapi_extra=_doc({"action": {"type": "string", "enum": list(ITEM_ACTIONS) + list(ACTION_KEYS)},
                                 "grade": {"type": "string", "enum": list(GRADES)}}, ["action"]))
async def act_on_item(request: Request, item: str) -> JSONResponse:
    body = await write_body(request)
    who, why = _who_why(request, body)
    raw = body.get("action")
    action = _choice({"action": ACTION_KEYS.get(raw, raw) if isinstance(raw, str) else raw}, "action", ITEM_ACTIONS)
    store = store_of(request)
    if action == "note":
        if item not in {i.id for i in await run_in_threadpool(review_queue, store)}:
            raise HTTPException(404, f"no open review item {item!r} (see /review)")
        return await _answer(lambda: note(store, item, analyst=who, note=why))
    value = {"grade": _choice(body, "grade", GRADES)} if action == "grade" else None
    return await _answer(lambda: act(store, item, action, analyst=who, note=why, value=value))


@router.post("/corrections", status_code=201, responses=_DENIED,
             summary="Make a correction of any kind `tally review` makes, with who and why",
             openapi_extra=_doc({"action": {"type": "string", "enum": list(ACTIONS)},
                                 "target": {"type": "string", "description": "A claim, incident or review item id"},
                                 "value": {"type": "object", "description": "As for tally.review.correct: "
                                           "{min, max, kind, category}, {category}, {with}, {claims}, {name}, "
                                           "{from, to}, {grade}"}}, ["action", "target"]))
async def make_correction(request: Request) -> JSONResponse:
    body = await write_body(request)
    who, why = _who_why(request, body)
    action = _choice(body, "action", ACTIONS)
    target = _text(body, "target", 200).strip()
    if not target:
        raise HTTPException(400, "field 'target': name the claim, incident or review item to correct")
    value = body.get("value") or {}
    if not isinstance(value, dict):
        raise HTTPException(400, f"field 'value' must be a JSON object, not {type(value).__name__}")
    return await _answer(lambda: correct(store_of(request), action, target, value, analyst=who, note=why))


@router.post("/corrections/{correction}/withdraw", status_code=201, responses=_DENIED,
             summary="Stop applying a correction; it stays on record with who withdrew it and why",
             openapi_extra=_doc({}, []))
async def withdraw_correction(request: Request, correction: str) -> JSONResponse:
    body = await write_body(request)
    who, why = _who_why(request, body)
    return await _answer(lambda: withdraw(store_of(request), correction, analyst=who, note=why))
