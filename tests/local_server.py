"""A server the tests run on 127.0.0.1 in a thread of their own (tests/sources/webserver.py, tests/fuzz/hostile_site.py)."""
from __future__ import annotations

import socketserver
import threading
from typing import TypeVar

S = TypeVar("S", bound="LocalServer")


class LocalServer:
    def __init__(self, server: socketserver.BaseServer) -> None:
        self._server = server
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]   # type: ignore[misc]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self: S) -> S:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
