"""`tally watch`: feeds polled with conditional requests, folders scanned, state kept across restarts."""
from __future__ import annotations

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_feeds import CONVOY, MARKET, rss
from webserver import Route, Site

from tally.cli import main
from tally.errors import ConfigError
from tally.sources.fetch import Fetcher, FetchPolicy
from tally.sources.options import ReadOptions
from tally.sources.watch import FEED, FOLDER, Watched, Watcher, load_watchlist
from tally.store.db import Store

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"


def _keys(db: Path) -> list[str]:
    out = CliRunner().invoke(main, ["articles", "--db", str(db), "--format", "jsonl"]).output
    return sorted(json.loads(x)["key"] for x in out.splitlines())


def _watcher(db: Path, *sources: Watched, lines: list[str]) -> Watcher:
    fetcher = Fetcher(FetchPolicy(per_host_interval=0))
    return Watcher(list(sources), Store(str(db)), fetcher, ReadOptions(), lines.append)


def test_feed_is_polled_conditionally_and_new_entries_go_in_at_once(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    site.routes["/feed.xml"] = Route(rss(site.base, CONVOY), "application/rss+xml", etag='"v1"')
    feed = Watched(FEED, site.url("/feed.xml"), every=60)
    lines: list[str] = []
    _watcher(db, feed, lines=lines).run(polls=1)
    assert _keys(db) == [site.url(CONVOY[1])]
    assert len(lines) == 1 and ": 200, 1 found, 1 new; new 1" in lines[0]

    again = _watcher(db, feed, lines=lines)            # a restart: the ETag and the seen entries are remembered
    again.run(polls=1)
    assert site.hits[-1].headers.get("If-None-Match") == '"v1"' and "304 not modified" in lines[-1]

    site.routes["/feed.xml"] = Route(rss(site.base, MARKET, CONVOY), "application/rss+xml", etag='"v2"')
    again.run(polls=1)
    assert "2 found, 1 new; new 1" in lines[-1]
    assert _keys(db) == sorted([site.url(CONVOY[1]), site.url(MARKET[1])])


def test_feed_that_fails_is_logged_and_polled_again(site: Site, tmp_path: Path) -> None:
    lines: list[str] = []
    w = _watcher(tmp_path / "w.db", Watched(FEED, site.url("/gone.xml"), every=60), lines=lines)
    w.fetcher = Fetcher(FetchPolicy(per_host_interval=0, retries=0))
    w.run(polls=1)
    assert "error: [T210]" in lines[0] and "HTTP 404" in lines[0]


def test_folder_is_scanned_for_new_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(PAGES / "market.html", inbox / "market.html")
    (inbox / "README.md").write_text("notes\n")
    old = time.time() - 10
    os.utime(inbox / "market.html", (old, old))
    db = tmp_path / "w.db"
    lines: list[str] = []
    folder = Watched(FOLDER, str(inbox), every=60)
    _watcher(db, folder, lines=lines).run(polls=1)
    shutil.copy(PAGES / "convoy.html", inbox / "convoy.html")
    os.utime(inbox / "convoy.html", (old, old))
    _watcher(db, folder, lines=lines).run(polls=1)
    assert ["1 found, 1 new" in lines[0], "2 found, 1 new" in lines[1]] == [True, True]
    assert len(_keys(db)) == 2


def test_watch_list_file(tmp_path: Path) -> None:
    path = tmp_path / "watch.toml"
    path.write_text('[[feed]]\nurl = "https://wire.example/feed.xml"\nevery = 120\nfetch = true\n\n'
                    '[[folder]]\npath = "/srv/inbox"\n')
    assert load_watchlist(path) == [Watched(FEED, "https://wire.example/feed.xml", 120.0, True),
                                    Watched(FOLDER, "/srv/inbox", 300.0, False)]
    path.write_text('[[feed]]\nevery = 10\n')
    with pytest.raises(ConfigError, match="needs a url"):
        load_watchlist(path)


def test_watch_command_stops_cleanly_on_sigterm(site: Site, tmp_path: Path) -> None:
    site.routes["/feed.xml"] = Route(rss(site.base, CONVOY), "application/rss+xml", etag='"v1"')
    db = tmp_path / "w.db"
    tally = Path(sys.executable).with_name("tally")
    proc = subprocess.Popen([str(tally), "watch", "--db", str(db), "--feed", site.url("/feed.xml"), "--every", "0.5"],
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stderr], daemon=True)  # type: ignore
    reader.start()
    try:
        seen = [lines.get(timeout=120) for _ in range(2)]      # two polls: one with the entry, one 304
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    reader.join(timeout=10)
    rest = "".join(lines.queue)
    assert proc.returncode == 0
    assert "1 new; new 1" in seen[0] and "304 not modified" in seen[1]
    assert "SIGTERM: stopping" in rest and rest.rstrip().endswith("watch stopped")
    assert _keys(db) == [site.url(CONVOY[1])]


def test_many_new_files_go_in_a_few_at_a_time_and_are_summed(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    old = time.time() - 10
    for n in range(12):
        path = inbox / f"r{n:02d}.txt"
        path.write_text(f"{n + 2} soldiers were wounded near Kidal on day {n}, the army said in a statement.\n")
        os.utime(path, (old, old))
    db = tmp_path / "w.db"
    lines: list[str] = []
    _watcher(db, Watched(FOLDER, str(inbox), every=60), lines=lines).run(polls=1)
    assert "12 found, 12 new; new 12," in lines[0]
    assert len(_keys(db)) == 12
