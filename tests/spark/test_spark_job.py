"""The Spark job (tally/spark/) in local mode on the demo corpus gives the single-machine ledger."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tally.cli import main

pytest.importorskip("pyspark", reason="the Spark extra is not installed (pip install 'tally[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH: the Spark job needs one (.ci/run installs openjdk-17-jre-headless)",
                allow_module_level=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INPUTS = [str(EXAMPLES / "reports.jsonl"), str(EXAMPLES / "txt")]
TALLY = [sys.executable, "-c", "from tally.cli import main; main()"]


def _export(db: Path, what: str) -> list[dict]:
    out = CliRunner().invoke(main, [what, "--db", str(db), "--format", "jsonl"]).output
    return [json.loads(x) for x in out.splitlines() if x.strip()]


@pytest.mark.parametrize("master", ["local[1]", "local[2]"])   # the ledger does not depend on the executors
def test_spark_ledger_equals_the_single_machine_ledger(tmp_path, master):
    single, loaded, out = tmp_path / "single.db", tmp_path / "spark.db", tmp_path / "parquet"
    r = CliRunner().invoke(main, ["ingest", "--db", str(single), *INPUTS])
    assert r.exit_code == 0, r.output
    job = subprocess.run([*TALLY, "spark", "run", "--master", master, "--out", str(out), *INPUTS],
                         capture_output=True, text=True, timeout=900)
    assert job.returncode == 0, job.stderr[-3000:]
    assert json.loads(job.stdout.splitlines()[-1])["reports"] == 29
    for table in ("articles", "claims", "denials", "incidents", "incident_claims", "tallies", "rejects"):
        assert (out / table).is_dir(), f"no Parquet table {table}"
    r = CliRunner().invoke(main, ["spark", "load", str(out), "--db", str(loaded)])
    assert r.exit_code == 0, r.output
    for what in ("incidents", "tallies", "claims"):
        assert _export(loaded, what) == _export(single, what), f"{what} differ between Spark and one machine"
    arts = {a["key"]: (a["duplicate_of"], a["published"], a["incidents"]) for a in _export(loaded, "articles")}
    assert arts == {a["key"]: (a["duplicate_of"], a["published"], a["incidents"]) for a in _export(single, "articles")}
    # loading the same tables again changes nothing
    r = CliRunner().invoke(main, ["spark", "load", str(out), "--db", str(loaded)])
    assert r.exit_code == 0, r.output
    assert _export(loaded, "incidents") == _export(single, "incidents")


def test_load_names_the_missing_table(tmp_path):
    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(main, ["spark", "load", str(tmp_path / "empty"), "--db", str(tmp_path / "x.db")])
    assert r.exit_code != 0
    assert "no Parquet table 'articles'" in r.output and "tally spark run" in r.output


def test_candidate_pairs_join_into_groups():
    from tally.spark.job import _groups

    assert _groups([(3, 7), (7, 9), (1, 2)]) == {1: 1, 2: 1, 3: 3, 7: 3, 9: 3}
