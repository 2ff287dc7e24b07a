"""`tally spark run` (the pipeline as a Spark job, to Parquet) and `tally spark load` (Parquet into a database)."""
from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Sequence

import click

from tally.errors import TallyError


@click.group()
def spark() -> None:
    """Run Tally on Apache Spark (needs the extra: pip install 'tally[spark]')."""


@spark.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", required=True, help="Folder for the Parquet tables (local, hdfs://, s3a://).")
@click.option("--master", default="local[2]", show_default=True,
              help="Spark master: local[N] for N cores here, or a cluster's (spark://..., yarn, k8s://...).")
def run(inputs: Sequence[str], out: str, master: str) -> None:
    """Read INPUTS (JSON Lines, WARC; local text files), run every stage over Spark partitions, write Parquet."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:   # pyspark missing
        raise click.ClickException(f"{exc}: install the extra with pip install 'tally[spark]'") from exc
    from tally.spark.job import run as job, session

    started = time.monotonic()
    spark_session = session(master)
    try:
        counts = job(spark_session, inputs, out)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        spark_session.stop()
    click.echo(json.dumps({**counts, "seconds": round(time.monotonic() - started, 1)}))


@spark.command()
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--db", envvar="TALLY_DB", default=None, metavar="PATH|URL",
              help="Database file or URL (default tally.db; env TALLY_DB).")
def load(folder: Path, db: str | None) -> None:
    """Load the Parquet tables of `tally spark run` into the ledger database."""
    from tally.spark.load import load as load_tables
    from tally.store.db import Store

    try:
        counts = load_tables(folder, Store(db))
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(counts))
