"""`tally eval`: score Tally on the public gold-labelled sets and write docs/ACCURACY.md."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tally.errors import TallyError
from tally.eval import gate, sets
from tally.eval.errors import analyse
from tally.eval.report import current_commit, render


@click.command("eval")
@click.option("--split", type=click.Choice(["dev", "test"]), default="dev", show_default=True,
              help="Develop on dev; report test. Never tune on test.")
@click.option("--set", "names", multiple=True, type=click.Choice(sets.NAMES), help="Only these sets (repeatable).")
@click.option("--shared", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The folder holding benchmarks/ and tools/ (default ../shared; env TALLY_SHARED).")
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("eval-runs"),
              show_default=True, help="Where the fresh databases and exports go.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the Markdown report here (e.g. docs/ACCURACY.md).")
@click.option("--json", "as_json", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the full results as JSON.")
@click.option("--gate/--no-gate", "gate_on", default=False, help="Exit 1 when a figure falls below docs/accuracy-baseline.json.")
@click.option("--raise-floors", is_flag=True, help="Raise the baseline's floors to this run's figures (dev only).")
@click.option("--from-json", "from_json", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Write the report from the results of an earlier run (its --json file) instead of running.")
def eval_command(split: str, names: tuple[str, ...], shared: Path | None, workdir: Path, report: Path | None,
                 as_json: Path | None, gate_on: bool, raise_floors: bool, from_json: Path | None) -> None:
    """Ingest each set into a fresh database, export, score, and report."""
    from tally.eval.run import run_set   # deferred: it loads the whole pipeline, which `tally --help` does not need

    shared = shared or sets.default_shared()
    commit = current_commit()
    try:
        found = sets.find(shared, split, names or sets.NAMES)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    results, analyses = [], {}
    earlier = _earlier(from_json) if from_json else None
    if earlier:
        commit = earlier.get("commit") or commit
    for bset in found:
        if earlier is not None:
            res = next((r for r in earlier["results"] if r["set"] == bset.label), None)
            if res is None:
                continue
        else:
            click.echo(f"{bset.label}: ingesting {bset.articles.name} ...", err=True)
            res = run_set(bset, shared, workdir)
        texts = {r["id"]: r.get("text") or "" for r in sets.read_jsonl(bset.articles)}
        for kind, r in (res.get("per_report") or {}).items():
            if r.get("gold"):
                analyses[f"{bset.label} {kind}"] = analyse(r.get("wrong", []), texts)
        results.append(res)
        click.echo(f"{bset.label}: " + ", ".join(f"{k} {v:.3f}" for k, v in gate.headline(res).items())
                   + f" ({res['reports']} reports, {res['seconds']} s)")
    if from_json and not earlier:
        raise click.ClickException(f"{from_json} holds no results")
    command = "tally eval --split " + split + "".join(f" --set {n}" for n in names) + (
        f" --report {report}" if report else "")
    if report:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(render(results, split, command, analyses, commit), encoding="utf-8")
    if as_json:
        as_json.write_text(json.dumps({"commit": commit, "split": split, "results": results}, indent=1, default=str),
                           encoding="utf-8")
    if raise_floors:
        if split != "dev":
            raise click.ClickException("floors are set on the dev splits only")
        gate.raise_floors(results)
    if gate_on:
        short = gate.shortfalls(results, gate.load())
        for line in short:
            click.echo(f"below the floor: {line}", err=True)
        if short:
            sys.exit(1)


def _earlier(path: Path) -> dict[str, object]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {"commit": None, "results": data}
