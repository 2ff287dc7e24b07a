"""The demo corpus plus our hostile reports, `tally ingest` as a subprocess, and the ledger as a user reads it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tally.store.db import Store

ROOT = Path(__file__).resolve().parents[2]
CORPUS = [str(ROOT / "examples" / "reports.jsonl"), str(ROOT / "examples" / "txt"),
          str(ROOT / "tests" / "security" / "fixtures" / "hostile-reports.jsonl")]


def ingest_cmd(db: Path) -> list[str]:
    return [sys.executable, "-m", "tally.cli", "ingest", "--db", str(db), *CORPUS]


def run_ingest(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(ingest_cmd(db), capture_output=True, text=True, timeout=600, cwd=ROOT)


def ledger(db: Path) -> dict[str, Any]:
    """What a user reads: incidents, tallies, claims and reports (without the time they were ingested)."""
    store = Store(str(db))
    articles = [{k: v for k, v in r.items() if k not in ("ingested_at", "seq", "signature")} for r in store.article_rows()]
    claims = [{k: v for k, v in r.items() if k != "seq"} for r in store.claim_rows()]
    return json.loads(json.dumps({"incidents": store.incident_docs(), "tallies": store.tally_docs(),
                                  "claims": sorted(claims, key=lambda c: c["id"]),
                                  "articles": sorted(articles, key=lambda a: a["key"])}, default=str))
