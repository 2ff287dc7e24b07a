"""Fault tests run the real `tally ingest` and count the faults they inject for RELIABILITY.md."""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterator

import pytest

from faults_corpus import ledger, run_ingest
from trust_log import record


@pytest.fixture(scope="session")
def clean_ledger(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    done = run_ingest(db)
    assert done.returncode == 0, done.stderr
    return ledger(db)


@pytest.fixture(scope="session")
def faults() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    yield counts
    record("faults", counts)
