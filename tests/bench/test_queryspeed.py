"""The query-speed benchmark on a small ledger (5,000 claims): the ledger is what it says, the load generator asks
every request type of a real `tally serve` and counts right, and the report section shows it. Timings are not
asserted (a shared machine makes them anything); the 1M-claim run is `python -m bench --queries 1000000`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
import sqlalchemy as sa

from bench import bigledger, loadgen, queryspeed
from tally.readout import query
from tally.readout.query import IncidentQuery
from tally.store import schema
from tally.store.db import Store

ROOT = Path(__file__).resolve().parents[2]
SIZE = 5000


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setattr(bigledger, "CACHE", tmp_path / "cache")
    if request.param == "sqlite":
        yield bigledger.build(SIZE, seed=3, log=lambda _m: None)
        return
    admin = os.environ.get("TALLY_TEST_PG")
    if not admin:
        pytest.skip("PostgreSQL needs TALLY_TEST_PG (see tests/conftest.py)")
    url = bigledger.build(SIZE, seed=3, pg=admin, log=lambda _m: None)
    try:
        yield url
    finally:
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as cx:
            cx.execute(sa.text(f'DROP DATABASE IF EXISTS "{bigledger.ledger_name(SIZE, 3)}" WITH (FORCE)'))
        engine.dispose()


def test_the_big_ledger_holds_what_it_says_and_is_built_once(ledger_url: str) -> None:
    store = Store(ledger_url)
    with store.engine.connect() as cx:
        claims = cx.execute(sa.select(sa.func.count()).select_from(schema.claims)).scalar()
        linked = cx.execute(sa.select(sa.func.count()).select_from(schema.incident_claims)).scalar()
        countries = cx.execute(sa.select(sa.func.count(sa.distinct(schema.incidents.c.country)))).scalar()
        years = {d.year for d in cx.execute(sa.select(schema.incidents.c.date_from)).scalars()}
    page = query.incidents(store, IncidentQuery(limit=1))
    assert SIZE <= claims < SIZE + 100 and 0.8 * SIZE < linked <= claims   # each claim once; tally claims apart
    assert SIZE / 8 < page.total < SIZE / 4 and countries >= 8 and len(years) >= 8
    assert query.tallies(store) and query.claims(store, incident=page.rows[0]["id"])
    assert query.all_incidents(store, IncidentQuery(q="beledweyne", limit=1000))  # the text index is filled
    store.engine.dispose()
    before = _fingerprint(ledger_url)
    assert bigledger.build(SIZE, seed=3, pg=os.environ.get("TALLY_TEST_PG") if "postgresql" in ledger_url else None,
                           log=lambda m: pytest.fail(f"built again: {m}")) == ledger_url
    assert _fingerprint(ledger_url) == before


def _fingerprint(url: str) -> list[tuple[str, str]]:
    engine = sa.create_engine(url)
    with engine.connect() as cx:
        rows = cx.execute(sa.select(schema.incidents.c.id, schema.incidents.c.doc)
                          .order_by(schema.incidents.c.id).limit(20)).all()
    engine.dispose()
    return [tuple(r) for r in rows]


def test_the_load_generator_asks_every_request_type_and_counts_right(ledger_url: str) -> None:
    res = loadgen.run(ledger_url, requests=66, seconds=120, clients=2, seed=5)
    assert res["requests"] == 66 and res["errors"] == 0 and res["incidents"] > 0
    assert sum(t["n"] for t in res["types"].values()) == res["all"]["n"] == 66
    for name, t in res["types"].items():
        if t["n"]:
            assert t["p50"] <= t["p95"] <= t["p99"], name
            assert 0 <= t["db_p50"] <= t["db_p95"], name   # the server's Server-Timing header was read
    assert res["server_cpu_seconds"] > 0 and res["seconds"] > 0
    costs = loadgen.cpu_costs(ledger_url, per_type=2)
    assert set(costs) == set(loadgen.MIX) and all(c["cpu_p50"] > 0 for c in costs.values())


def test_a_run_bounded_by_seconds_stops_in_time(ledger_url: str) -> None:
    res = loadgen.run(ledger_url, requests=10 ** 6, seconds=1.5, clients=1)
    assert 0 < res["requests"] < 10 ** 6 and res["seconds"] < 30


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert [loadgen.percentile(values, p) for p in (50, 95, 99, 100)] == [50.0, 95.0, 99.0, 100.0]
    assert loadgen.percentile([7.0], 95) == 7.0


def test_the_report_section_gives_medians_and_the_verdict() -> None:
    def run(p95: float) -> dict:
        t = {"n": 10, "errors": 0, "p50": 10.0, "p95": p95, "p99": p95 + 1, "db_p50": 2.0, "db_p95": 4.0}
        return {"requests": 20, "seconds": 3.0, "clients": 2, "server_cpu_seconds": 1.0, "client_cpu_seconds": 0.5,
                "load": 1.5, "bound_requests": 20, "bound_seconds": 60.0, "incidents": 900,
                "types": {"list: date range": t, "incident (JSON)": {**t, "p95": 20.0}}, "all": t}
    queries = {"sqlite": {"claims": 5000, "incidents": 900, "runs": [run(40.0), run(80.0), run(60.0)],
                          "cpu": {"list: date range": {"cpu_p50": 3.0, "cpu_p95": 5.0}}}}
    text = "\n".join(queryspeed.section(queries, "python -m bench --queries 5000"))
    assert "### sqlite: 5,000 claims, 900 incidents" in text and "python -m bench --queries 5000" in text
    assert "| list: date range | 10 | 10.0 | 60.0 | 61.0 | 2.0 | 4.0 | 0 | 3.0 | 5.0 |" in text   # median of 3
    assert "met by 1 of 2 request types; missed by list: date range" in text
    assert "CPU per request p95 5 ms" in text


@pytest.mark.slow
def test_python_m_bench_queries_writes_the_section(tmp_path: Path) -> None:
    out = tmp_path / "PERFORMANCE.md"
    env = {**os.environ, "TALLY_BENCH_CACHE": str(tmp_path / "cache")}
    r = subprocess.run([sys.executable, "-m", "bench", "--sizes", "", "--queries", "2000", "--queries-runs", "1",
                        "--queries-requests", "30", "--queries-seconds", "30", "--out", str(out)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    report = out.read_text()
    assert "## Query speed" in report and "### sqlite: 2,000 claims" in report and "| all | 30 |" in report
    assert (tmp_path / "PERFORMANCE.json").exists()
