"""kill -9 at random points during `tally ingest`, many times, then resume: the ledger equals an uninterrupted
run's, and re-running the finished input changes nothing."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from faults_corpus import ROOT, ingest_cmd, ledger, run_ingest
from trust_log import scaled

KILLS = scaled(5)


def test_kill_9_during_ingest_then_resume_gives_the_uninterrupted_ledger(
        tmp_path: Path, clean_ledger: dict[str, Any], faults: Counter[str]) -> None:
    db = tmp_path / "killed.db"
    rnd = random.Random(7)
    started = time.monotonic()
    full = run_ingest(tmp_path / "timing.db")               # how long one whole run takes on this machine
    assert full.returncode == 0, full.stderr
    whole = time.monotonic() - started
    killed_mid_run = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(ingest_cmd(db), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        time.sleep(rnd.uniform(0.2, 1.0) * whole)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            killed_mid_run += 1
            faults["kill -9 during ingest"] += 1
        proc.wait(timeout=60)
    assert killed_mid_run >= KILLS // 2, "most kills must land while ingest runs"
    resumed = run_ingest(db)
    assert resumed.returncode == 0, resumed.stderr
    assert ledger(db) == clean_ledger
    again = run_ingest(db)
    assert again.returncode == 0 and ledger(db) == clean_ledger
    faults["resumes compared with an uninterrupted run"] += 1
