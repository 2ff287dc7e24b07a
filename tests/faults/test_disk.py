"""A database that fills up or is read-only during `tally ingest`: a clear error naming the database, no
traceback, nothing half-written (no claim without its report), and the same command run again afterwards
gives the uninterrupted ledger."""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event

from faults_corpus import CORPUS, ledger
from tally.cli import main
from tally.store.db import Store


def _cap(dbapi_conn: Any, _record: Any) -> None:
    pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
    dbapi_conn.execute(f"PRAGMA max_page_count = {pages + 6}")


@pytest.fixture
def full_disk() -> Iterator[Callable[[], None]]:
    """Every SQLite connection opened meanwhile may grow only a few pages: SQLite's own "disk is full".
    Yields the function that frees the disk again."""
    event.listen(Engine, "connect", _cap)
    free = lambda: event.contains(Engine, "connect", _cap) and event.remove(Engine, "connect", _cap)  # noqa: E731
    yield free
    free()


def no_half_written(db: Path) -> None:
    store = Store(str(db))
    stored = {r["key"] for r in store.article_rows()}
    assert all(c["article"] in stored for c in store.claim_rows())


def ingest(db: str) -> Any:
    return CliRunner().invoke(main, ["ingest", "--db", db, *CORPUS])


def test_a_full_disk_is_a_clear_error_and_the_rerun_completes(
        tmp_path: Path, full_disk: Callable[[], None], clean_ledger: dict[str, Any], faults: Counter[str]) -> None:
    db = tmp_path / "full.db"
    r = ingest(str(db))
    faults["disk full during ingest"] += 1
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert "full" in r.output and str(db) in r.output and "Traceback" not in r.output
    full_disk()
    no_half_written(db)
    assert ingest(str(db)).exit_code == 0
    assert ledger(db) == clean_ledger


def test_a_read_only_database_is_a_clear_error_and_changes_nothing(tmp_path: Path, faults: Counter[str]) -> None:
    db = tmp_path / "ro.db"
    Store(str(db))
    before = ledger(db)
    r = ingest(f"sqlite:///file:{db}?mode=ro&uri=true")
    faults["read-only database during ingest"] += 1
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert "readonly" in r.output.replace("-", "").replace(" ", "") and "Traceback" not in r.output
    assert ledger(db) == before
