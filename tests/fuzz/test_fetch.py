"""Fuzzing the fetcher (tally/sources/fetch.py): a hostile site on real sockets and generated answers through a
mocked transport. Zero crashes: every URL gives an answer or a SourceError with a known code naming the URL, and
no wait is longer than FetchPolicy.max_wait, whatever the site asks."""
from __future__ import annotations

import time
from collections import Counter
from typing import Any

import httpx
import pytest
from hostile_site import CRAWL_DELAYS, HostileSite, Raw, catalogue, robots
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trust_log import scaled

from tally.errors import SourceError
from tally.sources.codes import LABELS
from tally.sources.fetch import Fetched, Fetcher, FetchPolicy

MAX_WAIT = 2.0
POLICY = FetchPolicy(per_host_interval=0.0, timeout=0.5, retries=1, backoff=0.01, max_bytes=1 << 20,
                     max_wait=MAX_WAIT, max_seconds=1.0, max_redirects=8)
PATHS = sorted(catalogue("http://127.0.0.1:1"))


def fetch_once(url: str, policy: FetchPolicy = POLICY, transport: httpx.BaseTransport | None = None,
               **validators: str | None) -> tuple[Fetched | SourceError, list[float]]:
    """One GET; the outcome and every wait the fetcher asked for. Anything else than an answer or a
    SourceError with a known code is a crash, and fails the test."""
    waits: list[float] = []
    with Fetcher(policy, transport=transport, sleep=waits.append) as fetcher:
        try:
            outcome: Fetched | SourceError = fetcher.get(url, **validators)
        except SourceError as exc:
            outcome = exc
    if isinstance(outcome, SourceError):
        assert outcome.code in LABELS, (url, outcome.code, outcome)
        assert outcome.origin == url, outcome         # the error names the URL asked for
    else:
        assert outcome.status == 304 or 200 <= outcome.status < 300, (url, outcome.status)
        assert len(outcome.content) <= policy.max_bytes
    assert all(0 <= w <= policy.max_wait for w in waits), (url, waits)
    return outcome, waits


# ---------------------------------------------------------------- real sockets

@pytest.mark.parametrize("robots_txt", ["none", "absurd-delay", "all-forbidden"])
@pytest.mark.parametrize("path", PATHS)
def test_the_hostile_site_never_crashes_the_fetcher(hostile: HostileSite, fuzz_cases: Counter[str], path: str,
                                                    robots_txt: str) -> None:
    hostile.robots = {"none": b"", "absurd-delay": robots(CRAWL_DELAYS[len(path) % len(CRAWL_DELAYS)]),
                      "all-forbidden": robots("1", "/")}[robots_txt]
    started = time.monotonic()
    outcome, _waits = fetch_once(hostile.url(path))
    if robots_txt == "all-forbidden":
        assert isinstance(outcome, SourceError) and outcome.code == "T211"
    assert time.monotonic() - started < 30
    fuzz_cases["fetch: hostile site (real sockets)"] += 1


@pytest.mark.parametrize("delay", CRAWL_DELAYS)
def test_an_absurd_crawl_delay_is_capped_by_max_wait(hostile: HostileSite, fuzz_cases: Counter[str],
                                                     delay: str) -> None:
    hostile.robots = robots(delay)
    waits: list[float] = []
    with Fetcher(POLICY, sleep=waits.append) as fetcher:
        for _ in range(3):
            assert fetcher.get(hostile.url("/ok")).status == 200
    assert all(0 <= w <= MAX_WAIT for w in waits), waits
    if delay.isdigit() and int(delay) > 0:                 # a delay robots.txt parsers honour: paced, capped
        assert len(waits) >= 2, waits
    fuzz_cases["fetch: hostile site (real sockets)"] += 1


def test_each_hostile_answer_gets_the_code_that_says_what_went_wrong(hostile: HostileSite) -> None:
    hostile.robots = b""
    expect = {"/loop": "T216", "/ping": "T216", "/chain": "T216", "/bad-location/0": "T215",
              "/bad-location/1": "T215", "/bad-location/2": "T215", "/bad-location/12": "T215", "/gzip-bad": "T208", "/deflate-bad": "T208",
              "/huge-declared": "T204", "/huge-endless": "T204", "/slow": "T210", "/stalled": "T210",
              "/retry-after/0": "T210", "/status-418": "T210", "/no-location": "T210"}
    got = {p: getattr(fetch_once(hostile.url(p))[0], "code", "ok") for p in expect}
    assert got == expect


def test_validators_the_server_sent_in_latin1_do_not_break_the_next_request(hostile: HostileSite) -> None:
    hostile.robots = b""
    first, _ = fetch_once(hostile.url("/etag-latin1"))
    assert isinstance(first, Fetched) and first.etag
    again, _ = fetch_once(hostile.url("/etag-latin1"), etag=first.etag, last_modified=first.last_modified)
    assert isinstance(again, Fetched)


@st.composite
def raw_answers(draw: st.DrawFn) -> Raw:
    status = draw(st.sampled_from([b"200 OK", b"301 Moved", b"302 Found", b"303 See", b"307 Tmp", b"304 NM",
                                   b"404 NF", b"429 Slow", b"503 Busy", b"500 Err", b"999 Odd", b"abc", b"", b"1xx"]))
    pool = [(b"Content-Type", b"text/html"), (b"Content-Type", b"image/png"), (b"Location", b"/loop"),
            (b"Location", b"http://[::1"), (b"Location", b"ftp://x/"), (b"Retry-After", b"nan"),
            (b"Retry-After", b"1e308"), (b"Content-Encoding", b"gzip"), (b"Content-Encoding", b"br"),
            (b"ETag", b'"\xe9"'), (b"Transfer-Encoding", b"chunked"), (b"Content-Length", b"zz"),
            (b"Connection", b"close"), (b"X-\xff", b"\x00")]
    headers = draw(st.lists(st.sampled_from(pool), max_size=5))
    body = draw(st.binary(max_size=300))
    return Raw(b"HTTP/1.1 " + status, headers, body, length=draw(st.booleans()), chunks=draw(st.integers(1, 3)))


@settings(max_examples=scaled(120), deadline=None, suppress_health_check=list(HealthCheck))
@given(answer=raw_answers())
def test_generated_raw_answers_on_a_real_socket_never_crash_the_fetcher(hostile: HostileSite,
                                                                        fuzz_cases: Counter[str], answer: Raw) -> None:
    hostile.robots = b""
    hostile.answers["/generated"] = answer
    fetch_once(hostile.url("/generated"))
    fuzz_cases["fetch: hostile site (real sockets)"] += 1


# ---------------------------------------------------------------- mocked transport

LOCATIONS = ["/next", "/loop", "http://[::1", "ftp://example.org/", "javascript:x", "", "//", "http://:0/",
             "https://example.org/other", "http://example.org:99999/", "\u00e9\u00e8", "/\x00", "http://a b/"]
WAITS = ["nan", "inf", "-inf", "-1", "0", "1e308", "99999999999", "", "soon", "Wed, 21 Oct 2015 07:28:00 GMT", "2"]
URLS = ["https://example.org/a", "http://example.org/", "https://example.org/robots.txt", "http://[::1",
        "ftp://example.org/x", "", "http://", "https://ex ample.org/", "http://example.org:0/", "http://\x00/",
        "https://xn--/", "https://例え.jp/記事", "HTTPS://EXAMPLE.ORG/A", "http://user:pass@example.org/",
        "javascript:alert(1)", "https://example.org/" + "a" * 5000, "http://example.org:99999/"]
ERRORS = [httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.DecodingError,
          httpx.TooManyRedirects, httpx.UnsupportedProtocol, httpx.ReadError, httpx.PoolTimeout,
          httpx.LocalProtocolError, httpx.InvalidURL]


@st.composite
def mocked_answers(draw: st.DrawFn) -> dict[str, Any]:
    headers: list[tuple[bytes, bytes]] = []
    for name, values in (("Location", LOCATIONS), ("Retry-After", WAITS),
                         ("Content-Encoding", ["gzip", "deflate", "br", "identity", "zstd", "x-odd"]),
                         ("Content-Length", ["0", "10", "99999999999999", "-1", "abc"]),
                         ("Content-Type", ["text/html", "application/rss+xml", "image/png", ""]),
                         ("ETag", ['"v1"', '"\u00e9"', "", "W/\"x\""])):
        if draw(st.booleans()):
            headers.append((name.encode(), draw(st.sampled_from(values)).encode("utf-8")))
    return {"status": draw(st.sampled_from([200, 200, 204, 301, 302, 303, 304, 307, 308, 400, 404, 429, 500, 503,
                                            599, 999, 100])),
            "headers": headers, "body": draw(st.binary(max_size=200)),
            "error": draw(st.one_of(st.none(), st.none(), st.sampled_from(ERRORS)))}


def mock_transport(answers: list[dict[str, Any]], robots_txt: bytes) -> httpx.MockTransport:
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(200, content=robots_txt)
        a = queue.pop(0) if queue else {"status": 200, "headers": [], "body": b"<p>done</p>", "error": None}
        if a["error"] is not None:
            raise a["error"]("generated failure", request=request) if a["error"] not in (
                httpx.InvalidURL,) else a["error"]("generated failure")
        return httpx.Response(a["status"], headers=a["headers"], content=a["body"])

    return httpx.MockTransport(handle)


@settings(max_examples=scaled(750), deadline=None, suppress_health_check=list(HealthCheck))
@given(url=st.one_of(st.sampled_from(URLS), st.text(max_size=40)),
       answers=st.lists(mocked_answers(), max_size=4),
       robots_txt=st.sampled_from(CRAWL_DELAYS).map(robots),
       etag=st.one_of(st.none(), st.text(max_size=10)))
def test_generated_answers_never_crash_the_fetcher(fuzz_cases: Counter[str], url: str,
                                                   answers: list[dict[str, Any]], robots_txt: bytes,
                                                   etag: str | None) -> None:
    fetch_once(url, transport=mock_transport(answers, robots_txt), etag=etag, last_modified=etag)
    fuzz_cases["fetch: generated answers (mocked transport)"] += 1


@settings(max_examples=scaled(750), deadline=None, suppress_health_check=list(HealthCheck))
@given(answers=st.lists(mocked_answers(), min_size=1, max_size=6), retries=st.integers(0, 4),
       backoff=st.sampled_from([0.0, 0.5, 1.0, 1e9, float("inf")]))
def test_retries_and_back_off_never_wait_past_max_wait(fuzz_cases: Counter[str], answers: list[dict[str, Any]],
                                                       retries: int, backoff: float) -> None:
    policy = FetchPolicy(per_host_interval=0.0, retries=retries, backoff=backoff, max_wait=MAX_WAIT)
    _outcome, waits = fetch_once("https://example.org/a", policy, mock_transport(answers, b""))
    assert len(waits) <= retries + 1
    fuzz_cases["fetch: generated answers (mocked transport)"] += 1
