"""Keep feeds and folders under watch: poll each on its own schedule and put new reports into the ledger.

A feed is polled with a conditional request (the ETag / Last-Modified of its last answer), its new entries
(by id, remembered across restarts in the database) are read, and stored at once with the ledger rebuilt;
a folder is scanned for files it has not seen (by path, size and modification time). One line is logged per
poll. ``Watcher.run(stop)`` returns when ``stop`` is set, after the report being stored.
"""
from __future__ import annotations

import datetime as dt
import math
import threading
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterator

from tally.errors import ConfigError, SourceError
from tally.models import RawArticle, Rejected
from tally.pipeline import RunSummary, ingest_items
from tally.sources.codes import FETCH_FAILED, ROBOTS
from tally.sources.feeds import FeedEntry, entry_article, parse_feed
from tally.sources.fetch import Fetcher, url_problem
from tally.sources.files import passed_over, read_paths
from tally.sources.options import ReadOptions
from tally.store.db import Store
from tally.store.watch_state import Validators, WatchState

FEED = "feed"
FOLDER = "folder"
SETTLE_SECONDS = 1.0        # a file changed more recently than this may still be being written: next poll
TRANSIENT = (FETCH_FAILED, ROBOTS)
CHUNK = 10                  # feed entries or files stored between two rebuilds of the ledger
MAX_EVERY = 7 * 24 * 3600.0  # the longest poll interval: a week


@dataclass(frozen=True, slots=True)
class Watched:
    kind: str                   # feed | folder
    target: str                 # URL or folder path
    every: float                # seconds between polls
    fetch: bool = False         # feeds: download each new entry's page


@dataclass(frozen=True, slots=True)
class Poll:
    source: Watched
    status: str                 # "200", "304 not modified", "error: ..."
    found: int                  # entries or files
    fresh: int                  # not seen before
    summary: RunSummary | None
    seconds: float

    def line(self) -> str:
        stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        s = self.summary
        stored = (f"; new {s.new}, updated {s.updated}, copies {s.copies}, rejected {sum(s.rejected.values())}, "
                  f"claims {s.claims}, incidents {s.incidents_created + s.incidents_kept}") if s else ""
        return (f"{stamp} {self.source.kind} {self.source.target}: {self.status}, {self.found} found, "
                f"{self.fresh} new{stored} ({self.seconds:.1f} s)")


def load_watchlist(path: Path) -> list[Watched]:
    """``[[feed]] url = ... every = 300 fetch = true`` and ``[[folder]] path = ... every = 60`` tables."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the watch list: {exc}", code="T103") from exc
    out = []
    for kind, key in ((FEED, "url"), (FOLDER, "path")):
        for n, table in enumerate(doc.get(kind, []), 1):
            if not isinstance(table, dict) or not isinstance(table.get(key), str):
                raise ConfigError(f"{path}: [[{kind}]] number {n} needs a {key} = \"...\" line", code="T103")
            fetch = table.get("fetch", False)
            if not isinstance(fetch, bool):
                raise ConfigError(f"{path}: [[{kind}]] {table[key]}: fetch must be true or false", code="T103")
            out.append(checked(Watched(kind, table[key], table.get("every", 300), fetch), f"{path}: "))
    return out


def checked(source: Watched, where: str = "") -> Watched:
    """``source`` with its interval as a float, or a ConfigError (T103) saying what is wrong with it: an
    interval that is not a number of seconds between 0 and a week (nan, inf, true, "300"), a feed URL that
    cannot be fetched (see fetch.url_problem), an empty folder path."""
    what = f"{where}[[{source.kind}]] {source.target!r}"
    every = source.every
    if isinstance(every, bool) or not isinstance(every, (int, float)) or not math.isfinite(every) \
            or not 0 < every <= MAX_EVERY:
        raise ConfigError(f"{what}: every must be a number of seconds above 0 and at most {MAX_EVERY:g} (a week), "
                          f"not {every!r}", code="T103")
    if source.kind not in (FEED, FOLDER) or not isinstance(source.target, str):
        raise ConfigError(f"{what}: not a feed URL or a folder path", code="T103")
    problem = url_problem(source.target) if source.kind == FEED else (
        "empty or not printable" if not source.target.strip() or not source.target.isprintable() else None)
    if problem:
        raise ConfigError(f"{what}: {problem}", code="T103")
    return replace(source, every=float(every))


class Watcher:
    def __init__(self, sources: list[Watched], store: Store, fetcher: Fetcher, options: ReadOptions,
                 log_line: Callable[[str], None]) -> None:
        if not sources:
            raise ConfigError("nothing to watch: give --feed URL, --folder PATH or a --config file", code="T103")
        sources = [checked(s) for s in sources]
        twice = sorted(target for (_kind, target), n in Counter((s.kind, s.target) for s in sources).items() if n > 1)
        if twice:
            raise ConfigError(f"listed twice in the watch list: {', '.join(twice)}", code="T103")
        self.sources = sources
        self.store = store
        self.state = WatchState(store.engine)
        self.fetcher = fetcher
        self.options = replace(options, fetcher=fetcher)
        self.log_line = log_line
        self.stop = threading.Event()

    def run(self, stop: threading.Event | None = None, *, polls: int | None = None) -> None:
        """Poll until ``stop`` is set (or, for tests and cron, after ``polls`` rounds)."""
        if stop is not None:
            self.stop = stop
        due = {i: 0.0 for i in range(len(self.sources))}
        rounds = 0
        while not self.stop.is_set():
            for i, source in enumerate(self.sources):
                if due[i] <= time.monotonic() and not self.stop.is_set():
                    self.log_line(self.poll(source).line())
                    due[i] = time.monotonic() + source.every
            rounds += 1
            if polls is not None and rounds >= polls:
                return
            self.stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    def poll(self, source: Watched) -> Poll:
        started = time.monotonic()
        try:
            status, found, fresh, summary = (self._poll_feed(source) if source.kind == FEED
                                             else self._poll_folder(source))
        except SourceError as exc:
            status, found, fresh, summary = f"error: {exc}", 0, 0, None
        return Poll(source, status, found, fresh, summary, time.monotonic() - started)

    # ------------------------------------------------------------------ feeds
    def _poll_feed(self, source: Watched) -> tuple[str, int, int, RunSummary | None]:
        before = self.state.validators(source.target)
        got = self.fetcher.get(source.target, etag=before.etag, last_modified=before.last_modified)
        if got.status == 304:
            self.state.save_validators(source.target, before)
            return "304 not modified", 0, 0, None
        entries = parse_feed(got.content, source.target, got.url)
        seen = self.state.seen(source.target)
        fresh = [e for e in entries if e.key not in seen]
        taken: list[str] = []
        opts = replace(self.options, fetch_pages=source.fetch)

        def items(chunk: list[FeedEntry]) -> Iterator[RawArticle | Rejected]:
            for entry in chunk:
                if self.stop.is_set():
                    return
                item = entry_article(entry, opts)
                if not (isinstance(item, Rejected) and item.code in TRANSIENT):   # a failed fetch is retried
                    taken.append(entry.key)
                if item is not None:
                    yield item

        summary = None
        for start in range(0, len(fresh), CHUNK):      # the ledger is rebuilt after each few reports
            if self.stop.is_set():
                break
            done = ingest_items(items(fresh[start:start + CHUNK]), self.store)
            self.state.mark_seen(source.target, taken)
            summary = done if summary is None else _absorbed(summary, done)
        self.state.save_validators(source.target, Validators(got.etag, got.last_modified))
        return str(got.status), len(entries), len(fresh), summary

    # ------------------------------------------------------------------ folders
    def _poll_folder(self, source: Watched) -> tuple[str, int, int, RunSummary | None]:
        folder = Path(source.target)
        if not folder.is_dir():
            raise SourceError(source.target, "no such folder")
        files = _files(folder, self.options)
        seen = self.state.seen(source.target)
        settled = time.time() - SETTLE_SECONDS
        fresh = [(p, sig) for p, sig, mtime in files if sig not in seen and mtime <= settled]
        summary = None
        for start in range(0, len(fresh), CHUNK):
            if self.stop.is_set():
                break
            chunk = fresh[start:start + CHUNK]
            done = ingest_items(read_paths([str(p) for p, _sig in chunk], options=self.options), self.store)
            self.state.mark_seen(source.target, [sig for _p, sig in chunk])
            summary = done if summary is None else _absorbed(summary, done)
        return "scanned", len(files), len(fresh), summary


def _absorbed(summary: RunSummary, later: RunSummary) -> RunSummary:
    summary.absorb(later)
    return summary


def _files(folder: Path, options: ReadOptions) -> list[tuple[Path, str, float]]:
    """Every report file under ``folder`` (hidden ones and non-reports passed over) with its signature."""
    out = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file() or passed_over(path, options):
            continue
        st = path.stat()
        out.append((path, f"{rel}|{st.st_size}|{st.st_mtime_ns}", st.st_mtime))
    return out
