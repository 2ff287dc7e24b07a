"""tally/parallel.py: the worker pool gives the same ledger as one process, and a bad setting is named."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tally import parallel
from tally.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> dict[str, str]:
    monkeypatch.setenv("TALLY_WORKERS", workers)
    db = tmp_path / f"w{workers}.db"
    r = CliRunner().invoke(main, ["ingest", "--db", str(db), str(EXAMPLES / "reports.jsonl"), str(EXAMPLES / "txt")])
    assert r.exit_code == 0, r.output
    return {w: CliRunner().invoke(main, [w, "--db", str(db), "--format", "jsonl"]).output
            for w in ("incidents", "tallies", "claims", "articles")}


def test_two_workers_give_the_ledger_of_one(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 2)   # the demo's batch is small: use the pool anyway
    one, two = _ledger(tmp_path, monkeypatch, "1"), _ledger(tmp_path, monkeypatch, "2")
    assert json.loads(one["incidents"].splitlines()[0])
    assert one == two


@pytest.mark.parametrize("value", ["two", "0"])
def test_a_bad_worker_count_is_named(monkeypatch, value):
    monkeypatch.setenv("TALLY_WORKERS", value)
    with pytest.raises(Exception, match="TALLY_WORKERS"):
        parallel.workers()
