"""Query speed of `tally serve` on a large ledger: the "Query speed" section of docs/PERFORMANCE.md.

    python -m bench --sizes '' --queries 1000000 --queries-pg postgresql+psycopg://tally@127.0.0.1:5432/postgres \\
        --queries-runs 3 --queries-requests 2000 --queries-seconds 120 --keep

For each backend: the synthetic ledger of bench/bigledger.py (built once, then cached), then ``runs`` runs of the
load generator (bench/loadgen.py: its own server process on loopback, a mix of filtered incident lists and
incident pages, bounded by ``requests`` and ``seconds``). Each figure in the report is the median over the runs.
The target (issue 6): the filtered incident list and the incident page at p95 < 50 ms on 1M claims.
"""
from __future__ import annotations

import statistics
from typing import Any, Callable

from bench import bigledger, loadgen

TARGET_MS = 50.0
INCIDENT_TYPES = ("incident (JSON)", "incident page (HTML)")


def measure(size: int, pg: str | None = None, runs: int = 3, requests: int = 2000, seconds: float = 120.0,
            clients: int = 2, seed: int = 1, log: Callable[[str], Any] = print) -> dict[str, Any]:
    """{backend: {"runs": [loadgen results], "claims", "incidents"}} for SQLite and, given ``pg``, PostgreSQL."""
    out: dict[str, Any] = {}
    for backend, admin in (("sqlite", None), ("postgresql", pg)):
        if backend == "postgresql" and not pg:
            continue
        url = bigledger.build(size, seed, admin, log=log)
        claims = bigledger.claims(url)
        results = []
        for r in range(runs):
            res = loadgen.run(url, requests, seconds, clients, seed + r)
            log(f"queries, {backend}, run {r + 1}: {res['requests']} requests in {res['seconds']:.0f} s, "
                f"p95 {res['all']['p95']:.1f} ms, server CPU {res['server_cpu_seconds']:.0f} s, load {res['load']:.1f}")
            results.append(res)
        costs = loadgen.cpu_costs(url, seed=seed)
        log(f"queries, {backend}: CPU per request " + ", ".join(f"{k} {v['cpu_p50']:.0f} ms" for k, v in costs.items()))
        out[backend] = {"claims": claims, "incidents": results[0]["incidents"], "runs": results, "cpu": costs}
    return out


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per request type (and "all"): the median over the runs of each figure."""
    names = [*runs[0]["types"], "all"]
    out: dict[str, dict[str, float]] = {}
    for name in names:
        per = [r["all"] if name == "all" else r["types"][name] for r in runs]
        per = [p for p in per if p.get("n")]
        if per:
            keys = [k for k in per[0] if all(k in p for p in per)]
            out[name] = {k: statistics.median(p[k] for p in per) for k in keys}
    return out


def section(queries: dict[str, Any], command: str | None = None) -> list[str]:
    """The report's "Query speed" section from ``measure``'s result."""
    lines = ["", "## Query speed (API and pages on a large ledger)", "",
             "`bench/queryspeed.py`: a synthetic ledger (`bench/bigledger.py`, written through the store's bulk "
             "paths), served by `tally serve` in its own process on 127.0.0.1 and asked by `bench/loadgen.py` "
             "(closed-loop clients, kept-alive connections, a mix of filtered lists and incident pages). Latency is "
             "measured by the client; DB is the time the server spent in database queries (its `Server-Timing` "
             "header), so latency minus DB is routing, JSON decoding and encoding, templates and waiting for a "
             "core. Each figure is the median over the runs. CPU ms is what one request costs in CPU, measured apart "
             "in one process, one request at a time (`loadgen.cpu_costs`: the app and its SQLite queries; on PostgreSQL the "
             "database server's CPU is not in it): latency well above CPU ms is time spent waiting for a core. "
             "The server keeps list totals and filter choices per ledger state (`tally/web/counts.py`), so within "
             "a run a filter asked again is not counted again; the first request for each filter pays the count, "
             "and `cpu_costs` starts from an empty cache. A text search is counted up to 10,000 matches (past that "
             "the API says `total_is_lower_bound`). \"deep page\" follows a `next_after` cursor taken from a page at "
             "a random depth (keyset paging, as the list's next links page); \"deep offset\" asks for a random "
             "offset, which the database has to step over.", ""]
    if command:
        lines += ["```sh", command, "```", ""]
    for backend, entry in queries.items():
        runs = entry["runs"]
        med = medians(runs)
        first = runs[0]
        lines += [f"### {backend}: {entry['claims']:,} claims, {entry['incidents']:,} incidents", "",
                  f"{len(runs)} run(s) of at most {first.get('bound_requests', first['requests'])} requests or "
                  f"{first.get('bound_seconds', first['seconds']):.0f} s, {first['clients']} clients; per run: "
                  + "; ".join(f"{r['requests']} requests in {r['seconds']:.0f} s, server CPU "
                              f"{r['server_cpu_seconds']:.1f} s, client CPU {r['client_cpu_seconds']:.1f} s, "
                              f"load average {r['load']:.1f}" for r in runs),
                  "", "| request | n (run 1) | p50 ms | p95 ms | p99 ms | DB p50 ms | DB p95 ms | errors "
                  "| CPU ms p50 | CPU ms p95 |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        cpu = entry.get("cpu", {})
        for name, m in med.items():
            n = (first["all"] if name == "all" else first["types"][name]).get("n", 0)
            c = cpu.get(name, {})
            lines.append(f"| {name} | {n} | {m['p50']:.1f} | {m['p95']:.1f} | {m['p99']:.1f} | "
                         f"{_fmt(m.get('db_p50'))} | {_fmt(m.get('db_p95'))} | {m['errors']:.0f} | "
                         f"{_fmt(c.get('cpu_p50'))} | {_fmt(c.get('cpu_p95'))} |")
        lines += ["", *verdict(med, cpu), ""]
    return lines


def verdict(med: dict[str, dict[str, float]], cpu: dict[str, Any] | None = None) -> list[str]:
    """The target, per request type: which meet p95 < 50 ms, which miss, and how much of their time is queries."""
    meet = [n for n, m in med.items() if n != "all" and m["p95"] < TARGET_MS]
    miss = [n for n, m in med.items() if n != "all" and m["p95"] >= TARGET_MS]
    out = [f"Target p95 < {TARGET_MS:.0f} ms: met by {len(meet)} of {len(meet) + len(miss)} request types"
           + (f"; missed by {', '.join(miss)}" if miss else "") + "."]
    for n in miss:
        m, c = med[n], (cpu or {}).get(n, {})
        if m.get("db_p95") is not None:
            out.append(f"- {n}: p95 {m['p95']:.0f} ms, of which database queries p95 {m['db_p95']:.0f} ms "
                       f"(median {m['db_p50']:.0f} of {m['p50']:.0f} ms)"
                       + (f"; CPU per request p95 {c['cpu_p95']:.0f} ms" if c else ""))
    return out


def _fmt(v: float | None) -> str:
    return f"{v:.1f}" if v is not None else "n/a"
