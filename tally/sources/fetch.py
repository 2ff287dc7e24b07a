"""Download feeds and pages politely with httpx.

``Fetcher.get(url)`` sends a clear user agent, obeys robots.txt (urllib.robotparser, fed by our own request so
timeouts and the size cap apply), waits between requests to the same host, retries transient failures with
exponential back-off, stops reading past a size cap, and sends ``If-None-Match`` / ``If-Modified-Since`` when
it is given the ETag / Last-Modified of an earlier answer. Failures raise ``SourceError`` naming the URL,
with a code saying what went wrong (see codes.py): a bad URL or a redirect to one, a redirect loop, a body
that cannot be decoded or that takes too long, a refusal. No wait is ever longer than ``FetchPolicy.max_wait``,
whatever Retry-After or Crawl-delay asks (tests/fuzz/test_fetch.py runs it against a hostile site).

The per-host pacing and the retry loop are written by hand: httpx leaves both to the caller.
"""
from __future__ import annotations

import importlib.metadata
import logging
import math
import time
import urllib.robotparser
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

import httpx

from tally.errors import SourceError
from tally.sources.codes import BAD_URL, FETCH_FAILED, REDIRECTS, ROBOTS, TOO_LARGE, UNREADABLE

log = logging.getLogger(__name__)


def _version() -> str:
    try:
        return importlib.metadata.version("tally")
    except importlib.metadata.PackageNotFoundError:     # run from a source tree that is not installed
        return "dev"


USER_AGENT = f"Tally/{_version()} (casualty-ledger research; reads only the news feeds and pages it is pointed at)"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 120.0            # the default FetchPolicy.max_wait


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """How politely to fetch: one setting per concern."""

    user_agent: str = USER_AGENT
    per_host_interval: float = 1.0     # seconds between two requests to one host (robots Crawl-delay wins if longer)
    timeout: float = 20.0              # seconds per connect / read
    retries: int = 3                   # extra attempts after a transient failure
    backoff: float = 1.0               # first wait; doubles on each retry
    max_bytes: int = 5 * 1024 * 1024   # a bigger answer is refused
    obey_robots: bool = True
    max_wait: float = MAX_RETRY_AFTER  # the longest wait, whatever Retry-After, Crawl-delay or back-off ask
    max_seconds: float = 120.0         # one answer's whole download, however slowly it trickles in
    max_redirects: int = 10


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str                           # after redirects
    status: int                        # 200, or 304 when unchanged since the ETag / Last-Modified given
    content: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    retry_after: float = 0.0           # seconds the server asked to wait (429 / 503), capped at max_wait


class Fetcher:
    """One HTTP client for a run; reuse it so pacing and robots.txt are shared across feeds and pages."""

    def __init__(self, policy: FetchPolicy | None = None, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy = policy or FetchPolicy()
        self._client = httpx.Client(headers={"User-Agent": self.policy.user_agent}, follow_redirects=True,
                                    timeout=self.policy.timeout, transport=transport,
                                    max_redirects=self.policy.max_redirects)
        self._sleep = lambda seconds: sleep(min(max(seconds, 0.0), self.policy.max_wait))
        self._last: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET ``url``; raises SourceError (T210 failed, T211 robots.txt forbids, T204 too large, T215 bad URL,
        T216 too many redirects, T208 an answer that cannot be decoded)."""
        problem = url_problem(url)
        if problem:
            raise SourceError(url, problem, code=BAD_URL)
        if self.policy.obey_robots and not self._allowed(url):
            raise SourceError(url, "robots.txt of the site forbids fetching it", code=ROBOTS)
        headers = {}
        for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified)):
            if value and value.isascii() and value.isprintable():   # a validator we cannot send is left out
                headers[name] = value
        return self._with_retries(url, headers)

    # ------------------------------------------------------------------ retries and pacing
    def _with_retries(self, url: str, headers: dict[str, str]) -> Fetched:
        wait = self.policy.backoff
        for attempt in range(self.policy.retries + 1):
            last_try = attempt == self.policy.retries
            try:
                fetched = self._once(url, headers)
            except (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError, UnicodeError) as exc:
                final = _final(url, exc)
                if final is not None:
                    raise final from None
                if last_try:
                    raise SourceError(url, f"cannot fetch: {exc.__class__.__name__}: {exc}",
                                      code=FETCH_FAILED) from None
                log.info("%s: %s; retrying in %.1f s", url, exc.__class__.__name__, wait)
            else:
                if fetched.status not in RETRY_STATUS:
                    return _checked(url, fetched)
                if last_try:
                    raise SourceError(url, f"HTTP {fetched.status} after {attempt + 1} attempts", code=FETCH_FAILED)
                wait = max(wait, fetched.retry_after)
                log.info("%s: HTTP %d; retrying in %.1f s", url, fetched.status, wait)
            self._sleep(wait)
            wait *= 2
        raise AssertionError("unreachable")

    def _once(self, url: str, headers: dict[str, str]) -> Fetched:
        self._pace(url)
        started = time.monotonic()
        with self._client.stream("GET", url, headers=headers) as resp:
            declared = resp.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                raise SourceError(url, f"answer is {int(declared)} bytes, over the {self.policy.max_bytes} "
                                       "byte limit", code=TOO_LARGE)
            body = bytearray()
            for chunk in resp.iter_bytes():
                body += chunk
                if len(body) > self.policy.max_bytes:
                    raise SourceError(url, f"answer is over the {self.policy.max_bytes} byte limit",
                                      code=TOO_LARGE)
                if time.monotonic() - started > self.policy.max_seconds:
                    raise SourceError(url, f"answer still arriving after {self.policy.max_seconds:g} s; given up",
                                      code=FETCH_FAILED)
            return Fetched(str(resp.url), resp.status_code, bytes(body), resp.headers.get("Content-Type", ""),
                           resp.headers.get("ETag"), resp.headers.get("Last-Modified"),
                           _retry_after(resp.headers.get("Retry-After"), self.policy.max_wait))

    def _pace(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        interval = self.policy.per_host_interval
        robots = self._robots.get(host)
        delay = _seconds(robots.crawl_delay(self.policy.user_agent)) if robots else 0.0
        interval = min(max(interval, delay), self.policy.max_wait)
        since = time.monotonic() - self._last.get(host, float("-inf"))
        if since < interval:
            self._sleep(interval - since)
        self._last[host] = time.monotonic()

    # ------------------------------------------------------------------ robots.txt
    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host = parts.netloc.lower()
        if host not in self._robots:
            self._robots[host] = self._load_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
        return self._robots[host].can_fetch(self.policy.user_agent, url)

    def _load_robots(self, robots_url: str) -> urllib.robotparser.RobotFileParser:
        """No robots.txt (404) allows everything; 401/403 forbid everything, as the robots.txt rules say."""
        parser = urllib.robotparser.RobotFileParser(robots_url)
        try:
            got = self._once(robots_url, {})
        except (httpx.HTTPError, httpx.InvalidURL, httpx.CookieConflict, httpx.StreamError, UnicodeError,
                SourceError) as exc:
            log.info("%s: cannot read (%s); treating the site as open", robots_url, exc)
            parser.parse([])
            return parser
        if got.status in (401, 403):
            parser.disallow_all = True
        elif 200 <= got.status < 300:
            parser.parse(got.content.decode("utf-8", "replace").splitlines())
        else:
            parser.parse([])
        return parser


def _checked(url: str, fetched: Fetched) -> Fetched:
    if fetched.status == 304 or 200 <= fetched.status < 300:
        return fetched
    raise SourceError(url, f"HTTP {fetched.status}", code=FETCH_FAILED)


def _retry_after(value: str | None, cap: float = MAX_RETRY_AFTER) -> float:
    """Retry-After in seconds (the number form; an HTTP date, nan or a negative is read as no request), at most
    ``cap``."""
    return min(_seconds(value), cap)


def _seconds(value: object) -> float:
    """A non-negative finite number of seconds from a header or robots.txt value; 0 when it is none."""
    try:
        seconds = float(value) if value is not None and value != "" else 0.0   # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return 0.0
    if math.isnan(seconds) or seconds < 0:
        return 0.0
    return seconds


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be fetched (not http(s), no host, bad port, spaces or control characters), or None."""
    if not isinstance(url, str) or not url:
        return "no URL"
    if not url.isprintable() or any(ch.isspace() for ch in url):
        return "URL holds spaces or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
        host = parts.hostname
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https"):
        return "not an http(s) URL"
    if not host:
        return "URL has no host"
    if port == 0:
        return "URL has port 0"
    try:
        host.encode("idna")              # what the resolver will do: labels of 1-63 characters
        httpx.URL(url)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        return f"not a valid URL ({exc})"
    return None


def _final(url: str, exc: Exception) -> SourceError | None:
    """The error for a failure that trying again cannot mend (None for a transient one, which is retried)."""
    if isinstance(exc, httpx.TooManyRedirects):
        return SourceError(url, f"too many redirects (a loop?): {exc}", code=REDIRECTS)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.LocalProtocolError, UnicodeError)):
        return SourceError(url, f"redirected to a URL that cannot be fetched: {exc}", code=BAD_URL)
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc).lower():
        return SourceError(url, f"redirected to a URL that cannot be fetched: {exc}", code=BAD_URL)
    if isinstance(exc, httpx.DecodingError):
        return SourceError(url, f"answer cannot be decoded: {exc}", code=UNREADABLE)
    if not isinstance(exc, httpx.TransportError):
        return SourceError(url, f"cannot fetch: {exc.__class__.__name__}: {exc}", code=FETCH_FAILED)
    return None
