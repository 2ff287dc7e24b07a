"""A digest of the whole ledger, to prove a request changed nothing."""
from __future__ import annotations

import hashlib

from tally.store.db import Store


def ledger_digest(db: str) -> str:
    """A digest of every table's rows: equal digests mean nothing was written."""
    store = Store(db)
    rows = [store.incident_docs(), store.tally_docs(), store.claim_rows(), store.article_rows(), store.reject_rows()]
    return hashlib.sha256(repr(rows).encode()).hexdigest()
