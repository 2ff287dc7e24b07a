"""What every view shares: the ``{"ok": true, ...}`` JSON envelope, the error shape, the page renderer, the
incident filters as a FastAPI dependency, and the security headers.

Article text is untrusted: templates autoescape everything, and the Content-Security-Policy forbids inline
scripts and styles, so nothing a report contains can run in the reader's browser.
"""
from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi import HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic_core import to_json
from starlette.types import ASGIApp, Receive, Scope, Send

from tally.errors import ConfigError
from tally.models import CATEGORIES, EVENT_TYPES
from tally.readout.formats import rng
from tally.readout.query import MAX_CURSOR, MAX_LIMIT, SORTS, IncidentQuery, parse_after
from tally.review.records import GRADES
from tally.store.db import Store

TEMPLATES = Path(__file__).parent / "templates"
# a larger offset overflows SQLite's 64-bit integers (found by schemathesis); no ledger holds a billion rows
MAX_OFFSET = 1_000_000_000
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def web_url(url: str | None) -> str | None:
    """A report's own URL only when it is http(s): a record may carry ``javascript:`` or worse."""
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") else None


def store_of(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def split_ext(name: str) -> tuple[str, str]:
    """"inc-1a2b.json" -> ("inc-1a2b", "json"); "inc-1a2b" -> ("inc-1a2b", "html")."""
    if name.endswith(".json"):
        return name[:-5], "json"
    return name, "html"


class FastJSONResponse(JSONResponse):
    """JSON rendered by pydantic-core (FastAPI's own serializer, in Rust): the same bytes as Starlette's
    ``json.dumps`` for these answers (compact, UTF-8), in a quarter of the CPU time (a list page of 50 incidents:
    1.0 ms to 0.23)."""

    def render(self, content: Any) -> bytes:
        return to_json(content)


def ok(data: dict[str, Any]) -> JSONResponse:
    return FastJSONResponse({"ok": True, **data})


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"ok": False, "error": message, "status": status}


class Pages:
    """Renders Jinja2 templates with autoescaping on for every template."""

    def __init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["rng"] = rng
        self.env.filters["web_url"] = web_url
        self.env.globals["CATEGORIES"] = CATEGORIES
        self.env.globals["GRADES"] = GRADES

    def render(self, request: Request, template: str, data: dict[str, Any], status: int = 200) -> HTMLResponse:
        html = self.env.get_template(template).render(request=request, json_url=json_twin(request),
                                                      url_with=partial(with_params, request), **data)
        return HTMLResponse(html, status_code=status)


def fmt_of(request: Request) -> str:
    """"json" for a page's .json twin, else "html"."""
    return "json" if request.url.path.endswith(".json") else "html"


def page(request: Request, fmt: str, template: str, data: dict[str, Any]) -> Response:
    """The page as HTML, or as its JSON twin when the URL ends in ``.json``."""
    if fmt == "json":
        return ok(data)
    return request.app.state.pages.render(request, template, data)  # type: ignore[no-any-return]


def json_twin(request: Request) -> str:
    path = request.url.path
    twin = path if path.endswith(".json") else (path.rstrip("/") or "/incidents") + ".json"
    return twin + (f"?{request.url.query}" if request.url.query else "")


def with_params(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for k, v in changes.items():
        if v is None:
            params.pop(k, None)
        else:
            params[k] = str(v)
    return request.url.path + ("?" + urlencode(params) if params else "")


def incident_query(
    since: dt.date | None = Query(None, description="Incidents ending on or after this day (YYYY-MM-DD)."),
    until: dt.date | None = Query(None, description="Incidents starting on or before this day (YYYY-MM-DD)."),
    country: str | None = Query(None, description="Country name, as in the ledger (case ignored)."),
    admin1: str | None = Query(None, description="Admin region: province, governorate, oblast, state..."),
    place: str | None = Query(None, description="One of the incident's places, by name."),
    perpetrator: str | None = Query(None, description="Perpetrator, as in the ledger (case ignored)."),
    event_type: Literal[EVENT_TYPES] | None = Query(None),  # type: ignore[valid-type]
    category: Literal[CATEGORIES] | None = Query(None, description="Has people killed in this category."),  # type: ignore[valid-type]
    contested: bool | None = Query(None, description="Only contested (true) or uncontested (false) incidents."),
    min_confidence: float = Query(0.0, ge=0.0, le=1.0),
    min_killed: int | None = Query(None, ge=0, le=2 ** 62, description="At least this many killed (best estimate)."),
    q: str | None = Query(None, description="Free text over places, sources and evidence sentences."),
    sort: Literal[tuple(SORTS)] = Query("date"),  # type: ignore[valid-type]
    order: Literal["asc", "desc"] = Query("asc"),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    # Keyset paging: the next_after of the page before (same filters, sort and order); the page starts after its
    # last row. Kept out of the OpenAPI parameters (the list operation's description tells of it): an opaque cursor
    # has no schema that only valid cursors fit, and the schema promises that every value it allows is accepted.
    after: str | None = Query(None, max_length=MAX_CURSOR, include_in_schema=False),
) -> IncidentQuery:
    try:
        cursor = parse_after(after, sort, order == "desc") if after is not None else None
        return IncidentQuery(since=since, until=until, country=country, admin1=admin1, place=place,
                             perpetrator=perpetrator, event_type=event_type, category=category, contested=contested,
                             min_confidence=min_confidence, min_killed=min_killed, q=q, sort=sort,
                             descending=order == "desc",
                             limit=limit, offset=offset, after=cursor)
    except ConfigError as exc:
        raise HTTPException(400, str(exc)) from exc


class AddHeaders:
    """Pure ASGI middleware (so streaming is untouched) that adds ``headers(state)`` to every HTTP response;
    ``begin`` makes the per-request state, ``end`` closes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    def begin(self) -> Any:
        return None

    def headers(self, state: Any) -> list[tuple[bytes, bytes]]:
        raise NotImplementedError

    def end(self, state: Any) -> None:
        pass

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.begin()

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.headers(state)]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            self.end(state)


class SecurityHeaders(AddHeaders):
    """Adds the Content-Security-Policy and friends to every response."""

    def headers(self, state: Any) -> list[tuple[bytes, bytes]]:
        return [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY")]


MAX_QUERY_BYTES = 4096
MAX_PATH_BYTES = 2048


class RefuseOversized:
    """A query string over 4 KB or a path over 2 KB is refused with 414 before any view reads it: no filter
    needs more, and a huge ``q`` would otherwise be matched against every evidence sentence."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (len(scope.get("query_string", b"")) > MAX_QUERY_BYTES
                                        or len(scope.get("raw_path") or scope["path"].encode()) > MAX_PATH_BYTES):
            what = "query string" if len(scope.get("query_string", b"")) > MAX_QUERY_BYTES else "path"
            limit = MAX_QUERY_BYTES if what == "query string" else MAX_PATH_BYTES
            response = JSONResponse(error_body(414, f"the {what} is over {limit} bytes"), status_code=414)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class DropEmptyParams:
    """A filter form sends empty fields (``?since=&country=Syria``); drop them so they mean "no filter"."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            scope = {**scope, "query_string": urlencode([(k, v) for k, v in pairs if v.strip()]).encode("latin-1")}
        await self.app(scope, receive, send)
