"""A small web site the tests serve themselves on 127.0.0.1: pages, feeds, robots.txt, ETags, failures on cue."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from local_server import LocalServer


@dataclass
class Route:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    etag: str | None = None
    fail_first: int = 0                 # answer 503 this many times before the real answer
    delay: float = 0.0                  # seconds to wait before answering
    retry_after: str = "0"              # the Retry-After of the 503 answers
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int


class Site(LocalServer):
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        super().__init__(ThreadingHTTPServer(("127.0.0.1", 0), _handler(self)))

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the name http.server wants)
            route = site.routes.get(self.path)
            if route is not None and route.delay:
                time.sleep(route.delay)
            status, body, headers = _answer(route, dict(self.headers))
            site.hits.append(Hit(self.path, dict(self.headers), status))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


def _answer(route: Route | None, request: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
    if route is None:
        return 404, b"not found", {"Content-Type": "text/plain"}
    if route.fail_first > 0:
        route.fail_first -= 1
        return 503, b"busy", {"Content-Type": "text/plain", "Retry-After": route.retry_after}
    headers = {"Content-Type": route.content_type, **route.headers}
    if route.etag:
        headers["ETag"] = route.etag
        if request.get("If-None-Match") == route.etag:
            return 304, b"", headers
    return route.status, route.body, headers
