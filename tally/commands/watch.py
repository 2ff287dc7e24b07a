"""`tally watch`: keep feeds and folders under watch and put each new report into the ledger as it arrives."""
from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import Sequence

import click

from tally.errors import TallyError


@click.command()
@click.option("--db", envvar="TALLY_DB", default=None, metavar="PATH|URL",
              help="Database file or URL (default tally.db; env TALLY_DB).")
@click.option("--config", "config", type=click.Path(exists=True, dir_okay=False),
              help="A TOML watch list: [[feed]] url, every, fetch; [[folder]] path, every.")
@click.option("--feed", "feeds", multiple=True, metavar="URL", help="An RSS or Atom feed to poll (repeatable).")
@click.option("--folder", "folders", multiple=True, metavar="PATH", help="A folder to scan for new files.")
@click.option("--every", type=float, default=300.0, show_default=True,
              help="Seconds between polls of each --feed / --folder.")
@click.option("--fetch", is_flag=True, help="Download the page each new feed entry links to.")
@click.option("--csv-map", metavar="FIELD=COLUMN,...", help="Folders: read CSV exports with this column mapping.")
@click.option("--csv-config", type=click.Path(exists=True, dir_okay=False),
              help="Folders: a TOML file with the [csv] column mapping.")
@click.option("--max-mb", type=float, default=5.0, show_default=True, help="Size cap of one report, in MB.")
@click.option("--polls", type=int, default=None, help="Stop after this many rounds (default: until a signal).")
def watch(db: str | None, config: str | None, feeds: Sequence[str], folders: Sequence[str], every: float,
          fetch: bool, csv_map: str | None, csv_config: str | None, max_mb: float, polls: int | None) -> None:
    """Poll feeds and folders on their schedules; stops cleanly on Ctrl-C or SIGTERM."""
    from tally.cli import _echo_rejects, _store
    from tally.commands.ingest_options import read_options
    from tally.sources.fetch import Fetcher
    from tally.sources.watch import FEED, FOLDER, Watched, Watcher, load_watchlist

    try:
        sources = load_watchlist(Path(config)) if config else []
        sources += [Watched(FEED, url, every, fetch) for url in feeds]
        sources += [Watched(FOLDER, path, every) for path in folders]
        store = _store(db)
        _echo_rejects([])
        stop = threading.Event()
        with read_options(False, csv_map, csv_config, max_mb) as options, Fetcher() as fetcher:
            watcher = Watcher(sources, store, fetcher, options, lambda line: click.echo(line, err=True))
            previous = _on_signals(stop)
            try:
                watcher.run(stop, polls=polls)
            finally:
                _restore(previous)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo("watch stopped", err=True)


def _on_signals(stop: threading.Event) -> dict[int, object]:
    def handler(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"{signal.Signals(signum).name}: stopping after the current report", err=True)
        stop.set()

    return {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}


def _restore(previous: dict[int, object]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)  # type: ignore[arg-type]
