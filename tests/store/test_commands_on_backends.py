"""`--db URL` works for every command on every backend (`db_url`)."""
import json
from pathlib import Path

from click.testing import CliRunner

from tally.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "ledger" / "reports.jsonl"


def _ok(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_every_command_takes_a_database_url(db_url):
    first = CliRunner().invoke(main, ["ingest", "--db", db_url, str(CORPUS)])
    assert first.exit_code == 1 and "new 5" in first.output  # one record rejected, the rest stored
    again = CliRunner().invoke(main, ["ingest", "--db", db_url, str(CORPUS)])
    assert "unchanged 5" in again.output
    for command in ("incidents", "tallies", "claims", "articles"):
        assert "rows)" in _ok(command, "--db", db_url)
        assert _ok(command, "--db", db_url, "--format", "jsonl").strip()
    assert "record has no text" in _ok("rejects", "--db", db_url)
    incident = json.loads(_ok("incidents", "--db", db_url, "--format", "jsonl").splitlines()[0])
    assert json.loads(_ok("show", incident["id"], "--db", db_url))["type"] == "incident"
    assert json.loads(_ok("show", "k3", "--db", db_url))["type"] == "article"


def test_the_url_can_come_from_the_environment(db_url, monkeypatch):
    monkeypatch.setenv("TALLY_DB", db_url)
    assert "(0 rows)" in _ok("incidents")
