"""A hostile web site on 127.0.0.1 for fuzzing the fetcher and the watcher: it writes raw bytes on the socket, so
it can answer what no polite server would (redirect loops, a Location that is no URL, bodies that do not decode,
that never end or trickle in, absurd Retry-After and Crawl-delay values, content types that lie, broken status
lines and headers). Each answer is a ``Raw`` response keyed by path; ``script`` sets them all at once."""
from __future__ import annotations

import socket
import socketserver
import time
import zlib
from dataclasses import dataclass, field
from typing import Iterator

from local_server import LocalServer

CRLF = b"\r\n"


@dataclass
class Raw:
    status_line: bytes = b"HTTP/1.1 200 OK"
    headers: list[tuple[bytes, bytes]] = field(default_factory=lambda: [(b"Content-Type", b"text/html")])
    body: bytes = b"<html><body><p>A quiet page.</p></body></html>"
    length: bool = True           # send a Content-Length that matches the body
    chunks: int = 1               # split the body into this many writes ...
    pause: float = 0.0            # ... with this pause between them (a slow body)
    endless: bool = False         # keep sending body bytes until the client hangs up
    hang: float = 0.0             # after the headers, wait this long before the body (a stalled answer)
    close_at_once: bool = False   # hang up before answering

    def bytes_head(self) -> bytes:
        headers = list(self.headers)
        if self.length and not self.endless:
            headers.append((b"Content-Length", str(len(self.body)).encode()))
        lines = [self.status_line] + [k + b": " + v for k, v in headers]
        return CRLF.join(lines) + CRLF + CRLF


def redirect(location: bytes, status: int = 302) -> Raw:
    return Raw(f"HTTP/1.1 {status} Found".encode(), [(b"Location", location), (b"Content-Type", b"text/plain")],
               b"moved")


def retry_after(value: bytes, status: int = 503) -> Raw:
    return Raw(f"HTTP/1.1 {status} Busy".encode(), [(b"Retry-After", value), (b"Content-Type", b"text/plain")],
               b"busy")


def encoded(encoding: bytes, body: bytes) -> Raw:
    return Raw(headers=[(b"Content-Type", b"text/html"), (b"Content-Encoding", encoding)], body=body)


PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
FEED = (b"<?xml version='1.0'?><rss version='2.0'><channel><title>Hostile wire</title>"
        b"<item><title>Shelling near the river</title><link>{base}/story</link><guid>story-1</guid>"
        b"<description>Two people were hurt when shells hit a market, a medic said.</description></item>"
        b"<item><title>Shelling near the river</title><link>{base}/story</link><guid>story-1</guid>"
        b"<description>Two people were hurt when shells hit a market, a medic said.</description></item>"
        b"</channel></rss>")


def catalogue(base: str) -> dict[str, Raw]:
    """Every named hostile answer; ``/robots.txt`` is set per test (see ``HostileSite.robots``)."""
    b = base.encode()
    answers: dict[str, Raw] = {
        "/ok": Raw(),
        "/loop": redirect(b"/loop"),
        "/ping": redirect(b"/pong", 301), "/pong": redirect(b"/ping", 307),
        "/chain": redirect(b"/chain/1"),
        "/empty-200": Raw(body=b""),
        "/no-content": Raw(b"HTTP/1.1 204 No Content", [], b"", length=False),
        "/not-modified": Raw(b"HTTP/1.1 304 Not Modified", [], b"", length=False),
        "/no-location": Raw(b"HTTP/1.1 302 Found", [(b"Content-Type", b"text/plain")], b"where?"),
        "/gzip-bad": encoded(b"gzip", b"\x1f\x8b\x08\x00 not really gzip"),
        "/deflate-bad": encoded(b"deflate", b"plain words, not deflate"),
        "/gzip-cut": encoded(b"gzip", zlib.compress(b"<p>cut</p>" * 200)[:40]),
        "/encoding-unknown": encoded(b"x-martian", b"<p>?</p>"),
        "/encoding-stacked": encoded(b"gzip, gzip, identity", b"\x1f\x8b"),
        "/huge-declared": Raw(headers=[(b"Content-Type", b"text/html"), (b"Content-Length", b"99999999999999")],
                              body=b"x" * 100, length=False),
        "/huge-endless": Raw(body=b"<p>" + b"a" * 65536, endless=True),
        "/slow": Raw(body=b"<p>" + b"s" * 40 + b"</p>", chunks=40, pause=0.05),
        "/stalled": Raw(hang=5.0),
        "/length-lies": Raw(headers=[(b"Content-Type", b"text/html"), (b"Content-Length", b"5000")],
                            body=b"short", length=False),
        "/length-garbage": Raw(headers=[(b"Content-Type", b"text/html"), (b"Content-Length", b"-12, 40")],
                               length=False),
        "/hangup": Raw(close_at_once=True),
        "/status-garbage": Raw(status_line=b"HTTP/1.1 abc Nope"),
        "/status-999": Raw(status_line=b"HTTP/1.1 999 Whatever"),
        "/status-line-missing": Raw(status_line=b"<html>no status line"),
        "/status-418": Raw(status_line=b"HTTP/1.1 418 Teapot"),
        "/header-no-colon": Raw(headers=[(b"Content-Type", b"text/html"), (b"Broken header line", b"")]),
        "/header-huge": Raw(headers=[(b"X-Pad", b"p" * 200_000)]),
        "/etag-latin1": Raw(headers=[(b"Content-Type", b"text/html"), (b"ETag", b'"caf\xe9"'),
                                     (b"Last-Modified", b"Sun, 12 Mar 2023 \xff\xfe")]),
        "/etag-control": Raw(headers=[(b"Content-Type", b"text/html"), (b"ETag", b'"a\x01b"')]),
        "/png-as-html": Raw(headers=[(b"Content-Type", b"text/html; charset=utf-8")], body=PNG),
        "/html-as-png": Raw(headers=[(b"Content-Type", b"image/png")]),
        "/charset-bogus": Raw(headers=[(b"Content-Type", b"text/html; charset=klingon-8")],
                              body=b"<p>\xff\xfe\xfd undecodable \xc3\x28</p>"),
        "/utf16-lie": Raw(headers=[(b"Content-Type", b"text/html; charset=utf-16")], body=b"\xd8\x00\xd8\x00abc"),
        "/no-type": Raw(headers=[]),
        "/feed-dup-links": Raw(headers=[(b"Content-Type", b"application/rss+xml")],
                               body=FEED.replace(b"{base}", b)),
        "/feed-as-png": Raw(headers=[(b"Content-Type", b"application/rss+xml")], body=PNG),
        "/feed-undecodable": Raw(headers=[(b"Content-Type", b"application/rss+xml; charset=utf-8")],
                                 body=b"<?xml version='1.0'?><rss><channel><item><title>\xff\xfe\xc3</title>"),
        "/story": Raw(body=b"<html><head><title>Market shelled</title></head><body><article><p>Two people were "
                           b"hurt when shells hit the river market on Sunday, a medic said.</p></article></body>"
                           b"</html>"),
    }
    for n in range(1, 30):
        answers[f"/chain/{n}"] = redirect(f"/chain/{n + 1}".encode())
    locations = [b"http://[::1", b"ftp://127.0.0.1/x", b"javascript:alert(1)", b"", b"http://:0/", b"\x00\x01",
                 b"http://a b/", b"//", b"http://xn--/", b"http://127.0.0.1:99999/", b"mailto:x@y", b"data:,hi",
                 b"http://" + b"a" * 300 + b".org/", b"\xff\xfe/\xc3\x28", b"http:///nohost", b"file:///etc/passwd",
                 b"%%%", b"http://user:pw@127.0.0.1:1/", b"HTTP://127.0.0.1:1/", b"http://127.0.0.1:1/"]
    for n, loc in enumerate(locations):
        answers[f"/bad-location/{n}"] = redirect(loc)
    waits = [b"nan", b"inf", b"-inf", b"-1", b"1e308", b"99999999999", b"", b"Wed, 21 Oct 2015 07:28:00 GMT",
             b"1e-9", b"NaN", b"0x10", b"\xff", b"12 ", b"3600"]
    for n, w in enumerate(waits):
        answers[f"/retry-after/{n}"] = retry_after(w, 503 if n % 2 else 429)
    return answers


CRAWL_DELAYS = ["99999999999999999999", "nan", "inf", "-5", "1e308", "3600", "0", "abc", "", "1.5"]


def robots(delay: str, disallow: str = "/private") -> bytes:
    return f"User-agent: *\nCrawl-delay: {delay}\nDisallow: {disallow}\n".encode()


class HostileSite(LocalServer):
    def __init__(self) -> None:
        self.answers: dict[str, Raw] = {}
        self.robots: bytes = b""                # served at /robots.txt (404 when empty)
        self.requests: list[bytes] = []
        site = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                site.serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        super().__init__(Server(("127.0.0.1", 0), Handler))
        self.answers = catalogue(self.base)

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            while True:                              # keep-alive: answer until the client hangs up
                head = _read_head(conn)
                if not head:
                    return
                self.requests.append(head)
                path = head.split(b" ", 2)[1].decode("latin-1") if head.count(b" ") >= 2 else "/"
                if not self._answer(conn, self._raw(path)):
                    return
        except OSError:
            return

    def _raw(self, path: str) -> Raw:
        if path == "/robots.txt":
            if not self.robots:
                return Raw(b"HTTP/1.1 404 Not Found", [(b"Content-Type", b"text/plain")], b"none")
            return Raw(headers=[(b"Content-Type", b"text/plain")], body=self.robots)
        return self.answers.get(path) or Raw(b"HTTP/1.1 404 Not Found", [(b"Content-Type", b"text/plain")], b"no")

    def _answer(self, conn: socket.socket, raw: Raw) -> bool:
        if raw.close_at_once:
            return False
        conn.sendall(raw.bytes_head())
        if raw.hang:
            time.sleep(raw.hang)
        if raw.endless:
            for _ in range(4096):                   # 256 MB at most: the client must stop long before
                conn.sendall(raw.body)
            return False
        for piece in _pieces(raw.body, raw.chunks):
            conn.sendall(piece)
            if raw.pause:
                time.sleep(raw.pause)
        return raw.length and not raw.status_line.startswith(b"<")


def _pieces(body: bytes, n: int) -> Iterator[bytes]:
    size = max(1, -(-len(body) // max(1, n)))
    for i in range(0, len(body), size):
        yield body[i:i + size]


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
        if len(data) > 1 << 20:
            return b""
    return data.split(b"\r\n\r\n", 1)[0]
