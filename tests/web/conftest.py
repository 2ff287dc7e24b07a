"""A ledger built from the demo corpus (examples/), the web app over it, and a live server for the browser."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Iterator

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


@pytest.fixture(scope="session")
def live_server(demo_db: str) -> Iterator[str]:
    """`tally serve`'s app on 127.0.0.1 with a free port, in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(create_app(demo_db), host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start within 30 s")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


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
