"""Counts every fuzz case run, by target; with TALLY_TRUST_LOG set, adds them to that JSON file at the end of the
session (bench/reliability.py reads it to write docs/RELIABILITY.md)."""
from __future__ import annotations

from collections import Counter
from typing import Iterator

import pytest

from trust_log import record


@pytest.fixture(scope="session")
def fuzz_cases() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    yield counts
    record("fuzz", counts)
