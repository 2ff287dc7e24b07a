"""The `tally` command: a thin layer over the pipeline and the store."""
from __future__ import annotations

import json
import logging
import sys
from typing import Any, Callable, Sequence

import click
from sqlalchemy.exc import SQLAlchemyError

from tally.errors import TallyError
from tally.readout import formats, ledger
from tally.readout.formats import rng

_DB = click.option("--db", envvar="TALLY_DB", default=None, metavar="PATH|URL",
                   help="Database file or URL (default tally.db; env TALLY_DB).")
_MIN_CONFIDENCE = click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
                               help="Only what Tally is at least this sure of (0-1); a wrong figure is worse than none.")
_FORMAT = click.option("--format", "fmt", type=click.Choice(formats.FORMATS), default="table", show_default=True)


def _store(db: str | None) -> Any:
    from tally.store.db import Store

    try:
        return Store(db)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log each stage's decisions.")
def main(verbose: bool) -> None:
    """Tally: turn conflict news reports into a sourced casualty ledger."""
    logging.basicConfig(level=logging.INFO if verbose else logging.ERROR, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@_DB
def ingest(paths: Sequence[str], db: str | None) -> None:
    """Read reports (text files, folders, JSON Lines, or - for JSON Lines on stdin) into the ledger."""
    from tally.pipeline import ingest as run

    store = _store(db)
    rejects: list[str] = []
    logging.getLogger("tally.pipeline").addHandler(_RejectEcho(rejects))
    try:
        summary = run(paths, store)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:  # disk full, a read-only file, a lost connection: a clear error, no traceback
        raise click.ClickException(f"[T400] cannot write to {store.url}: {str(exc).splitlines()[0]}; every report "
                                   "stored so far is whole, fix this and run the same command again") from exc
    for line in summary.lines():
        click.echo(line, err=True)
    if summary.rejected:
        sys.exit(1)


class _RejectEcho(logging.Handler):
    """One line per rejected file or record, on stderr, whatever the log level."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        self.sink.append(msg)
        click.echo(msg, err=True)


def _emit(rows: list[dict[str, Any]], fmt: str, columns: list[tuple[str, Callable[[dict[str, Any]], Any]]]) -> None:
    if fmt == "jsonl":
        formats.write_jsonl(rows, sys.stdout)
    elif fmt == "csv":
        formats.write_csv([_csv_row(r) for r in rows], sys.stdout)
    else:
        formats.write_table(rows, sys.stdout, columns)


def _csv_row(r: dict[str, Any]) -> dict[str, Any]:
    """Nested figures become flat columns (killed_civilian_min ...) for spreadsheets."""
    out: dict[str, Any] = {}
    for k, v in r.items():
        if k in ("killed", "injured") and isinstance(v, dict) and all(isinstance(x, dict) or x is None for x in v.values()):
            if "min" in v and not isinstance(v.get("min"), dict):
                out[f"{k}_min"], out[f"{k}_max"] = v.get("min"), v.get("max")
                continue
            for cat in ("civilian", "combatant", "unknown", "total"):
                fig = v.get(cat) or {}
                for part in ("min", "max", "best"):
                    out[f"{k}_{cat}_{part}"] = fig.get(part)
        elif k in ("evidence", "victim_sides", "place_details", "merge_reasons"):
            out[k] = json.dumps(v, ensure_ascii=False)
        else:
            out[k] = v
    return out


def _cat(kind: str, cat: str) -> Callable[[dict[str, Any]], str]:
    return lambda r: rng((r.get(kind) or {}).get(cat))


INCIDENT_COLUMNS = [
    ("id", lambda r: r["id"]), ("from", lambda r: r["date_from"]), ("to", lambda r: r["date_to"]),
    ("place", lambda r: ", ".join(r["places"][:3]) or r.get("admin1") or r.get("country")),
    ("event", lambda r: r["event_type"]), ("perpetrator", lambda r: r["perpetrator"]),
    ("civ", _cat("killed", "civilian")), ("comb", _cat("killed", "combatant")), ("unk", _cat("killed", "unknown")),
    ("killed", _cat("killed", "total")), ("injured", _cat("injured", "total")),
    ("contested", lambda r: "CONTESTED" if r["contested"] else ""), ("reports", lambda r: len(r["articles"])),
    ("sources", lambda r: r["sources"]),
]


@main.command()
@_DB
@_FORMAT
@_MIN_CONFIDENCE
def incidents(db: str | None, fmt: str, min_confidence: float) -> None:
    """Every incident once, with its figures and sources."""
    _emit(ledger.incidents(_store(db), min_confidence), fmt, INCIDENT_COLUMNS)


@main.command()
@_DB
@_FORMAT
def tallies(db: str | None, fmt: str) -> None:
    """Running totals (campaign or war tolls), apart from incidents."""
    cols = [("id", lambda r: r["id"]), ("scope", lambda r: r["scope"]), ("from", lambda r: r["period_from"]),
            ("as of", lambda r: r["as_of"]),
            ("killed", lambda r: "; ".join(f"{k} {rng(v)}" for k, v in r["killed"].items())),
            ("sources", lambda r: r["sources"]), ("reports", lambda r: r["articles"])]
    _emit(ledger.tallies(_store(db)), fmt, cols)


@main.command()
@_DB
@_FORMAT
@_MIN_CONFIDENCE
def claims(db: str | None, fmt: str, min_confidence: float) -> None:
    """Every casualty claim with its source and evidence sentence."""
    cols = [("id", lambda r: r["id"][:10]), ("article", lambda r: r["article"]), ("kind", lambda r: r["kind"]),
            ("category", lambda r: r["category"]), ("side", lambda r: r["side"]),
            ("figure", lambda r: rng(r)), ("date", lambda r: r["date_from"]), ("scope", lambda r: r["scope"]),
            ("source", lambda r: r["source"]), ("stance", lambda r: r["stance"]), ("quote", lambda r: r["quote"])]
    _emit(ledger.claims(_store(db), min_confidence), fmt, cols)


@main.command()
@_DB
@_FORMAT
@_MIN_CONFIDENCE
def articles(db: str | None, fmt: str, min_confidence: float) -> None:
    """Every report read, with its copies and the figures it gives (from claims at or above --min-confidence)."""
    cols = [("key", lambda r: r["key"]), ("published", lambda r: r["published"]), ("outlet", lambda r: r["outlet"]),
            ("copy of", lambda r: r["duplicate_of"]), ("lang", lambda r: r["language"]),
            ("killed", lambda r: rng(r["killed"])), ("injured", lambda r: rng(r["injured"])),
            ("incidents", lambda r: len(r["incidents"])), ("title", lambda r: r["title"])]
    _emit(ledger.articles(_store(db), min_confidence), fmt, cols)


@main.command()
@_DB
def rejects(db: str | None) -> None:
    """Files and records that could not be read, and why."""
    rows = _store(db).reject_rows()
    formats.write_table(rows, sys.stdout, [(k, (lambda k: lambda r: r[k])(k)) for k in
                                           ("origin", "stage", "code", "reason", "seen")])


@main.command()
@click.argument("ident")
@_DB
def show(ident: str, db: str | None) -> None:
    """One incident, tally, claim or report in full, with its evidence."""
    store = _store(db)
    for kind, rows in (("incident", ledger.incidents(store)), ("tally", ledger.tallies(store)),
                       ("claim", ledger.claims(store))):
        for r in rows:
            if r["id"] == ident or (kind == "claim" and r["id"].startswith(ident) and len(ident) >= 8):
                click.echo(json.dumps({"type": kind, **r}, indent=2, ensure_ascii=False, default=str))
                return
    art = ledger.article(store, ident)
    if art:
        click.echo(json.dumps({"type": "article", **art}, indent=2, ensure_ascii=False, default=str))
        return
    raise click.ClickException(f"no incident, tally, claim or report with id {ident!r} (see `tally incidents`)")


# Command groups kept in their own modules (tally/commands/).
from tally.commands.eval import eval_command  # noqa: E402
from tally.commands.serve import serve  # noqa: E402

main.add_command(eval_command)
main.add_command(serve)

if __name__ == "__main__":
    main()
