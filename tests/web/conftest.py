"""A ledger built from the demo corpus (examples/), the web app over it, live servers and offline browser tabs."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from tally.pipeline import ingest
from tally.store.db import Store
from tally.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# our own report with markup in its title and text, a contested figure and a newsletter prompt to remove
HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile.jsonl"
CORPUS = [str(EXAMPLES / "reports.jsonl"), str(EXAMPLES / "txt"), str(HOSTILE)]
SHOTS = os.environ.get("TALLY_SCREENSHOTS")   # e.g. docs/screenshots: where the README's screenshots go
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo corpus (and the hostile report) ingested once into a SQLite file; tests only read it."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    ingest(CORPUS, Store(str(path)))
    return str(path)


@pytest.fixture(scope="session")
def client(demo_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(demo_db)) as c:
        yield c


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by uvicorn on 127.0.0.1 with a free port, in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start within 30 s")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(demo_db: str) -> Iterator[str]:
    """`tally serve`'s app over the demo ledger (read-only), live; yields its base URL."""
    with serving(create_app(demo_db)) as url:
        yield url


@contextmanager
def offline_page(browser: Any, base_url: str) -> Iterator[Any]:
    """A browser tab on ``base_url`` with the network cut off: a request to any other host is aborted, and the
    test fails if there was one, or any error in the browser console."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, accept_downloads=True, base_url=base_url)
    pg = context.new_page()
    outside: list[str] = []
    errors: list[str] = []

    def offline(route: Any) -> None:
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", offline)
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    assert not outside, f"pages asked for other hosts: {outside}"
    assert not errors, f"errors in the browser console: {errors}"
    context.close()


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    with offline_page(browser, live_server) as pg:
        yield pg


@pytest.fixture
def shoot() -> Callable[[Any, str], None]:
    """shoot(page, name): save docs' screenshot NAME.png into $TALLY_SCREENSHOTS when it is set."""
    def save(pg: Any, name: str) -> None:
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            pg.screenshot(path=str(Path(SHOTS) / f"{name}.png"))
    return save


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright. Missing Chromium fails the test (CI installs it in .ci/run);
    set TALLY_SKIP_BROWSER=1 to skip these tests on a machine without it."""
    if not shutil.which(CHROMIUM):
        if os.environ.get("TALLY_SKIP_BROWSER"):
            pytest.skip(f"{CHROMIUM} is absent and TALLY_SKIP_BROWSER is set")
        pytest.fail(f"{CHROMIUM} is absent: run `apt-get install -y chromium` (as .ci/run does), "
                    "or set TALLY_SKIP_BROWSER=1 to skip the browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield b
        b.close()
