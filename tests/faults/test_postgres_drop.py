"""PostgreSQL connections dropped in the middle of an ingest (pg_terminate_backend, as an administrator or a
server restart would): the store runs the step again and the ledger equals an uninterrupted run's; a connection
that keeps dropping fails with a clear StoreError (T420) that does not show the password."""
from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from faults_corpus import CORPUS, ledger

from tally.errors import StoreError
from tally.pipeline import ingest
from tally.store.db import Store
from tally.store.reconnect import RETRIES


class Dropper:
    """Ends every session of the test's database (the one running the statement and the one holding the ledger
    lock) just before chosen statements: the Nth ones, and the first that starts with each of ``before``."""

    def __init__(self, admin: str, store: Store, at: set[int], before: list[str], always: bool = False) -> None:
        self.admin = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        self.database = store.engine.url.database
        self.at, self.before, self.always = set(at), list(before), always
        self.n = self.drops = 0
        sa.event.listen(store.engine, "before_cursor_execute", self.maybe_drop)

    def maybe_drop(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.n += 1
        hit = next((b for b in self.before if statement.lstrip().upper().startswith(b)), None)
        if not (self.always or self.n in self.at or hit):
            return
        if hit:
            self.before.remove(hit)
        with self.admin.connect() as cx:
            cx.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = :db AND pid <> pg_backend_pid()"), {"db": self.database})
        self.drops += 1


@pytest.fixture(scope="module")
def pg_clean_ledger(pg_module_url: str) -> dict[str, Any]:
    """The corpus ingested on PostgreSQL without a fault."""
    ingest(CORPUS, Store(pg_module_url))
    return ledger(pg_module_url)   # type: ignore[arg-type]


@pytest.mark.parametrize("at,before", [
    ({3, 40, 150}, []),                                                   # while reports are stored
    (set(), ["DELETE FROM INCIDENT_CLAIMS", "INSERT INTO REVISIONS"]),   # in the ledger swap, lock holder too
    ({25}, ["SELECT CLAIMS.", "INSERT INTO INCIDENTS"]),                 # reading claims for the rebuild
])
def test_a_dropped_connection_mid_ingest_leaves_the_same_ledger(pg_clean_ledger: dict[str, Any], pg_url: str,
                                                                 pg_admin: str, faults: Counter[str],
                                                                 at: set[int], before: list[str]) -> None:
    store = Store(pg_url)
    dropper = Dropper(pg_admin, store, at, before)
    ingest(CORPUS, store)
    assert dropper.drops >= 2, f"only {dropper.drops} drop(s) landed"
    assert ledger(pg_url) == pg_clean_ledger   # type: ignore[arg-type]
    with store.ledger_lock():                  # the lock was given back: another run can take it
        pass
    faults["PostgreSQL connections dropped during ingest"] += dropper.drops


def test_a_connection_that_keeps_dropping_fails_cleanly_without_the_password(pg_url: str, pg_admin: str,
                                                                            faults: Counter[str]) -> None:
    url = sa.engine.make_url(pg_url).set(password="not-shown-1234").render_as_string(hide_password=False)
    try:
        store = Store(url)
    except StoreError:
        pytest.skip("the server checks passwords; this test sets one the trust-auth test server ignores")
    dropper = Dropper(pg_admin, store, set(), [], always=True)
    with pytest.raises(StoreError) as caught:
        store.article_hashes()
    assert caught.value.code == "T420" and "lost the connection" in str(caught.value)
    assert "not-shown-1234" not in str(caught.value) and "***" in str(caught.value)
    assert dropper.drops == RETRIES + 1
    faults["PostgreSQL connections dropped during ingest"] += dropper.drops
