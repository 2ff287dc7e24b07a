"""Ledger revisions and what changed between two of them, so users of an export can re-sync (as ACLED users do).

Every rebuild that adds, changes or removes an incident record makes a new revision; each incident record is kept
once per version, valid from the revision that made it until the one that replaced it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tally.errors import ReviewError
from tally.store.db import Store

ADDED, CHANGED, REMOVED = "added", "changed", "removed"


@dataclass(frozen=True, slots=True)
class Change:
    """One incident that differs between two revisions, and which of its fields changed."""

    incident: str
    change: str                    # added | changed | removed
    fields: tuple[str, ...]
    before: dict[str, Any] | None
    after: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return {"incident": self.incident, "change": self.change, "fields": list(self.fields),
                "before": self.before, "after": self.after}


def _check(store: Store, rev: int) -> None:
    latest = store.current_revision()
    if not 0 <= rev <= latest:
        raise ReviewError(f"no ledger revision {rev}; revisions run from 0 (empty) to {latest} "
                          f"(see `tally revisions`)", code="T610")


def diff(store: Store, old: int, new: int) -> list[Change]:
    """Incidents added, changed and removed from revision ``old`` to revision ``new``, by id."""
    _check(store, old)
    _check(store, new)
    before, after = store.incidents_at(old), store.incidents_at(new)
    out = []
    for iid in sorted(set(before) | set(after)):
        b, a = before.get(iid), after.get(iid)
        if b is None:
            out.append(Change(iid, ADDED, (), None, a))
        elif a is None:
            out.append(Change(iid, REMOVED, (), b, None))
        elif a != b:
            fields = tuple(sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k)))
            out.append(Change(iid, CHANGED, fields, b, a))
    return out


def revisions(store: Store) -> list[dict[str, Any]]:
    return store.revision_rows()
