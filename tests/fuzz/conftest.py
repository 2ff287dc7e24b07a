"""Counts every fuzz case run, by target; with TALLY_TRUST_LOG set, adds them to that JSON file at the end of the
session (bench/reliability.py reads it to write docs/RELIABILITY.md)."""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Iterator

import pytest

from trust_log import record

if TYPE_CHECKING:
    from hostile_site import HostileSite


@pytest.fixture(scope="session")
def fuzz_cases() -> Iterator[Counter[str]]:
    counts: Counter[str] = Counter()
    yield counts
    record("fuzz", counts)


@pytest.fixture(scope="module")
def hostile() -> Iterator["HostileSite"]:
    """The hostile web site (tests/fuzz/hostile_site.py) on 127.0.0.1; nothing reaches outside."""
    from hostile_site import HostileSite

    site = HostileSite().start()
    yield site
    site.stop()
