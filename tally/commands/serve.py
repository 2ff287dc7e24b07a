"""`tally serve`: the web pages and the JSON API over one ledger, on 127.0.0.1:8000 by default. Read-only unless
a write token is given (--write-token-file or $TALLY_WRITE_TOKEN): then analysts can correct through the web."""
from __future__ import annotations

import click

from tally.errors import TallyError


@click.command()
@click.option("--db", envvar="TALLY_DB", default=None, metavar="PATH|URL",
              help="Database file or URL (default tally.db; env TALLY_DB).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--write-token-file", default=None, metavar="PATH",
              help="A file holding the token (16+ characters) that analyst corrections must send as "
                   "`Authorization: Bearer TOKEN` (else env TALLY_WRITE_TOKEN; neither: no writes).")
def serve(db: str | None, host: str, port: int, write_token_file: str | None) -> None:
    """Serve the ledger: pages with timeline and map, a review queue, and a JSON API (/api, schema at
    /api/openapi.json)."""
    import uvicorn

    from tally.api import open_store
    from tally.web.app import create_app
    from tally.web.writes import is_loopback, load_token

    try:
        token = load_token(write_token_file)
        app = create_app(store=open_store(db), write_token=token)
    except TallyError as exc:
        raise click.ClickException(str(exc)) from exc
    if token and not is_loopback(host):
        click.echo(f"Warning: writes are enabled and {host} is not a loopback address: anyone who can reach it "
                   "may try the token. Put TLS in front (the token travels in every write) or bind 127.0.0.1.",
                   err=True)
    writes = "corrections allowed with the write token" if token else "read-only"
    click.echo(f"Tally is serving {app.state.store.shown_url} at http://{host}:{port}/ ({writes}; Ctrl-C stops it)",
               err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
