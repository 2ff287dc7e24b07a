"""The `tally` command: a thin layer over the pipeline and the store."""
from __future__ import annotations

import json
import logging
import sys
from typing import Any, Callable, Sequence

import click

from tally.errors import TallyError
from tally.readout import formats
from tally.readout.formats import rng

_DB = click.option("--db", envvar="TALLY_DB", default=None, metavar="PATH|URL",
                   help="Database file or URL (default tally.db; env TALLY_DB).")
_MIN_CONFIDENCE = click.option("--min-confidence", type=click.FloatRange(0, 1), default=0.0, show_default=True,
                               help="Only what Tally is at least this sure of (0-1); a wrong figure is worse than none.")
_FORMAT = click.option("--format", "fmt", type=click.Choice(formats.FORMATS), default="table", show_default=True)
_OUTPUT = click.option("--output", "-o", metavar="FILE", default=None,
                       help="Write the export to FILE instead of stdout (needed for binary formats such as parquet).")


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
@click.option("--fetch", is_flag=True, help="Feeds: download each entry's linked page (politely) and read it.")
@click.option("--csv-map", metavar="FIELD=COLUMN,...", help="CSV: which column holds text, id, url, title, "
              "published or html (e.g. text=body,title=headline).")
@click.option("--csv-config", type=click.Path(exists=True, dir_okay=False), help="CSV: a TOML file with a [csv] "
              "table of FIELD = \"column\" lines.")
@click.option("--max-mb", type=float, default=5.0, show_default=True, help="Size cap of one report (a file, "
              "a line, a WARC record, a page), in MB.")
def ingest(paths: Sequence[str], db: str | None, fetch: bool, csv_map: str | None, csv_config: str | None,
           max_mb: float) -> None:
    """Read reports into the ledger: text, HTML, JSON Lines (- for stdin), WARC, RSS/Atom files or URLs, CSV."""
    from sqlalchemy.exc import SQLAlchemyError

    from tally.commands.ingest_options import read_options
    from tally.pipeline import ingest as run
    from tally.progress import ProgressBar

    store = _store(db)
    rejects: list[str] = []
    _echo_rejects(rejects)
    bar = ProgressBar()
    try:
        with read_options(fetch, csv_map, csv_config, max_mb) as options:
            summary = run(paths, store, bar, options)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    except SQLAlchemyError as exc:  # disk full, a read-only file, a lost connection: a clear error, no traceback
        raise click.ClickException(f"[T400] cannot write to {store.shown_url}: {str(exc).splitlines()[0]}; every report "
                                   "stored so far is whole, fix this and run the same command again") from exc
    finally:
        bar.close()
    for line in summary.lines():
        click.echo(line, err=True)
    if summary.rejected:
        sys.exit(1)


def _echo_rejects(sink: list[str]) -> None:
    """Reject lines reach stderr even when -v is off (the root logger then passes only errors)."""
    logger = logging.getLogger("tally.pipeline")
    logger.addHandler(_RejectEcho(sink))
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
        logger.propagate = False


class _RejectEcho(logging.Handler):
    """One line per rejected file or record, on stderr, whatever the log level."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        self.sink.append(msg)
        from tqdm import tqdm

        tqdm.write(msg, file=sys.stderr)      # above the progress bar, when there is one


def _emit(rows: list[dict[str, Any]], fmt: str, columns: list[tuple[str, Callable[[dict[str, Any]], Any]]],
          output: str | None = None) -> None:
    if fmt == "table":
        formats.write_table(rows, sys.stdout, columns)
        return
    kind = click.get_current_context().command.name or "incidents"  # the command is named for its records
    to_file = output not in (None, "-")
    try:
        exp = formats.export_for(fmt, kind)
        if exp.binary and not to_file and sys.stdout.isatty():
            raise click.ClickException(f"{fmt} is a binary format: write it to a file with --output FILE.{exp.extension}"
                                       " (or pipe it to another program)")
        data = exp.render(rows, kind)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    if to_file:
        try:
            with open(str(output), "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}") from exc
        click.echo(f"wrote {len(rows)} {kind} as {fmt} to {output}", err=True)
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


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
@_OUTPUT
@_MIN_CONFIDENCE
def incidents(db: str | None, fmt: str, output: str | None, min_confidence: float) -> None:
    """Every incident once, with its figures and sources."""
    from tally.readout import ledger

    _emit(ledger.incidents(_store(db), min_confidence), fmt, INCIDENT_COLUMNS, output)


@main.command()
@_DB
@_FORMAT
@_OUTPUT
def tallies(db: str | None, fmt: str, output: str | None) -> None:
    """Running totals (campaign or war tolls), apart from incidents."""
    from tally.readout import ledger

    cols = [("id", lambda r: r["id"]), ("scope", lambda r: r["scope"]), ("from", lambda r: r["period_from"]),
            ("as of", lambda r: r["as_of"]),
            ("killed", lambda r: "; ".join(f"{k} {rng(v)}" for k, v in r["killed"].items())),
            ("sources", lambda r: r["sources"]), ("reports", lambda r: r["articles"])]
    _emit(ledger.tallies(_store(db)), fmt, cols, output)


@main.command()
@_DB
@_FORMAT
@_OUTPUT
@_MIN_CONFIDENCE
def claims(db: str | None, fmt: str, output: str | None, min_confidence: float) -> None:
    """Every casualty claim with its source and evidence sentence."""
    from tally.readout import ledger

    cols = [("id", lambda r: r["id"][:10]), ("article", lambda r: r["article"]), ("kind", lambda r: r["kind"]),
            ("category", lambda r: r["category"]), ("side", lambda r: r["side"]),
            ("figure", lambda r: rng(r)), ("date", lambda r: r["date_from"]), ("scope", lambda r: r["scope"]),
            ("source", lambda r: r["source"]), ("stance", lambda r: r["stance"]), ("quote", lambda r: r["quote"])]
    _emit(ledger.claims(_store(db), min_confidence), fmt, cols, output)


@main.command()
@_DB
@_FORMAT
@_OUTPUT
@_MIN_CONFIDENCE
def articles(db: str | None, fmt: str, output: str | None, min_confidence: float) -> None:
    """Every report read, with its copies and the figures it gives (from claims at or above --min-confidence)."""
    from tally.readout import ledger

    cols = [("key", lambda r: r["key"]), ("published", lambda r: r["published"]), ("outlet", lambda r: r["outlet"]),
            ("copy of", lambda r: r["duplicate_of"]), ("lang", lambda r: r["language"]),
            ("killed", lambda r: rng(r["killed"])), ("injured", lambda r: rng(r["injured"])),
            ("incidents", lambda r: len(r["incidents"])), ("title", lambda r: r["title"])]
    _emit(ledger.articles(_store(db), min_confidence), fmt, cols, output)


@main.command()
@_DB
@_FORMAT
def rejects(db: str | None, fmt: str) -> None:
    """Files and records that could not be read, and why."""
    rows = _store(db).reject_rows()
    _emit(rows, fmt, [(k, (lambda k: lambda r: r[k])(k)) for k in ("origin", "stage", "code", "reason", "seen")])


@main.command()
@click.argument("ident")
@_DB
def show(ident: str, db: str | None) -> None:
    """One incident, tally, claim or report in full, with its evidence."""
    from tally.readout import ledger

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
from tally.commands.spark import spark  # noqa: E402
from tally.commands.watch import watch  # noqa: E402

main.add_command(eval_command)
main.add_command(serve)
main.add_command(spark)
main.add_command(watch)

from tally.commands.diff import diff, revisions  # noqa: E402
from tally.commands.review import review  # noqa: E402

main.add_command(review)
main.add_command(diff)
main.add_command(revisions)


if __name__ == "__main__":
    main()
