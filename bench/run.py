"""The benchmark: build corpora, run tally and the naive spaCy baseline on them, write docs/PERFORMANCE.md.

    python -m bench                                  # 10k and 30k reports, 1 and 2 workers, 3 runs each
    python -m bench --sizes 10000,30000,100000 --repeats 3 --minhash 100000,300000
    python -m bench --sizes 200 --repeats 1 --out /tmp/perf.md   # a smoke run
    python -m bench --sizes '' --keep --queries 1000000 --queries-pg URL   # query speed of the API (queryspeed.py)

Each measurement runs in its own process (bench/measure.py); this one samples the resident memory of that
process and its workers (psutil) every 0.25 s, so "peak memory" is the largest sum over the process tree of
the proportional set size (PSS: a page shared by N processes counts 1/N in each, so the sum is the real use).
Figures are medians over the runs. Results are also kept as JSON next to the report, so a later run with
other sizes can be merged (``--keep``).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click
import psutil

from bench import corpus, queryspeed

ROOT = Path(__file__).resolve().parents[1]
GIB = 1024 ** 3


def _measure(args: list[str], timeout: float) -> dict[str, Any]:
    """Run ``python -m bench.measure ARGS``; its JSON result plus the peak RSS of its process tree."""
    cmd = [sys.executable, "-m", "bench.measure", *args]
    out_file, err_file = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")   # no pipe to fill up
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out_file, stderr=err_file, text=True)
    watched = psutil.Process(proc.pid)
    peak, started, load = 0, time.monotonic(), os.getloadavg()[0]
    cpu = None
    seen: dict[int, float] = {}   # CPU seconds of each process of the tree, as last sampled
    while cpu is None:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)   # its rusage covers the workers it reaped
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            # a process that is not reaped by its parent (Spark's JVM and Python workers) is missing from the
            # rusage: the samples count it (up to its last 0.25 s)
            cpu = max(usage.ru_utime + usage.ru_stime, sum(seen.values()))
            break
        try:
            tree = [watched, *watched.children(recursive=True)]
            # PSS: pages shared by the forked workers (the gazetteer) are counted once, not once per process
            peak = max(peak, sum(p.memory_full_info().pss for p in tree if p.is_running()))
            for p in tree:
                times = p.cpu_times()
                seen[p.pid] = times.user + times.system
        except psutil.Error:
            pass
        if time.monotonic() - started > timeout:
            proc.kill()
            raise click.ClickException(f"{' '.join(args)}: no result after {timeout:.0f} s (raise --timeout)")
        time.sleep(0.25)
    out_file.seek(0)
    err_file.seek(0)
    out, err = out_file.read(), err_file.read()
    if proc.returncode != 0:
        raise click.ClickException(f"{shlex.join(cmd)} failed ({proc.returncode}):\n{err[-3000:]}")
    result = json.loads(out)
    result["peak_rss"] = peak
    result["cpu_seconds"] = cpu   # user + system time of the process and its workers: what load does not change
    result["load"] = max(load, os.getloadavg()[0])   # the machine's 1-minute load average, start or end
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _median_cpu(runs: list[dict[str, Any]]) -> float | None:
    """Median CPU seconds of the runs that recorded them (older results may not have)."""
    have = [r["cpu_seconds"] for r in runs if r.get("cpu_seconds")]
    return statistics.median(have) if have else None


def _fmt(value: float | None, spec: str) -> str:
    return format(value, spec) if value is not None else "n/a"


def _stage_medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    names = sorted({k for r in runs for k in r.get("stages", {})})
    return {k: statistics.median(r["stages"].get(k, 0.0) for r in runs) for k in names}


def _machine() -> str:
    mem = psutil.virtual_memory().total / GIB
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{cpu}; {os.cpu_count()} cores; {mem:.1f} GiB RAM; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; load average at start {os.getloadavg()[0]:.2f}")


def _exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) against log(size): 1.0 is linear."""
    if len(points) < 2:
        return None
    xs = [math.log(n) for n, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def _plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=100)
    series: dict[str, list[tuple[int, float]]] = {}
    for size, entry in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        for w, runs in entry["pipeline"].items():
            series.setdefault(f"tally, {w} worker{'s' if w != '1' else ''}", []).append((int(size), _median(runs, "seconds")))
        if entry.get("baseline"):
            series.setdefault("spaCy en_core_web_sm on every text", []).append(
                (int(size), _median(entry["baseline"], "seconds")))
    for label, pts in series.items():
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("reports in the corpus")
    ax.set_ylabel("seconds (median)")
    ax.set_title("Time against corpus size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)


def _report(results: dict[str, Any], plot: Path | None) -> str:
    lines = [
        "# Performance", "",
        "Generated by `bench/` (`make bench`, or `.venv/bin/python -m bench`) -- do not edit by hand. "
        "Reproduce with (each command after the first merges its results in with `--keep`):", "",
        "```sh", *results["commands"], "```", "",
        f"- machine: {results['machine']}",
        f"- date: {results['date']}; commit {results['commit']}",
        f"- corpus: `bench/corpus.py` (our own templates and the demo corpus: casualty reports, syndicated copies "
        f"with edits, boilerplate, non-casualty news); each row is the median of its runs",
        "- baseline: spaCy `en_core_web_sm` 3.8.0 `nlp.pipe(batch_size=64)` over every full text, one process, "
        "same texts, same run", "",
        "## End to end", "",
        "| reports | workers | runs | seconds | reports/s | CPU s | reports per CPU s | peak memory (PSS, MiB) "
        "| baseline s | baseline reports/s | baseline CPU s | speed-up (wall) | speed-up (CPU) | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    fits: dict[str, list[tuple[int, float]]] = {}
    for size, entry in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        base = _median(entry["baseline"], "seconds") if entry.get("baseline") else None
        for w, runs in sorted(entry["pipeline"].items()):
            secs = _median(runs, "seconds")
            fits.setdefault(w, []).append((int(size), secs))
            rss = _median(runs, "peak_rss") / 2 ** 20
            cpu = _median_cpu(runs)
            base_cpu = _median_cpu(entry.get("baseline") or [])
            cells = [size, w, len(runs), f"{secs:.1f}", f"{int(size) / secs:.0f}", _fmt(cpu, ".0f"),
                     _fmt(int(size) / cpu if cpu else None, ".0f"), f"{rss:.0f}"]
            cells += [f"{base:.1f}", f"{int(size) / base:.1f}", _fmt(base_cpu, ".0f"), f"{base / secs:.1f}x",
                      f"{base_cpu / cpu:.1f}x" if cpu and base_cpu else ""] if base else ["", "", "", "", ""]
            loads = [r["load"] for r in runs if r.get("load")]
            cells.append(f"{statistics.median(loads):.1f}" if loads else "n/a")
            lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines += ["", "The machine is shared (2 cores, other jobs running): the load average column is the number of "
              "processes wanting a core while the row was measured. Above 2, every process here waited for a core "
              "for part of the time, so wall-clock rates are lower than on an idle machine; CPU seconds (user + "
              "system, the process and its workers) are not changed by waiting and give the rate an idle machine "
              "would reach: reports per CPU second times the cores used.", ""]
    lines += _targets(results)
    lines += ["", "Growth: time ~ size^k, least squares over the sizes above:", ""]
    for w, pts in sorted(fits.items()):
        k = _exponent(pts)
        lines.append(f"- {w} worker(s): k = {k:.2f}" if k is not None else f"- {w} worker(s): one size only")
    lines += ["", "## Time per stage (seconds, median; wall time in the main process)", "",
              "`clean` and `extract` run in the worker pool (extract includes the MinHash signature kept for "
              "later runs); `clean` is the main process waiting for a batch's cleaned reports (with starting the "
              "pool; since commit f6e9a97 a batch is cleaned while the previous one's copies are found, so the wait "
              "is shorter); `copies` is finding copies and indexing them; `store` the bulk database writes; "
              "`reconcile` rebuilding the ledger; `other` reading input and the rest (and, in rows measured before commit 92cc416, the one-report-per-transaction writes of `store`).", ""]
    stage_names = sorted({k for e in results["sizes"].values() for runs in e["pipeline"].values()
                          for r in runs for k in r.get("stages", {})})
    lines.append("| reports | workers | " + " | ".join(stage_names) + " |")
    lines.append("|---:|---:|" + "---:|" * len(stage_names))
    for size, entry in sorted(results["sizes"].items(), key=lambda kv: int(kv[0])):
        for w, runs in sorted(entry["pipeline"].items()):
            med = _stage_medians(runs)
            lines.append(f"| {size} | {w} | " + " | ".join(f"{med.get(k, 0.0):.1f}" for k in stage_names) + " |")
    lines += _minhash_section(results)
    if results.get("spark"):
        lines += ["", "## Spark job, local mode", "",
                  "`tally/spark/job.py` on the same generated corpus, `local[N]` (N executor threads on this machine), "
                  "wall time including the JVM's start:", "",
                  "| reports | executors | seconds | reports/s | CPU seconds (JVM and Python workers) | "
                  "peak memory (PSS, MiB, JVM and Python workers) | load average |",
                  "|---:|---:|---:|---:|---:|---:|---:|"]
        for size, by_n in sorted(results["spark"].items(), key=lambda kv: int(kv[0])):
            for n, res in sorted(by_n.items()):
                cpu = f"{res['cpu_seconds']:.0f}" if res.get("cpu_seconds") else "-"
                load = f"{res['load']:.1f}" if res.get("load") is not None else "-"
                lines.append(f"| {size} | {n} | {res['seconds']:.0f} | {int(size) / res['seconds']:.1f} | {cpu} | "
                             f"{res['peak_rss'] / 2 ** 20:.0f} | {load} |")
    if results.get("profile"):
        prof = results["profile"]
        lines += ["", f"## Where the time goes (pyinstrument, one process, {prof['reports']} reports)", "",
                  "```", *prof["text"].splitlines()[:80], "```"]
    if results.get("queries"):
        lines += queryspeed.section(results["queries"], results.get("queries_command"))
    if plot is not None:
        lines += ["", f"![time against corpus size]({plot.name})"]
    return "\n".join(lines) + "\n"


def _minhash_section(results: dict[str, Any]) -> list[str]:
    """MinHash dedup at each size measured, against the issue's target at 1M reports (or a fit to 1M)."""
    runs = dict(results.get("minhash_sizes") or {})
    if results.get("minhash") and str(results["minhash"]["reports"]) not in runs:
        runs[str(results["minhash"]["reports"])] = results["minhash"]   # a result from before sizes were kept
    if not runs:
        return []
    out = ["", "## MinHash deduplication", "",
           "Generated reports (`bench/corpus.py`, seed 7): tally's signature (`tally/stages/dedupe.py`) in worker "
           "processes, then `tally/stages/copyroots.py`, 500 reports at a time: each report's root, the earlier "
           "report it copies by the copy finder's rule on the signatures' estimate (share of equal hash values "
           ">= 0.6 with a report sharing one of the copy finder's LSH bands; the best match, and that one's root), "
           "or itself. A report whose whole signature equals an earlier one's joins it without a band lookup; "
           "candidates are checked with numpy on the low 2 bits of each value first. CPU seconds are the "
           "process and its workers. Band pairs: (report, earlier report) pairs sharing a band, once per band "
           "shared; full checks: those passing the 2-bit check. Precision and recall of \"is a copy\" against "
           "the generator (`bench.corpus.generate`): a copy record, or a demo report re-used after its first use, "
           "is a copy; the rest are not. On signatures alone precision is low: two reports the generator filled from "
           "one template (same headline, other figures) can share 60% of their shingles, which the pipeline's "
           "copy finder refuses with its figure guard (a copy adds no figure); recall misses copies whose edits "
           "bring the estimate under 0.6 (the pipeline also accepts containment >= 0.8 on the exact shingles).",
           "", "| reports | workers | seconds | CPU s | reports per CPU s | peak memory (PSS, GiB) | band pairs per "
           "report | full checks per report | found copies | precision | recall | load average |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    older = False
    for size, m in sorted(runs.items(), key=lambda kv: int(kv[0])):
        cpu = m.get("cpu_seconds")
        if m.get("method") != "copyroots":   # measured before copyroots.py: every confirmed pair counted
            older = True
            cand = m.get("candidates")
            out.append(f"| {size}* | {m.get('workers', '')} | {m['seconds']:.0f} | {_fmt(cpu, '.0f')} | "
                       f"{_fmt(int(size) / cpu if cpu else None, '.0f')} | {m['peak_rss'] / GIB:.2f} | "
                       f"{_fmt(cand / int(size) if cand is not None else None, '.0f')}* | | {m.get('copy_pairs')} "
                       f"pairs* | | | {_fmt(m.get('load'), '.1f')} |")
            continue
        out.append(f"| {size} | {m.get('workers', '')} | {m['seconds']:.0f} | {_fmt(cpu, '.0f')} | "
                   f"{_fmt(int(size) / cpu if cpu else None, '.0f')} | {m['peak_rss'] / GIB:.2f} | "
                   f"{m['band_pairs'] / int(size):.0f} | {m['full_checks'] / int(size):.1f} | {m['copies']} | "
                   f"{m['precision']:.3f} | {m['recall']:.3f} | {_fmt(m.get('load'), '.1f')} |")
    if older:
        out += ["", "\\* measured before `copyroots.py` (every report inserted in the bands and every candidate "
                "confirmed, counting all confirmed pairs): candidates there are distinct earlier reports sharing a "
                "band, and the copies column counts pairs."]
    big = runs.get("1000000")
    if big is not None:
        out += ["", f"At 1,000,000 reports: {big['seconds']:.0f} s, {_fmt(big.get('cpu_seconds'), '.0f')} CPU s, "
                f"{big['peak_rss'] / GIB:.2f} GiB at load average {_fmt(big.get('load'), '.1f')} "
                f"(target: under 600 s and 4 GiB)."]
        if big.get("main_cpu_seconds") is not None:
            out[-1] += (f" Of the CPU seconds, {big['main_cpu_seconds']:.0f} are the main process's (generating the "
                        f"texts, receiving the signatures, and `CopyRoots.add`, which took {big['index_seconds']:.0f} s "
                        f"of wall time), the rest the signature workers'.")
        return out
    cpu_pts = [(int(s), m["cpu_seconds"]) for s, m in runs.items() if m.get("cpu_seconds")]
    mem_pts = [(int(s), float(m["peak_rss"])) for s, m in runs.items()]
    k_cpu, k_mem = _exponent(cpu_pts), _exponent(mem_pts)
    if k_cpu is not None and k_mem is not None:
        top = max(cpu_pts)
        cpu_1m = top[1] * (1_000_000 / top[0]) ** k_cpu
        mem_top = max(mem_pts)
        mem_1m = mem_top[1] * (1_000_000 / mem_top[0]) ** k_mem
        out += ["", f"Growth: CPU time ~ size^{k_cpu:.2f}, peak memory ~ size^{k_mem:.2f}. Extrapolated to 1,000,000 "
                f"reports: about {cpu_1m:.0f} CPU s and {mem_1m / GIB:.1f} GiB (target: under 10 min and 4 GiB)."]
    return out


TARGET_SIZE = 30000   # the issue's speed and memory targets are for a corpus of this size


def _targets(results: dict[str, Any]) -> list[str]:
    """The issue's targets (set at 30,000 reports) against that size, else the largest corpus measured, with
    the most workers."""
    rows = [(int(size), w, runs, entry) for size, entry in results["sizes"].items() for w, runs in entry["pipeline"].items()]
    if not rows:
        return []
    at = [r for r in rows if r[0] == TARGET_SIZE] or rows
    size, w, runs, entry = max(at, key=lambda r: (r[0], int(r[1])))
    secs, peak = _median(runs, "seconds"), _median(runs, "peak_rss")
    cpu = _median_cpu(runs)
    out = ["### Targets", "", f"At {size} reports, {w} worker(s):", "",
           f"- end to end: {size / secs:.0f} reports/s wall clock (target 100)"
           + (f"; {size / cpu:.0f} reports per CPU second, so at most {2 * size / cpu:.0f}/s on 2 idle cores (copies, store and reconcile run in one process)"
              if cpu else ""),
           f"- peak memory: {peak / GIB:.2f} GiB (target 2 GiB)"]
    based = [(int(s), e) for s, e in results["sizes"].items() if e.get("baseline") and e.get("pipeline")]
    if based:
        bsize, bentry = max(based, key=lambda r: r[0])
        bsecs = _median(bentry["baseline"], "seconds")
        best = min(_median(r, "seconds") for r in bentry["pipeline"].values())
        out.append(f"- against the baseline at {bsize} reports (its largest size): {bsecs / best:.1f}x "
                   f"by wall clock (target 10x)" + _cpu_speedup(bentry))
    return out + [""]


def _merge_sizes(results: dict[str, Any], sizes: dict[str, Any]) -> None:
    """Merge measurements per size: a worker count or a baseline measured again replaces the old one, the
    rest of that size's results are kept (so a baseline-only run does not erase tally's rows)."""
    for size, entry in sizes.items():
        old = results["sizes"].setdefault(size, {"pipeline": {}})
        old.setdefault("pipeline", {}).update(entry.get("pipeline", {}))
        if entry.get("baseline"):
            old["baseline"] = entry["baseline"]


def _hide_password(args: list[str]) -> list[str]:
    """The command line as the report shows it: database URLs without their passwords."""
    from sqlalchemy.engine import make_url

    return [make_url(a).render_as_string(hide_password=True) if "://" in a and "@" in a else a for a in args]


def _cpu_speedup(entry: dict[str, Any]) -> str:
    """The baseline's CPU seconds over tally's (least of its worker counts): what the shared machine's load
    does not change."""
    base = _median_cpu(entry["baseline"])
    ours = [c for c in (_median_cpu(r) for r in entry["pipeline"].values()) if c]
    return f"; {base / min(ours):.1f}x by CPU seconds (the baseline's over tally's)" if base and ours else ""


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


@click.command()
@click.option("--sizes", default="10000,30000", show_default=True, help="Corpus sizes, comma-separated.")
@click.option("--workers", "worker_counts", default="1,2", show_default=True, help="Worker processes to try.")
@click.option("--repeats", default=3, show_default=True, help="Runs per size and worker count (medians).")
@click.option("--baseline/--no-baseline", default=True, show_default=True, help="Also run the naive spaCy baseline.")
@click.option("--pipeline/--no-pipeline", "run_pipeline", default=True, show_default=True,
              help="Run tally itself (--no-pipeline: only the baseline, e.g. on another core while tally runs).")
@click.option("--baseline-max", default=30000, show_default=True, help="Largest size to run the baseline on.")
@click.option("--minhash", default="", help="Also time MinHash dedup of these many reports, comma-separated.")
@click.option("--spark", "spark_sizes", default="", help="Also run the Spark job in local mode (1 and 2 "
              "executors) on corpora of these sizes, comma-separated.")
@click.option("--profile", "profile_size", default=0, help="Also profile one ingest of this many reports.")
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=ROOT / "bench" / ".work",
              show_default=True, help="Where corpora and databases go.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=ROOT / "docs" / "PERFORMANCE.md",
              show_default=True)
@click.option("--keep", is_flag=True, help="Merge with the results already next to --out instead of starting over.")
@click.option("--replace-sizes", is_flag=True, help="With --keep: drop the end-to-end rows kept from before (measured "
              "on older code) and keep the other sections.")
@click.option("--merge", "merge_from", type=click.Path(exists=True, dir_okay=False, path_type=Path), multiple=True,
              help="Merge the results JSON of another run (e.g. one written with another --out) into this report.")
@click.option("--queries", "query_claims", default=0, help="Also measure query speed (API and pages, bench/"
              "queryspeed.py) on a synthetic ledger of this many claims, on SQLite (and --queries-pg).")
@click.option("--queries-pg", default=None, metavar="URL", help="Admin URL of a PostgreSQL server for --queries "
              "(a role that may CREATE DATABASE; the ledger goes into a database tally_bench_*).")
@click.option("--queries-runs", default=3, show_default=True, help="Load generator runs per backend (medians).")
@click.option("--queries-requests", default=2000, show_default=True, help="Requests per run, at most.")
@click.option("--queries-seconds", default=120.0, show_default=True, help="Seconds per run, at most.")
@click.option("--queries-clients", default=2, show_default=True, help="Concurrent clients of the load generator.")
@click.option("--timeout", default=7200.0, show_default=True, help="Seconds one measurement may take.")
def main(sizes: str, worker_counts: str, repeats: int, baseline: bool, run_pipeline: bool, baseline_max: int, minhash: str,
         work: Path, out: Path, keep: bool, timeout: float, spark_sizes: str, profile_size: int,
         merge_from: tuple[Path, ...], replace_sizes: bool, query_claims: int, queries_pg: str | None,
         queries_runs: int, queries_requests: int, queries_seconds: float, queries_clients: int) -> None:
    """Build corpora, time tally and the baseline on them, and write the performance report with a plot."""
    raw_path = out.with_suffix(".json")
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = json.loads(raw_path.read_text()) if keep and raw_path.exists() else {"sizes": {}}
    if replace_sizes:
        results["sizes"] = {}
        results["commands"] = [c for c in results.get("commands", []) if "--sizes ''" in c or "--sizes" not in c]
    for other_path in merge_from:
        other = json.loads(other_path.read_text())
        results.setdefault("commands", []).extend(c for c in other.get("commands", []) if c not in results["commands"])
        _merge_sizes(results, other.get("sizes", {}))
        results.setdefault("minhash_sizes", {}).update(other.get("minhash_sizes", {}))
        for key in ("spark", "profile", "minhash", "queries", "queries_command"):
            if other.get(key):
                results[key] = other[key]
    command = "python -m bench " + shlex.join(_hide_password(sys.argv[1:]))
    if sizes or minhash or spark_sizes or profile_size or query_claims:
        results.setdefault("commands", []).append(command)
    results.update(machine=_machine(), repeats=repeats,
                   date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), commit=_commit())
    for size in [int(s) for s in sizes.split(",") if s]:
        path = corpus.write(work / f"corpus-{size}.jsonl", size)
        entry: dict[str, Any] = {"pipeline": {}}
        for w in [w for w in worker_counts.split(",") if w and run_pipeline]:
            runs = []
            for r in range(repeats):
                res = _measure(["pipeline", str(path), str(work / f"db-{size}-{w}.db"), "--workers", w], timeout)
                click.echo(f"{size} reports, {w} worker(s), run {r + 1}: {res['seconds']:.1f} s, "
                           f"{size / res['seconds']:.0f}/s, {res['peak_rss'] / 2 ** 20:.0f} MiB", err=True)
                runs.append(res)
            entry["pipeline"][w] = runs
        if baseline and size <= baseline_max:
            entry["baseline"] = []
            for r in range(repeats):
                res = _measure(["baseline", str(path)], timeout)
                click.echo(f"{size} reports, baseline run {r + 1}: {res['seconds']:.1f} s", err=True)
                entry["baseline"].append(res)
        _merge_sizes(results, {str(size): entry})
        raw_path.parent.mkdir(parents=True, exist_ok=True)
        raw_path.write_text(json.dumps(results, indent=1))
    for n in [int(x) for x in minhash.split(",") if x]:
        workers = max(int(w) for w in worker_counts.split(","))
        res = _measure(["minhash", str(n), "--workers", str(workers)], timeout)
        res["workers"] = workers
        results.setdefault("minhash_sizes", {})[str(n)] = res
        click.echo(f"minhash {n}: {res['seconds']:.0f} s, {res['cpu_seconds']:.0f} CPU s, "
                   f"{res['peak_rss'] / GIB:.2f} GiB", err=True)
        raw_path.write_text(json.dumps(results, indent=1))
    for size in [int(s) for s in spark_sizes.split(",") if s]:
        path = corpus.write(work / f"corpus-{size}.jsonl", size)
        for executors in (1, 2):
            res = _measure(["spark", str(path), str(work / f"parquet-{size}-{executors}"), "--executors",
                            str(executors)], timeout)
            click.echo(f"spark {size} reports, local[{executors}]: {res['seconds']:.0f} s, "
                       f"{res['cpu_seconds']:.0f} CPU s, load {res['load']:.1f}", err=True)
            results.setdefault("spark", {}).setdefault(str(size), {})[str(executors)] = res
    if profile_size:
        path = corpus.write(work / f"corpus-{profile_size}.jsonl", profile_size)
        results["profile"] = {"reports": profile_size,
                              **_measure(["profile", str(path), str(work / "profile.db")], timeout)}
    if query_claims:
        results["queries"] = queryspeed.measure(query_claims, queries_pg, queries_runs, queries_requests,
                                                queries_seconds, queries_clients, log=lambda m: click.echo(m, err=True))
        results["queries_command"] = command
    raw_path.parent.mkdir(parents=True, exist_ok=True)
    raw_path.write_text(json.dumps(results, indent=1))
    plot: Path | None = out.with_name("performance.png")
    if results["sizes"]:
        _plot(results, plot)
    elif not plot.exists():   # a report of query speed only: no corpus sizes to plot
        plot = None
    out.write_text(_report(results, plot))
    click.echo(f"wrote {out}" + (f" and {plot}" if plot else ""), err=True)
