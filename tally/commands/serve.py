"""`tally serve`: the web pages and the JSON API over one ledger, on 127.0.0.1:8000 by default. Read-only."""
from __future__ import annotations

import click

from tally.errors import TallyError


@click.command()
@click.option("--db", envvar="TALLY_DB", default=None, metavar="PATH|URL",
              help="Database file or URL (default tally.db; env TALLY_DB).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
def serve(db: str | None, host: str, port: int) -> None:
    """Serve the ledger: pages with timeline and map, and a JSON API (/api, schema at /api/openapi.json)."""
    import uvicorn

    from tally.api import open_store
    from tally.web.app import create_app

    try:
        app = create_app(store=open_store(db))
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Tally is serving {app.state.store.shown_url} at http://{host}:{port}/ (Ctrl-C stops it)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
