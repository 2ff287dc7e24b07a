"""create_app(db): the FastAPI application over one ledger database. Read-only, except the analyst corrections
under /api/review, which need the write token (tally/web/writes.py) and are refused (403) when none is set."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from tally.store.db import Store
from tally.web.responses import DropEmptyParams, Pages, RefuseOversized, SecurityHeaders, error_body
from tally.web.views import api, incidents, map as map_view, reports, review, review_api, tallies, timeline
from tally.web import timing
from tally.web.counts import Counts
from tally.web.timing import ServerTiming

STATIC = Path(__file__).parent / "static"


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path.endswith(".json") or "html" not in request.headers.get("accept", "")


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body(status, message), status_code=status, headers=headers)
    page = request.app.state.pages.render(request, "error.html", {"status": status, "message": message}, status)
    page.headers.update(headers or {})
    return page  # type: ignore[no-any-return]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    return _error(request, exc.status_code, str(exc.detail), exc.headers)


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = ["{}: {}".format(".".join(str(x) for x in e["loc"][1:]) or e["loc"][0], e["msg"]) for e in exc.errors()]
    return _error(request, 400, "bad parameter: " + "; ".join(parts))


_ERROR = {"description": "{}", "content": {"application/json": {"schema": {
    "type": "object", "required": ["ok", "error", "status"],
    "properties": {"ok": {"type": "boolean"}, "error": {"type": "string"}, "status": {"type": "integer"}}}}}}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The schema as the API answers: a bad parameter is a 400 (not FastAPI's 422), a missing record a 404,
    both in the error shape (found by schemathesis, tests/security/test_schema.py)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for path, item in schema.get("paths", {}).items():
            for op in item.values():
                responses = op.setdefault("responses", {})
                responses.pop("422", None)
                responses["400"] = {**_ERROR, "description": "A bad parameter"}
                if "{" in path:
                    responses["404"] = {**_ERROR, "description": "No such record"}
                for code in ("401", "403", "409", "415"):     # the write routes' refusals, in the error shape
                    if code in responses:
                        responses[code] = {**_ERROR, "description": responses[code]["description"]}
        schema.setdefault("components", {})["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(db: str | None = None, store: Store | None = None, write_token: str | None = None) -> FastAPI:
    """The web app over ``db`` (a path or URL; default $TALLY_DB or tally.db), or over an open ``store``.
    ``write_token``: the bearer token analyst corrections need (see tally.web.writes.load_token); None: no writes."""
    app = FastAPI(title="Tally", version="0.2", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json",
                  description="The casualty ledger: incidents, claims, tallies, reports, statistics (read-only); "
                              "analyst corrections under /api/review with the write token.")
    app.state.store = store or Store(db, mmap=True)
    app.state.pages = Pages()
    app.state.counts = Counts(app.state.store)   # list totals and filter choices, per ledger state
    app.state.write_token = write_token
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for view in (api, review_api, incidents, timeline, map_view, reports, tallies, review):
        app.include_router(view.router)

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/incidents")

    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    app.add_middleware(RefuseOversized)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(DropEmptyParams)
    app.add_middleware(ServerTiming)
    timing.watch(app.state.store.engine)
    return app
