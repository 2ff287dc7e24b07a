"""`tally serve` as a user runs it: a real process on 127.0.0.1 answering the pages and the API."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from tally.cli import main


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_is_a_command_with_host_port_and_db() -> None:
    out = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--host" in out and "--port" in out and "--db" in out and "127.0.0.1" in out


def test_serve_answers_on_localhost(demo_db: str) -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tally.cli", "serve", "--db", demo_db, "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body = None
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/incidents?limit=1", timeout=2) as r:
                    body = r.read().decode()
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        assert body and '"ok":true' in body, proc.stdout.read() if proc.poll() is not None else "no answer"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/incidents", timeout=5) as r:
            assert r.status == 200 and "Incidents" in r.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_refuses_a_database_it_cannot_open(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["serve", "--db", str(tmp_path / "no" / "such" / "dir" / "x.db")])
    assert r.exit_code != 0 and "no ledger at" in r.output and "tally ingest" in r.output
