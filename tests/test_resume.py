"""An ingest killed with SIGKILL at random moments, then run again, ends with exactly the ledger of a run that was
never interrupted: nothing lost, nothing counted twice."""
from __future__ import annotations

import json
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tally.pipeline import PER_TRANSACTION
from tally.readout import ledger
from tally.store.db import Store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SEED = 20231112
EXPORTS = ("incidents", "tallies", "claims", "articles", "rejects")


def _corpus(root: Path) -> tuple[Path, int]:
    """The demo corpus, plus variants of each report (other figures, so some are copies and some are not)."""
    folder = root / "corpus"
    shutil.copytree(EXAMPLES / "txt", folder / "txt")
    records = [json.loads(line) for line in (EXAMPLES / "reports.jsonl").read_text().splitlines() if line.strip()]
    rows = list(records)
    for v in (1, 2):
        for rec in records:
            bump = (lambda m, v=v: str(int(m.group()) + v))
            text = re.sub(r"\b\d{1,3}\b", bump, rec["text"]) if v == 1 else rec["text"] + f"\n\nUpdate {v}."
            rows.append({**rec, "id": f"{rec['id']}-v{v}", "text": text})
    lines = [json.dumps(r) for r in rows]
    lines.insert(len(lines) // 2, "{not json at all")
    (folder / "reports.jsonl").write_text("\n".join(lines) + "\n")
    return folder, len(rows) + len(list((folder / "txt").iterdir()))


def _tally(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("tally")), *args]


def _stored(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as cx:
            return int(cx.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:       # the table is not made yet
        return 0


def _kill_at_random(db: Path, corpus: Path, total: int, rng: random.Random, run_seconds: float) -> list[str]:
    """Start an ingest and SIGKILL it once it has stored a random further number of reports (or, the first time,
    at a random moment of its start-up); returns what happened, for the failure message. Ingest commits a few
    reports at a time (tally.pipeline.PER_TRANSACTION), so the kill lands at the first commit that reaches the
    target or goes past ``before``, whichever comes first, a random moment after it: in the next transaction."""
    story = []
    for attempt in range(3):
        before = _stored(db)
        target = rng.randint(before + 1, max(before + 1, total - 5))
        proc = subprocess.Popen(_tally("ingest", "--db", str(db), str(corpus)), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if attempt == 0:  # within the time a whole run takes on this machine, so the kill lands mid-run
            time.sleep(rng.uniform(0.1, max(0.2, min(2.0, run_seconds * 0.6))))
        else:
            deadline = time.monotonic() + 60
            while _stored(db) < min(target, before + PER_TRANSACTION) and proc.poll() is None \
                    and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        story.append(f"kill {attempt + 1}: {before} -> {_stored(db)} stored (aimed at {target})")
    return story


def _exports(db: Path) -> dict[str, list[dict[str, Any]]]:
    """What `tally incidents|tallies|claims|articles|rejects --format jsonl` print, read in this process."""
    store = Store(str(db))
    out: dict[str, list[dict[str, Any]]] = {
        "incidents": ledger.incidents(store, 0.0), "tallies": ledger.tallies(store),
        "claims": ledger.claims(store), "articles": ledger.articles(store),
        "rejects": [{k: v for k, v in r.items() if k not in ("seen", "last_seen")} for r in store.reject_rows()],
    }
    store.engine.dispose()
    return json.loads(json.dumps(out, default=str))


def test_killed_and_resumed_ingest_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    corpus, total = _corpus(tmp_path)
    whole, resumed = tmp_path / "whole.db", tmp_path / "resumed.db"
    started = time.monotonic()
    subprocess.run(_tally("ingest", "--db", str(whole), str(corpus)), capture_output=True, check=False)
    run_seconds = time.monotonic() - started

    rng = random.Random(SEED)
    for _round in range(5):  # on a fast machine a run can finish before a kill lands: start again, fresh
        for stale in tmp_path.glob("resumed.db*"):
            stale.unlink()
        story = _kill_at_random(resumed, corpus, total, rng, run_seconds)
        if _stored(resumed) < total:
            break
    assert _stored(resumed) < total, story                   # the kills did interrupt the run
    done = subprocess.run(_tally("ingest", "--db", str(resumed), str(corpus)), capture_output=True, text=True)
    assert done.returncode == 1 and "unchanged" in done.stderr   # 1: the corpus has one bad line

    expected, got = _exports(whole), _exports(resumed)
    assert len(expected["articles"]) == total and expected["incidents"]
    for what in EXPORTS:
        assert got[what] == expected[what], (what, story)
