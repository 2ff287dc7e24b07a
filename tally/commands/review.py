"""`tally review ...`: corrections, the review queue, consistency checks and the audit log, from the command line.

A thin layer over ``tally.review``: each command checks its arguments, calls one library function and prints.
Who: --analyst (default $USER); why: --note.
"""
from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Any, Callable

import click

from tally.errors import TallyError
from tally.readout import formats

_DB = click.option("--db", envvar="TALLY_DB", default=None, metavar="PATH|URL",
                   help="Database file or URL (default tally.db; env TALLY_DB).")
_WHO = click.option("--analyst", default=None, help="Who makes the correction (default $USER).")
_WHY = click.option("--note", default="", help="Why: kept with the correction and in the audit log.")


def _store(db: str | None) -> Any:
    from tally.store.db import Store

    try:
        return Store(db)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc


def _who(analyst: str | None) -> str:
    if analyst:
        return analyst
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        raise click.ClickException("say who makes the correction with --analyst (no $USER is set)") from None


def _correct(db: str | None, action: str, target: str, value: dict[str, Any], analyst: str | None,
             note: str) -> None:
    from tally.review import correct

    try:
        c = correct(_store(db), action, target, value, analyst=_who(analyst), note=note)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    detail = f": {c.status_detail}" if c.status_detail else ""
    click.echo(f"{c.id}: {c.action} {c.target} ({c.status or 'stored'}{detail})")


def _run(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def review() -> None:
    """Review the ledger: correct claims and incidents, work the review queue, run checks, read the audit log."""


@review.command()
@click.argument("claim")
@_DB
@_WHO
@_WHY
def confirm(claim: str, db: str | None, analyst: str | None, note: str) -> None:
    """Confirm a claim: it counts at full confidence."""
    _correct(db, "confirm", claim, {}, analyst, note)


@review.command()
@click.argument("claim")
@_DB
@_WHO
@_WHY
def reject(claim: str, db: str | None, analyst: str | None, note: str) -> None:
    """Reject a claim: it no longer counts in any incident or tally."""
    _correct(db, "reject", claim, {}, analyst, note)


@review.command()
@click.argument("target")
@click.option("--min", "low", type=int, default=None, help="Lower bound.")
@click.option("--max", "high", type=int, default=None, help="Upper bound (leave out for open-ended).")
@click.option("--kind", type=click.Choice(["killed", "injured"]), default="killed", show_default=True)
@click.option("--category", default="total", show_default=True,
              help="civilian, combatant, unknown or total (incidents); for a claim, only the figure changes.")
@_DB
@_WHO
@_WHY
def figure(target: str, low: int | None, high: int | None, kind: str, category: str, db: str | None,
           analyst: str | None, note: str) -> None:
    """Set a figure: of an incident (inc-...) by kind and category, or of one claim."""
    if target.startswith("inc-"):
        _correct(db, "figure", target, {"kind": kind, "category": category, "min": low, "max": high}, analyst, note)
    else:
        _correct(db, "claim-figure", target, {"min": low, "max": high}, analyst, note)


@review.command()
@click.argument("claim")
@click.argument("category", type=click.Choice(["civilian", "combatant", "unknown"]))
@_DB
@_WHO
@_WHY
def category(claim: str, category: str, db: str | None, analyst: str | None, note: str) -> None:
    """Set the victims' category of a claim."""
    _correct(db, "claim-category", claim, {"category": category}, analyst, note)


@review.command()
@click.argument("incident")
@click.argument("other")
@_DB
@_WHO
@_WHY
def merge(incident: str, other: str, db: str | None, analyst: str | None, note: str) -> None:
    """Merge OTHER into INCIDENT (INCIDENT keeps its id)."""
    _correct(db, "merge", incident, {"with": other}, analyst, note)


@review.command()
@click.argument("incident")
@click.option("--claim", "claims", multiple=True, required=True, help="A claim to split off (repeatable).")
@_DB
@_WHO
@_WHY
def split(incident: str, claims: tuple[str, ...], db: str | None, analyst: str | None, note: str) -> None:
    """Split the named claims off INCIDENT into an incident of their own."""
    _correct(db, "split", incident, {"claims": list(claims)}, analyst, note)


@review.command()
@click.argument("incident")
@click.argument("name")
@_DB
@_WHO
@_WHY
def place(incident: str, name: str, db: str | None, analyst: str | None, note: str) -> None:
    """Set an incident's place (looked up in the gazetteer, in the incident's country first)."""
    _correct(db, "place", incident, {"name": name}, analyst, note)


@review.command()
@click.argument("incident")
@click.argument("start")
@click.argument("end", required=False)
@_DB
@_WHO
@_WHY
def date(incident: str, start: str, end: str | None, db: str | None, analyst: str | None, note: str) -> None:
    """Set an incident's date, or date range (YYYY-MM-DD [YYYY-MM-DD])."""
    _correct(db, "date", incident, {"from": start, "to": end or start}, analyst, note)


@review.command()
@click.argument("incident")
@click.argument("grade", type=click.Choice(["confirmed", "fair", "weak", "contested", "discounted"]))
@_DB
@_WHO
@_WHY
def grade(incident: str, grade: str, db: str | None, analyst: str | None, note: str) -> None:
    """Grade an incident (after Airwars: confirmed, fair, weak, contested, discounted)."""
    _correct(db, "grade", incident, {"grade": grade}, analyst, note)


@review.command()
@click.argument("item")
@_DB
@_WHO
@_WHY
def dismiss(item: str, db: str | None, analyst: str | None, note: str) -> None:
    """Dismiss a review-queue item (it comes back if what it says changes)."""
    _correct(db, "dismiss", item, {}, analyst, note)


@review.command()
@click.argument("correction")
@_DB
@_WHO
@_WHY
def withdraw(correction: str, db: str | None, analyst: str | None, note: str) -> None:
    """Stop applying a correction (it stays in the store and the audit log)."""
    from tally.review import withdraw as run

    c = _run(lambda: run(_store(db), correction, analyst=_who(analyst), note=note))
    click.echo(f"{c.id}: withdrawn {c.withdrawn_at}")


@review.command("note")
@click.argument("target")
@click.argument("text")
@_DB
@_WHO
def note_(target: str, text: str, db: str | None, analyst: str | None) -> None:
    """Write a note on a claim, incident or queue item into the audit log (changes no figure)."""
    from tally.review import note

    line = _run(lambda: note(_store(db), target, analyst=_who(analyst), note=text))
    click.echo(f"noted on {line['target']} at {line['at']}")


_FORMAT = click.option("--format", "fmt", type=click.Choice(formats.FORMATS), default="table", show_default=True)


def _emit(rows: list[dict[str, Any]], fmt: str, columns: list[str]) -> None:
    if fmt == "jsonl":
        formats.write_jsonl(rows, sys.stdout)
    elif fmt == "csv":
        formats.write_csv(rows, sys.stdout, columns)
    else:
        formats.write_table(rows, sys.stdout, [(c, (lambda c: lambda r: r.get(c))(c)) for c in columns])


@review.command("list")
@_DB
@_FORMAT
@click.option("--all", "show_all", is_flag=True, help="Include withdrawn corrections.")
def list_(db: str | None, fmt: str, show_all: bool) -> None:
    """Corrections with who, when, why, and what became of them on the last rebuild."""
    from tally.review import load_corrections

    rows = [c.as_dict() for c in load_corrections(_store(db), active_only=not show_all)]
    _emit(rows, fmt, ["id", "action", "target", "value", "analyst", "made_at", "status", "applied_to", "note"])


@review.command()
@_DB
@_FORMAT
@click.option("--min-confidence", type=float, default=0.6, show_default=True,
              help="Claims below this confidence are queued.")
@click.option("--limit", type=int, default=0, help="Show only the first N items.")
def queue(db: str | None, fmt: str, min_confidence: float, limit: int) -> None:
    """What needs a look, most important first, with the actions that settle each item."""
    from tally.review import review_queue

    rows = [i.as_dict() for i in review_queue(_store(db), min_confidence)]
    _emit(rows[:limit] if limit else rows, fmt, ["id", "priority", "kind", "target", "title", "actions"])


@review.command()
@_DB
@_FORMAT
@click.option("--check", "names", multiple=True, help="Run only this check (repeatable); default all.")
def check(db: str | None, fmt: str, names: tuple[str, ...]) -> None:
    """Run the consistency checks and list their findings, largest stake first."""
    from tally.review import CHECKS, run_checks

    unknown = [n for n in names if n not in CHECKS]
    if unknown:
        raise click.ClickException(f"unknown check {', '.join(unknown)}; one of {', '.join(CHECKS)}")
    rows = [f.as_dict() for f in run_checks(_store(db), list(names) or None)]
    _emit(rows, fmt, ["check", "target", "magnitude", "title"])


@review.command()
@click.argument("incident")
@_DB
def explain(incident: str, db: str | None) -> None:
    """How an incident's figures came to be: claims, merge reasons, corrections, versions and audit lines."""
    from tally.review import explain as run

    click.echo(json.dumps(_run(lambda: run(_store(db), incident)), indent=2, ensure_ascii=False, default=str))


@review.command()
@click.argument("target", required=False)
@_DB
@_FORMAT
def log(target: str | None, db: str | None, fmt: str) -> None:
    """The audit log, oldest first: corrections, withdrawals, status changes and revisions (for TARGET if given)."""
    from tally.review import history

    _emit(history(_store(db), target), fmt, ["seq", "at", "analyst", "action", "target", "revision", "detail"])
