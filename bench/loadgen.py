"""A load generator for `tally serve`: a mix of incident lists and incident pages, timed on loopback.

    .venv/bin/python -m bench.loadgen sqlite:///ledger.db --requests 2000 --seconds 60 --clients 2

Starts ``python -m tally serve`` on 127.0.0.1 (a free port) in a subprocess, learns the ledger's countries,
perpetrators, places and some incident ids from the server itself, then sends ``--clients`` closed-loop
streams of requests (each sends its next when the last is answered, over a kept-alive connection) until
``--requests`` are answered or ``--seconds`` have passed, whichever comes first. Prints, and returns as JSON,
the latency percentiles per request type, the server-side database time from the ``Server-Timing`` header
(tally/web/timing.py), and the CPU seconds of the server and of this process.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote as _q

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
Pick = Callable[[random.Random, dict[str, Any]], str]
# request type -> how to draw one URL from what the ledger holds ("v": the values learned at the start)
MIX: dict[str, Pick] = {
    "list: default order": lambda r, v: "/api/incidents?limit=50",
    "list: country, by killed": lambda r, v: f"/api/incidents?country={_q(r.choice(v['country']))}"
                                            "&sort=killed&order=desc",
    "list: date range": lambda r, v: "/api/incidents?since={0}-{1:02d}-01&until={0}-{1:02d}-28".format(
        r.choice(v["years"]), r.randint(1, 12)),
    "list: perpetrator, newest": lambda r, v: f"/api/incidents?perpetrator={_q(r.choice(v['perpetrator']))}"
                                             "&sort=date&order=desc",
    "list: category, min killed": lambda r, v: f"/api/incidents?category={r.choice(['civilian', 'combatant'])}"
                                              f"&min_killed={r.choice([5, 10, 50])}",
    "list: text search": lambda r, v: f"/api/incidents?q={_q(r.choice(v['words']))}",
    # deep in the list by cursor, as its next links page (the after= of a page at a random depth), and by offset
    "list: deep page": lambda r, v: f"/api/incidents?after={r.choice(v['cursors'])}&limit=50",
    "list: deep offset": lambda r, v: f"/api/incidents?offset={r.randint(0, max(0, v['total'] - 50))}&limit=50",
    "list: several filters": lambda r, v: f"/api/incidents?country={_q(r.choice(v['country']))}"
                                         f"&since={r.choice(v['years'])}-01-01&category=civilian&sort=confidence",
    "list page (HTML)": lambda r, v: f"/incidents?country={_q(r.choice(v['country']))}&offset={r.randint(0, 500)}",
    "incident (JSON)": lambda r, v: f"/api/incidents/{r.choice(v['ids'])}",
    "incident page (HTML)": lambda r, v: f"/incidents/{r.choice(v['ids'])}",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``tally serve --db URL`` on a free loopback port, for a ``with`` block."""

    def __init__(self, db: str) -> None:
        self.db, self.port = db, free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        self.proc = subprocess.Popen([sys.executable, "-m", "tally.cli", "serve", "--db", self.db, "--port",
                                      str(self.port)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tally serve stopped ({self.proc.returncode}): {self.proc.stderr.read()[-2000:]}")
            try:
                httpx.get(self.base + "/api/formats", timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        self.proc.kill()
        raise RuntimeError(f"tally serve did not answer on port {self.port} within 120 s")

    def cpu_seconds(self) -> float:
        t = psutil.Process(self.proc.pid).cpu_times()
        return t.user + t.system

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def learn(client: Any, rng: random.Random) -> dict[str, Any]:
    """Filter values, some incident ids and search words, asked of the server before the timed run."""
    page = client.get("/incidents.json", params={"limit": 1}).raise_for_status().json()
    facets, total = page["facets"], page["total"]
    if not total:
        raise RuntimeError("the ledger has no incidents to ask for")
    ids, words, years, cursors = [], set(), set(), []
    for _ in range(20):   # cursors into the default order at random depths, from the pages before them
        nxt = client.get("/api/incidents", params={"limit": 50, "offset": rng.randint(0, max(0, total - 50))}).json()
        cursors += [nxt["next_after"]] if nxt.get("next_after") else []
    for _ in range(5):
        rows = client.get("/api/incidents", params={"sort": "id", "limit": 200,
                                                    "offset": rng.randint(0, max(0, total - 200))}).json()["incidents"]
        for r in rows:
            ids.append(r["id"])
            words.update(p.lower() for p in r["places"][:1])
            words.update(s.split()[-1] for s in r["sources"][:1] if s)
            if r["date_from"]:
                years.add(r["date_from"][:4])
    return {"country": facets["country"] or ["none"], "perpetrator": facets["perpetrator"] or ["none"],
            "ids": ids, "words": sorted(words) or ["killed"], "years": sorted(years) or ["2020"], "total": total,
            "cursors": cursors or [""]}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-p * len(ordered) // 100)) - 1))]


def _db_ms(header: str | None) -> float | None:
    for part in (header or "").split(","):
        name, _, rest = part.strip().partition(";")
        if name == "db" and "dur=" in rest:
            return float(rest.split("dur=")[1].split(";")[0])
    return None


def run(db: str, requests: int = 1000, seconds: float = 60.0, clients: int = 2, seed: int = 1,
        mix: dict[str, Pick] | None = None) -> dict[str, Any]:
    """Serve ``db`` and send the mix; the figures per request type (milliseconds) and overall."""
    mix = mix or MIX
    rng = random.Random(seed)
    samples: list[tuple[str, float, float | None, int]] = []
    lock = threading.Lock()
    with Server(db) as server, httpx.Client(base_url=server.base, timeout=60) as probe:
        values = learn(probe, rng)
        for name, pick in mix.items():   # one untimed request of each type: imports, templates, caches
            probe.get(pick(rng, values))
        deadline, cpu0, own0 = time.monotonic() + seconds, server.cpu_seconds(), time.process_time()
        load0, started = os.getloadavg()[0], time.perf_counter()

        def stream(k: int) -> None:
            r = random.Random(seed * 1000 + k)
            names = list(mix)
            with httpx.Client(base_url=server.base, timeout=60) as client:
                while time.monotonic() < deadline:
                    with lock:
                        if len(samples) >= requests:
                            return
                        samples.append(("", 0.0, None, 0))   # reserve a slot so the count bound is exact
                        slot = len(samples) - 1
                    name = names[r.randrange(len(names))]
                    t0 = time.perf_counter()
                    res = client.get(mix[name](r, values))
                    ms = (time.perf_counter() - t0) * 1000
                    samples[slot] = (name, ms, _db_ms(res.headers.get("server-timing")), res.status_code)

        threads = [threading.Thread(target=stream, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        server_cpu, own_cpu = server.cpu_seconds() - cpu0, time.process_time() - own0
    done = [s for s in samples if s[0]]
    return {"requests": len(done), "seconds": wall, "clients": clients, "bound_requests": requests,
            "bound_seconds": seconds, "server_cpu_seconds": server_cpu,
            "client_cpu_seconds": own_cpu, "load": max(load0, os.getloadavg()[0]),
            "errors": sum(s[3] != 200 for s in done), "incidents": values["total"],
            "types": {name: summarize([s for s in done if s[0] == name]) for name in mix},
            "all": summarize(done)}


def cpu_costs(db: str, per_type: int = 15, seed: int = 1, mix: dict[str, Pick] | None = None) -> dict[str, Any]:
    """CPU milliseconds per request of each type, in one process (the app through Starlette's TestClient, one
    request at a time): what a request costs whatever the machine's load, so the latency above can be split into
    work and waiting for a core. On PostgreSQL the server's own CPU is not counted here (see DB ms)."""
    from fastapi.testclient import TestClient

    from tally.web.app import create_app

    mix = mix or MIX
    rng = random.Random(seed)
    out: dict[str, Any] = {}
    with TestClient(create_app(db)) as client:
        values = learn(client, rng)
        for name, pick in mix.items():
            client.get(pick(rng, values))   # warm: imports, templates, the statement cache
            cpu, wall = [], []
            for _ in range(per_type):
                url = pick(rng, values)
                c0, w0 = time.process_time(), time.perf_counter()
                client.get(url).raise_for_status()
                cpu.append((time.process_time() - c0) * 1000)
                wall.append((time.perf_counter() - w0) * 1000)
            out[name] = {"n": per_type, "cpu_p50": percentile(cpu, 50), "cpu_p95": percentile(cpu, 95),
                         "wall_p50": percentile(wall, 50)}
    return out


def summarize(samples: list[tuple[str, float, float | None, int]]) -> dict[str, Any]:
    if not samples:
        return {"n": 0}
    ms = [s[1] for s in samples]
    db = [s[2] for s in samples if s[2] is not None]
    out = {"n": len(samples), "errors": sum(s[3] != 200 for s in samples),
           **{f"p{p}": percentile(ms, p) for p in (50, 95, 99)}}
    if db:
        out.update(db_p50=percentile(db, 50), db_p95=percentile(db, 95))
    return out


def table(result: dict[str, Any]) -> list[str]:
    lines = ["| request | n | p50 ms | p95 ms | p99 ms | DB p50 ms | DB p95 ms | errors |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in [*result["types"].items(), ("all", result["all"])]:
        if s.get("n"):
            lines.append(f"| {name} | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | "
                         f"{s.get('db_p50', float('nan')):.1f} | {s.get('db_p95', float('nan')):.1f} | {s['errors']} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", help="database path or URL to serve")
    ap.add_argument("--requests", type=int, default=1000, help="stop after this many answers (default 1000)")
    ap.add_argument("--seconds", type=float, default=60.0, help="or after this many seconds (default 60)")
    ap.add_argument("--clients", type=int, default=2, help="concurrent request streams (default 2)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the result as JSON instead of a table")
    args = ap.parse_args()
    result = run(args.db, args.requests, args.seconds, args.clients, args.seed)
    print(json.dumps(result, indent=1) if args.json else "\n".join(table(result)))


if __name__ == "__main__":
    main()
