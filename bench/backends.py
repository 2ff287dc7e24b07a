"""Ingest and export times on SQLite and PostgreSQL, on the same corpus.

    .venv/bin/python bench/backends.py                                # the demo corpus in examples/
    .venv/bin/python bench/backends.py ../shared/benchmarks/ready/gva-dev.articles.jsonl
    TALLY_TEST_PG=postgresql+psycopg://tally@127.0.0.1:5432/postgres .venv/bin/python bench/backends.py ...

PostgreSQL runs when TALLY_TEST_PG (or --pg) names a server where the role may CREATE DATABASE; a database
is created for the run and dropped after. Prints a Markdown table: seconds to ingest, to re-ingest the same
input (nothing changes), and to build and render each export of the incidents, with its size; and whether the
two backends gave byte-identical exports.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from tally.pipeline import ingest
from tally.readout import formats, ledger
from tally.store.db import Store

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as tmp:
        yield f"sqlite:///{tmp}/bench.db"


@contextlib.contextmanager
def postgres_url(admin: str) -> Iterator[str]:
    name = f"tally_bench_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as cx:
        cx.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.engine.make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as cx:
            cx.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def measure(url: str, paths: list[str]) -> tuple[dict[str, float], dict[str, bytes]]:
    times: dict[str, float] = {}
    started = time.perf_counter()
    summary = ingest(paths, Store(url))
    times["ingest"] = time.perf_counter() - started
    times["reports"], times["incidents"] = summary.read, summary.incidents_created + summary.incidents_kept
    started = time.perf_counter()
    ingest(paths, Store(url))
    times["re-ingest"] = time.perf_counter() - started
    files = {}
    for fmt in formats.EXPORTS:
        started = time.perf_counter()
        files[fmt] = formats.render(fmt, ledger.incidents(Store(url)), "incidents")
        times[f"export {fmt}"] = time.perf_counter() - started
    return times, files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "examples/reports.jsonl"), str(ROOT / "examples/txt")])
    parser.add_argument("--pg", default=os.environ.get("TALLY_TEST_PG"), help="admin URL of a PostgreSQL server")
    args = parser.parse_args()
    backends = {"sqlite": sqlite_url()}
    if args.pg:
        backends["postgresql"] = postgres_url(args.pg)
    with sqlite_url() as url:  # load spaCy, the gazetteer and pyarrow once, outside the timings
        measure(url, [str(ROOT / "tests/fixtures/ledger/reports.jsonl")])
    results = {}
    for name, url_cm in backends.items():
        with url_cm as url:
            results[name] = measure(url, args.paths)
    names = list(results)
    print(f"corpus: {', '.join(Path(p).name for p in args.paths)}; "
          f"{int(results['sqlite'][0]['reports'])} reports, {int(results['sqlite'][0]['incidents'])} incidents\n")
    print("| step | " + " | ".join(f"{n} (s)" for n in names) + " | size |")
    print("|---|" + "---|" * (len(names) + 1))
    for step in results["sqlite"][0]:
        if step in ("reports", "incidents"):
            continue
        fmt = step.removeprefix("export ")
        size = f"{len(results['sqlite'][1][fmt]) / 1024:.0f} KiB" if step.startswith("export") else ""
        print(f"| {step} | " + " | ".join(f"{results[n][0][step]:.2f}" for n in names) + f" | {size} |")
    if len(names) == 2:
        same = [f for f in formats.EXPORTS if f != "parquet" and results[names[0]][1][f] == results[names[1]][1][f]]
        print(f"\nidentical exports on both backends: {', '.join(same)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
