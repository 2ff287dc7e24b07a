"""Latency of the JSON API and the pages on a large ledger: the demo corpus's incidents copied N times.

    .venv/bin/python bench/web_latency.py                  # 20,000 incidents, 20 requests per endpoint
    .venv/bin/python bench/web_latency.py --incidents 100000 --repeats 10 --db postgresql+psycopg://...

The demo corpus (examples/) is ingested by the real pipeline, then its incidents are copied with new ids and
dates shifted by whole weeks, so filters, sorting, paging and statistics work on realistic records. Requests go
through FastAPI's TestClient in this process (no network), one at a time; figures are milliseconds.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import delete, insert, select

ROOT = Path(__file__).resolve().parents[1]
ENDPOINTS = [
    "/api/incidents?limit=50",
    "/api/incidents?country=Syria&sort=killed&order=desc&limit=50",
    "/api/incidents?q=observatory&limit=50",
    "/api/incidents?category=civilian&since=2030-01-01&until=2030-12-31",
    "/api/incidents?offset=10000&limit=50",
    "/api/stats/days",
    "/api/stats/regions",
    "/incidents",
    "/map.json?country=Syria",
]


def build(db: str, copies: int) -> int:
    from tally.pipeline import ingest
    from tally.store import schema
    from tally.store.columns import filter_columns
    from tally.store.db import Store

    store = Store(db)
    ingest([str(ROOT / "examples" / "reports.jsonl"), str(ROOT / "examples" / "txt")], store)
    t = schema.incidents
    with store.engine.begin() as cx:
        base = [dict(r) for r in cx.execute(select(t)).mappings()]
        cx.execute(delete(t).where(t.c.id.like("inc-x%")))
        batch = []
        for k in range(1, copies):
            shift = dt.timedelta(weeks=k)
            for row in base:
                doc = json.loads(row["doc"])
                doc["id"] = f"inc-x{k:06d}{row['id'][4:10]}"
                for f in ("date_from", "date_to"):
                    if doc.get(f):
                        doc[f] = (dt.date.fromisoformat(doc[f]) + shift).isoformat()
                batch.append({**row, "id": doc["id"], "doc": json.dumps(doc),
                              "date_from": row["date_from"] and row["date_from"] + shift,
                              "date_to": row["date_to"] and row["date_to"] + shift, **filter_columns(doc)})
            if len(batch) >= 5000:
                cx.execute(insert(t), batch)
                batch = []
        if batch:
            cx.execute(insert(t), batch)
        return len(base) * copies


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--incidents", type=int, default=20000, help="about this many incidents (default 20000)")
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--db", help="database URL (default: a new SQLite file in a temporary folder)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from fastapi.testclient import TestClient

    from tally.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        started = time.perf_counter()
        n = build(db, max(1, args.incidents // 27))
        print(f"ledger: {n} incidents built in {time.perf_counter() - started:.1f} s ({db if args.db else 'SQLite'})")
        with TestClient(create_app(db)) as client:
            print(f"\n| request | median ms | p95 ms |\n|---|---:|---:|")
            for url in ENDPOINTS:
                times = []
                for _ in range(args.repeats):
                    t0 = time.perf_counter()
                    res = client.get(url)
                    times.append((time.perf_counter() - t0) * 1000)
                    assert res.status_code == 200, (url, res.status_code, res.text[:200])
                times.sort()
                p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
                print(f"| `{url}` | {statistics.median(times):.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
