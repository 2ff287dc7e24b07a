"""`tally ingest` and `tally serve` on one SQLite file (WAL) at the same time: every request is answered and no
"database is locked" reaches a user, on either side; a database that cannot be opened is a clear error."""
from __future__ import annotations

import subprocess
import threading
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from fastapi.testclient import TestClient

from faults_corpus import ROOT, ingest_cmd
from tally.cli import main
from tally.store.db import Store
from tally.web.app import create_app

URLS = ["/api/incidents", "/api/reports", "/api/claims", "/api/tallies", "/incidents", "/timeline.json",
        "/api/stats/days"]


def test_reads_while_ingest_writes_never_see_a_locked_database(tmp_path: Path, faults: Counter[str]) -> None:
    db = tmp_path / "busy.db"
    Store(str(db))                                           # an empty ledger the server can open at once
    proc = subprocess.Popen(ingest_cmd(db), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    failures: list[str] = []
    answered = 0
    stop = threading.Event()

    def reader() -> None:
        nonlocal answered
        with TestClient(create_app(str(db)), raise_server_exceptions=False) as client:
            while not stop.is_set():
                for url in URLS:
                    r = client.get(url)
                    answered += 1
                    if r.status_code != 200 or "locked" in r.text:
                        failures.append(f"{url}: {r.status_code} {r.text[:120]}")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    out, err = proc.communicate(timeout=600)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    faults["requests served while ingest wrote"] += answered
    assert proc.returncode == 0, err
    assert "locked" not in err.lower()
    assert answered > 0 and not failures, failures[:5]
    assert Store(str(db)).incident_docs()


def test_a_database_in_a_missing_folder_is_a_clear_error(tmp_path: Path, faults: Counter[str]) -> None:
    report = tmp_path / "r.txt"
    report.write_text("Gunmen killed three villagers in Gao on Monday, the mayor said.\n")
    r = CliRunner().invoke(main, ["ingest", "--db", str(tmp_path / "no" / "such" / "x.db"), str(report)])
    faults["unopenable databases refused"] += 1
    assert r.exit_code != 0 and "x.db" in r.output and "Traceback" not in r.output
