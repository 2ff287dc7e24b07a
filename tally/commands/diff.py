"""`tally revisions` and `tally diff REV1 REV2`: the ledger's revisions and what changed between two of them."""
from __future__ import annotations

import sys

import click

from tally.commands.review import _DB, _emit, _FORMAT, _run, _store
from tally.readout import formats


@click.command()
@click.argument("old", type=int)
@click.argument("new", type=int, required=False)
@_DB
@_FORMAT
def diff(old: int, new: int | None, db: str | None, fmt: str) -> None:
    """Incidents added, changed and removed from revision OLD to NEW (default: the latest); jsonl carries the
    records before and after, to re-sync a copy of the ledger."""
    from tally.review import diff as run

    store = _store(db)
    changes = _run(lambda: run(store, old, store.current_revision() if new is None else new))
    if fmt == "jsonl":
        formats.write_jsonl([c.as_dict() for c in changes], sys.stdout)
        return
    rows = [{"incident": c.incident, "change": c.change, "fields": list(c.fields)} for c in changes]
    _emit(rows, fmt, ["incident", "change", "fields"])


@click.command()
@_DB
@_FORMAT
def revisions(db: str | None, fmt: str) -> None:
    """Every ledger revision: when, why, and how many incidents it added, changed and removed."""
    from tally.review import revisions as run

    _emit(run(_store(db)), fmt, ["rev", "made_at", "reason", "added", "changed", "removed", "incidents"])
