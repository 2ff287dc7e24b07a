"""Acceptance: the five seed reports give the analyst's ledger (issue 2, 'Done when')."""
import json
import subprocess
import sys

from click.testing import CliRunner

from tally.cli import main


def _export(db, what, path):
    result = CliRunner().invoke(main, [what, "--db", str(db), "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    path.write_text(result.output)
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


def test_seeds_score_against_the_expected_ledger(tmp_path, shared_dir):
    db = tmp_path / "seeds.db"
    seeds = shared_dir / "seeds"
    reports = [str(p) for p in sorted(seeds.glob("*.txt"))]
    result = CliRunner().invoke(main, ["ingest", "--db", str(db), *reports])
    assert result.exit_code == 0, result.output
    files = {w: tmp_path / f"{w}.jsonl" for w in ("incidents", "tallies", "articles")}
    for what, path in files.items():
        _export(db, what, path)
    scored = subprocess.run(
        [sys.executable, str(shared_dir / "tools" / "score_ledger.py"), str(seeds / "expected-ledger.json"),
         str(files["incidents"]), "--tallies", str(files["tallies"]), "--articles", str(files["articles"]), "--json"],
        capture_output=True, text=True, check=True)
    res = json.loads(scored.stdout)
    assert res["incidents"]["f1"] == 1.0, res["incidents"]
    assert res["figures"]["right"] >= 13, res["figures"]["wrong"]
    assert res["tallies"]["right"] >= 6, res["tallies"]
    assert res["duplicates"]["f1"] == 1.0, res["duplicates"]


def test_seed_incident_contested_by_the_denial(tmp_path, shared_dir):
    db = tmp_path / "seeds.db"
    CliRunner().invoke(main, ["ingest", "--db", str(db), *map(str, sorted((shared_dir / "seeds").glob("*.txt")))])
    incidents = _export(db, "incidents", tmp_path / "i.jsonl")
    contested = [i for i in incidents if i["contested"]]
    assert len(contested) == 1
    assert contested[0]["injured"]["total"]["min"] == 20
