"""The per-report stages (clean; extract) over a pool of worker processes.

Cleaning and extracting one report needs nothing from any other report, so a batch is split over
``workers()`` processes (``TALLY_WORKERS``, default: every core). Everything that needs the whole batch or
the store (finding copies, writing, reconciling) stays in the calling process. Results come back in input
order, so the ledger is the same with 1 or N workers.

The pool is made with ``fork`` after the gazetteer, sentence splitter and language model are loaded, so
workers share them instead of loading them again. Small batches run in the calling process: starting a pool
costs more than it saves there.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from collections import Counter
from dataclasses import dataclass
from multiprocessing.pool import Pool
from typing import Callable, Iterator, Sequence, TypeVar

from tally.errors import TallyError
from tally.models import Claim, CleanArticle, Denial, RawArticle

__all__ = ["Analysis", "CleanFailure", "Workers", "workers", "STAGE_SECONDS"]

MIN_PARALLEL = 16        # reports in a batch below which the pool is not worth it
ANALYSE_GROUP = 25       # reports whose sentences a worker parses in one batch
ENV = "TALLY_WORKERS"

# Seconds spent in each per-report stage, summed over the workers; read by bench/ to report time per stage.
STAGE_SECONDS: Counter[str] = Counter()

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class CleanFailure:
    """A report that cleaning refused, with the error's code and message (exceptions do not always pickle)."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """What extraction made of one report, ready to store."""

    signature: bytes
    region: tuple[str | None, str | None]
    claims: tuple[Claim, ...]
    denials: tuple[Denial, ...]


def workers() -> int:
    raw = os.environ.get(ENV)
    if raw is None or raw == "":
        return os.cpu_count() or 1
    try:
        n = int(raw)
    except ValueError:
        raise TallyError(f"{ENV}={raw!r} is not a number of worker processes (use e.g. {ENV}=2)",
                         code="T101") from None
    if n < 1:
        raise TallyError(f"{ENV}={raw!r}: need at least 1 worker process", code="T101")
    return n


def clean_one(raw: RawArticle) -> tuple[CleanArticle | CleanFailure, float]:
    from tally.stages.clean import clean

    started = time.perf_counter()
    try:
        art: CleanArticle | CleanFailure = clean(raw)
    except (TallyError, ValueError) as exc:
        art = CleanFailure(getattr(exc, "code", "T300"), str(exc))
    return art, time.perf_counter() - started


def analyse_one(art: CleanArticle, split: list[tuple[int, str]] | None = None) -> tuple[Analysis, float, float]:
    from tally.stages.dedupe import signature, signature_bytes
    from tally.stages.extract.aggregates import mark_aggregates
    from tally.stages.extract.claims import extract
    from tally.stages.extract.geo import PlaceFinder

    started = time.perf_counter()
    finder = PlaceFinder(art.text)
    result = extract(art, finder, split)
    claims = mark_aggregates(result.claims)
    extracted = time.perf_counter()
    sig = signature_bytes(signature(art.text))
    done = Analysis(sig, finder.region, tuple(claims), tuple(result.denials))
    return done, extracted - started, time.perf_counter() - extracted


def analyse_many(arts: Sequence[CleanArticle]) -> list[tuple[Analysis, float, float]]:
    """``analyse_one`` over several reports, their candidate sentences parsed in one batch first (the time of
    that goes to the first report)."""
    from tally.stages.extract.claims import prepare

    started = time.perf_counter()
    splits = prepare(arts)
    out = [analyse_one(art, split) for art, split in zip(arts, splits)]
    if out:
        done, extract_s, signature_s = out[0]
        out[0] = done, extract_s + time.perf_counter() - started - sum(e + s for _d, e, s in out), signature_s
    return out


def _warm() -> None:
    """Load the shared read-only models once, before forking, so workers inherit them."""
    from tally.stages.clean import _language
    from tally.stages.extract.claims import sentences
    from tally.stages.extract.gazetteer import Gazetteer

    Gazetteer.load()
    list(sentences("Warm up. The splitter."))
    _language("warm up the language model")


class Workers:
    """``with Workers() as w: w.clean(raws); w.analyse(arts)`` -- a process pool made on first need."""

    def __init__(self, processes: int | None = None) -> None:
        self.processes = processes if processes is not None else workers()
        self._pool: Pool | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None

    def _map(self, fn: Callable[[T], R], items: Sequence[T], parallel: bool | None = None) -> Iterator[R]:
        """``fn`` over ``items``, results in input order as they come (the caller may work on the first ones
        while the workers still run the rest)."""
        if parallel is None:
            parallel = self.processes > 1 and len(items) >= MIN_PARALLEL
        if not parallel:
            return (fn(x) for x in items)
        if self._pool is None:
            _warm()
            self._pool = mp.get_context("fork").Pool(self.processes)
        chunk = max(1, len(items) // (4 * self.processes))
        return self._pool.imap(fn, items, chunksize=chunk)

    def clean_ahead(self, raws: Sequence[RawArticle]) -> Iterator[tuple[CleanArticle | CleanFailure, float]]:
        """Start cleaning ``raws`` on the workers now (they work while the caller does something else);
        ``clean(raws, started)`` collects the results. With no pool, cleaning happens when collected."""
        return self._map(clean_one, raws)

    def clean(self, raws: Sequence[RawArticle],
              started: Iterator[tuple[CleanArticle | CleanFailure, float]] | None = None
              ) -> list[CleanArticle | CleanFailure]:
        """The cleaned reports (or why cleaning refused one), in order; ``started`` from ``clean_ahead(raws)``."""
        out = []
        for art, seconds in started if started is not None else self._map(clean_one, raws):
            STAGE_SECONDS["clean"] += seconds
            out.append(art)
        return out

    def analyse(self, arts: Sequence[CleanArticle]) -> Iterator[Analysis]:
        """The analysis of each report, in order, as they come (reports go to the workers in groups of
        ``ANALYSE_GROUP`` or fewer, so each worker parses many reports' sentences at once)."""
        parallel = self.processes > 1 and len(arts) >= MIN_PARALLEL
        size = max(1, min(ANALYSE_GROUP, len(arts) // (4 * self.processes))) if parallel else ANALYSE_GROUP
        groups = [arts[i:i + size] for i in range(0, len(arts), size)]
        for group in self._map(analyse_many, groups, parallel):
            for done, extract_s, signature_s in group:
                STAGE_SECONDS["extract"] += extract_s
                STAGE_SECONDS["signature"] += signature_s
                yield done
