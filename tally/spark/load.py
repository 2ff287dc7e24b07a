"""Load the Parquet tables written by the Spark job (tally/spark/job.py) into a ledger database.

Reads with pyarrow (no Spark needed). Reports, claims and denials replace stored ones with the same key; the
rejects are added. When the database held no other reports, the job's incidents and tallies become the
ledger as they are; otherwise the whole ledger is reconciled again here, so it covers every stored report.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import delete, func, insert, select

from tally.errors import TallyError
from tally.store import schema
from tally.store.db import Store, mark_ledger_written

CHUNK = 2000


def _rows(folder: Path, table: str) -> Iterator[list[dict[str, Any]]]:
    import pyarrow.parquet as pq

    path = folder / table
    if not path.exists():
        raise TallyError(f"{path}: no Parquet table {table!r} here; give the --out folder of `tally spark run`",
                         code="T102")
    for batch in pq.ParquetFile(path).iter_batches(CHUNK) if path.is_file() else \
            pq.read_table(path).to_batches(CHUNK):
        if batch.num_rows:
            yield batch.to_pylist()


def load(folder: Path, store: Store) -> dict[str, int]:
    """Load every table; returns the number of rows loaded per table."""
    counts: dict[str, int] = {}
    a, c, d = schema.articles, schema.claims, schema.denials
    with store.engine.begin() as cx:
        others = cx.execute(select(func.count()).select_from(a)).scalar() or 0
        seq_base = cx.execute(select(func.max(a.c.seq))).scalar() or 0
        claim_base = cx.execute(select(func.max(c.c.seq))).scalar() or 0
        for rows in _rows(folder, "articles"):
            keys = [r["key"] for r in rows]
            others -= cx.execute(select(func.count()).select_from(a).where(a.c.key.in_(keys))).scalar() or 0
            for t, col in ((c, c.c.article), (d, d.c.article), (a, a.c.key)):
                cx.execute(delete(t).where(col.in_(keys)))
            cx.execute(insert(a), [{**r, "seq": r["seq"] + seq_base} for r in rows])
            counts["articles"] = counts.get("articles", 0) + len(rows)
        for table, shift in (("claims", claim_base), ("denials", None), ("rejects", None)):
            for rows in _rows(folder, table):
                if table == "rejects":
                    cx.execute(delete(schema.rejects).where(schema.rejects.c.origin.in_([r["origin"] for r in rows])))
                if shift is not None:
                    rows = [{**r, "seq": r["seq"] + shift} for r in rows]
                cx.execute(insert(schema.metadata.tables[table]), rows)
                counts[table] = counts.get(table, 0) + len(rows)
        if others == 0:
            for t in (schema.incident_claims, schema.incidents, schema.tallies):
                cx.execute(delete(t))
            for table in ("incidents", "incident_claims", "tallies"):
                for rows in _rows(folder, table):
                    cx.execute(insert(schema.metadata.tables[table]), rows)
                    counts[table] = counts.get(table, 0) + len(rows)
            mark_ledger_written(cx)
    if others:
        from tally.pipeline import rebuild_ledger

        rebuild_ledger(store, reason="spark load")
    else:
        from tally.review.rebuild import record_revision

        record_revision(store, "spark load")  # the loaded ledger is a revision, as a rebuild's is
    return counts
