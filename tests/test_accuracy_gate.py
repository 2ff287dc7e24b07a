"""The quality gate: every dev-split figure at or above its floor in docs/accuracy-baseline.json.

Runs the harness on the dev splits (about a minute); skips when ../shared is absent. The test splits are
never run here: their figures are in docs/ACCURACY.md, made by `tally eval --split test`.
"""
from pathlib import Path

import pytest

from tally.eval import gate, sets
from tally.eval.run import run_set


def test_dev_figures_stay_at_or_above_their_floors(shared_dir: Path, tmp_path: Path) -> None:
    if not (shared_dir / "benchmarks").is_dir():
        pytest.skip(f"no benchmarks in {shared_dir}")
    floors = gate.load()
    assert floors, "docs/accuracy-baseline.json is missing"
    results = [run_set(b, shared_dir, tmp_path) for b in sets.find(shared_dir, "dev")]
    assert {r["set"] for r in results} == set(floors)
    assert gate.shortfalls(results, floors) == []
