"""Fuzzing the watcher (tally/sources/watch.py): generated watch lists (nan, inf and true as intervals, odd schemes,
bad URLs, feeds listed twice) and feeds on the hostile site (duplicate links, lies about their content). Every
watch list is taken or refused with a ConfigError (T103) naming the file; no poll raises."""
from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from hostile_site import HostileSite
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from trust_log import scaled

from tally.errors import ConfigError
from tally.sources.fetch import Fetcher, FetchPolicy
from tally.sources.options import ReadOptions
from tally.sources.watch import FEED, FOLDER, MAX_EVERY, Watched, Watcher, checked, load_watchlist
from tally.store.db import Store

EVERY = ["300", "60.5", "0", "-1", "nan", "inf", "-inf", "+inf", "true", "false", '"300"', "1e400", "1e9",
         "604800", "604801", "0.001", "[1]", "{a = 1}", "1979-05-27", "0x10"]
URLS = ["https://example.org/feed.xml", "http://127.0.0.1:1/rss", "ftp://example.org/feed", "javascript:alert(1)",
        "file:///etc/passwd", "", " ", "http://[::1", "http://", "https://" + "a" * 70 + ".org/", "http://a b/",
        "data:,x", "//example.org/x", "http://example.org:99999/", "HTTP://EXAMPLE.ORG/FEED", "\\u0000"]
PATHS = ["/tmp", "", "relative/dir", "\\u0000", " ", "/no/such/folder"]


def _table(draw: st.DrawFn, kind: str) -> str:
    key, values = ("url", URLS) if kind == FEED else ("path", PATHS)
    lines = [f"[[{kind}]]"]
    if draw(st.integers(0, 5)):
        lines.append(f'{key} = "{draw(st.sampled_from(values))}"')
    elif draw(st.booleans()):
        lines.append(f"{key} = {draw(st.sampled_from(['1', 'true', '[]']))}")
    if draw(st.booleans()):
        lines.append(f"every = {draw(st.sampled_from(EVERY))}")
    if draw(st.booleans()):
        lines.append("fetch = " + draw(st.sampled_from(["true", "false", "1", '"no"'])))
    return "\n".join(lines)


@st.composite
def watch_lists(draw: st.DrawFn) -> str:
    tables = [_table(draw, draw(st.sampled_from([FEED, FOLDER]))) for _ in range(draw(st.integers(0, 4)))]
    if tables and draw(st.booleans()):
        tables.append(tables[0])                        # the same source listed twice
    text = "\n\n".join(tables)
    return text[: draw(st.integers(0, len(text)))] if draw(st.integers(0, 9)) == 0 else text


@settings(max_examples=scaled(400), deadline=None, suppress_health_check=list(HealthCheck))
@given(text=watch_lists())
def test_watch_lists_are_taken_or_refused_with_a_reason(tmp_path_factory: pytest.TempPathFactory,
                                                        fuzz_cases: Counter[str], text: str) -> None:
    path = tmp_path_factory.mktemp("wl") / "watch.toml"
    path.write_text(text, encoding="utf-8")
    try:
        sources = load_watchlist(path)
        if sources:
            Watcher(sources, Store(f"sqlite:///{path.parent / 'w.db'}"), Fetcher(), ReadOptions(), print)
    except ConfigError as exc:
        assert exc.code == "T103" and (str(path) in str(exc) or "twice" in str(exc)), exc
    else:
        for s in sources:
            assert isinstance(s.every, float) and math.isfinite(s.every) and 0 < s.every <= MAX_EVERY
            assert isinstance(s.fetch, bool)
    fuzz_cases["watch: watch lists"] += 1


@settings(max_examples=scaled(300), deadline=None)
@given(every=st.one_of(st.floats(), st.integers(-5, 10**12), st.booleans()), url=st.sampled_from(URLS),
       kind=st.sampled_from([FEED, FOLDER, "podcast"]))
def test_sources_given_on_the_command_line_are_checked_too(fuzz_cases: Counter[str], every: float, url: str,
                                                           kind: str) -> None:
    try:
        s = checked(Watched(kind, url, every))
    except ConfigError as exc:
        assert exc.code == "T103" and repr(url) in str(exc)
    else:
        assert math.isfinite(s.every) and 0 < s.every <= MAX_EVERY and kind in (FEED, FOLDER)
    fuzz_cases["watch: sources"] += 1


def test_a_source_listed_twice_is_refused(tmp_path: Path) -> None:
    feed = Watched(FEED, "https://example.org/feed.xml", 60)
    with pytest.raises(ConfigError, match="listed twice"):
        Watcher([feed, feed], Store(str(tmp_path / "w.db")), Fetcher(), ReadOptions(), print)


@pytest.mark.parametrize("every", ["nan", "inf", "true", "0", "-5", "1e400"])
def test_an_interval_that_is_no_number_of_seconds_is_refused(tmp_path: Path, every: str) -> None:
    # found by this file: nan was taken (the watcher then spun without polling), inf made Event.wait raise
    # OverflowError, and true was read as one second
    path = tmp_path / "watch.toml"
    path.write_text(f'[[feed]]\nurl = "https://example.org/feed.xml"\nevery = {every}\n')
    with pytest.raises(ConfigError, match="every must be"):
        load_watchlist(path)


@pytest.mark.parametrize("path", ["/feed-dup-links", "/feed-as-png", "/feed-undecodable", "/loop", "/gzip-bad",
                                  "/bad-location/12", "/etag-latin1", "/html-as-png", "/huge-endless", "/hangup",
                                  "/status-garbage", "/retry-after/1", "/not-modified", "/no-content"])
@pytest.mark.parametrize("fetch", [False, True])
def test_polling_a_hostile_feed_never_raises(hostile: HostileSite, tmp_path: Path, fuzz_cases: Counter[str],
                                             path: str, fetch: bool) -> None:
    hostile.robots = b""
    lines: list[str] = []
    policy = FetchPolicy(per_host_interval=0, timeout=0.5, retries=0, max_wait=1, max_seconds=1, max_bytes=1 << 20)
    with Fetcher(policy) as fetcher:
        source = Watched(FEED, hostile.url(path), 60, fetch)
        watcher = Watcher([source], Store(str(tmp_path / "w.db")), fetcher, ReadOptions(), lines.append)
        for _ in range(2):                             # the second poll sees the state the first one left
            lines.append(watcher.poll(source).line())
    assert len(lines) == 2 and all(hostile.url(path) in line for line in lines)
    fuzz_cases["watch: hostile feeds"] += 1
