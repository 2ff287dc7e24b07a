"""A ledger built once from the planted-inconsistency corpus; each test gets its own copy of the database."""
import shutil
from pathlib import Path

import pytest

from tally.pipeline import ingest
from tally.store.db import Store

from review_corpus import CORPUS


@pytest.fixture(scope="session")
def corpus_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("corpus") / "template.db"
    store = Store(str(db))
    summary = ingest([str(CORPUS / "reports.jsonl")], store)
    assert not summary.rejected
    store.engine.dispose()
    return db


@pytest.fixture
def corpus_db(corpus_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "tally.db"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(corpus_template) + suffix)
        if src.exists():
            shutil.copy(src, str(db) + suffix)
    return db
