"""A ledger holding hostile reports (scripts, event handlers, odd HTML in ids, titles, URLs and text; our own
words) next to the demo corpus, and the web app over it. Security tests count their probes for RELIABILITY.md."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest
from fastapi.testclient import TestClient

from tally.pipeline import ingest
from tally.store.db import Store
from tally.web.app import create_app
from trust_log import record

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile-reports.jsonl"


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    ingest([str(ROOT / "examples" / "reports.jsonl"), str(HOSTILE)], Store(str(path)))
    return str(path)


@pytest.fixture(scope="session")
def hostile_client(hostile_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(hostile_db), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def probes() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    yield counts
    record("security", counts)
