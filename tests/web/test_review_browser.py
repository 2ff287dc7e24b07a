"""Reviewing in a real browser (Playwright driving Debian's Chromium, network cut off) against a live server with
a write token, on a copy of the demo ledger: the analyst types the token once, works the queue with single keys,
and each correction is stored with who and why while its item leaves the queue. Without JavaScript the queue is a
read-only list. TALLY_SCREENSHOTS=docs/screenshots saves docs/screenshots/review.png."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterator

import pytest

from tally.review import load_corrections, review_queue
from tally.store.db import Store
from tally.web.app import create_app

from .conftest import offline_page, serving

TOKEN = "browser-test-token-0123456789"


@pytest.fixture
def review_db(demo_db: str, tmp_path: Path) -> str:
    db = tmp_path / "review.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(demo_db + suffix).exists():
            shutil.copy(demo_db + suffix, str(db) + suffix)
    return str(db)


@pytest.fixture
def review_page(browser: Any, review_db: str) -> Iterator[Any]:
    with serving(create_app(review_db, write_token=TOKEN)) as url, offline_page(browser, url) as pg:
        yield pg


def _sign_in(pg: Any) -> None:
    pg.fill("#write-token input[name=by]", "ana")
    pg.fill("#write-token input[name=token]", TOKEN)
    pg.click("#write-token button[type=submit]")
    pg.locator("#write-status", has_text="writing as ana").wait_for()


def _go_to(pg: Any, item: str) -> None:
    """Move the selection to ``item`` with j and k, as an analyst would."""
    ids = pg.locator("li.review-item").evaluate_all("els => els.map(e => e.id)")
    current = pg.locator("li.review-item.current").get_attribute("id")
    step = ids.index(item) - ids.index(current)
    for _ in range(abs(step)):
        pg.keyboard.press("j" if step > 0 else "k")
    assert pg.locator("li.review-item.current").get_attribute("id") == item


def test_work_the_queue_with_single_keys(review_page: Any, review_db: str, shoot: Any) -> None:
    pg, queue = review_page, review_queue(Store(review_db))
    pg.goto("/review")
    assert pg.locator("li.review-item").count() == len(queue) > 2
    assert pg.locator("li.review-item").first.get_attribute("id") == queue[0].id    # queue.py's order
    _sign_in(pg)
    assert pg.evaluate("sessionStorage.getItem('tally-write-token')") == TOKEN
    assert pg.locator("#write-token input[name=token]").input_value() == ""          # not left in the form
    assert not pg.locator("#review-keys").is_visible()
    pg.keyboard.press("?")
    assert pg.locator("#review-keys").is_visible()
    shoot(pg, "review")
    pg.keyboard.press("?")

    claim = next(i for i in queue if "confirm" in i.actions)
    _go_to(pg, claim.id)
    pg.keyboard.press("c")
    pg.locator(f"#{claim.id}").wait_for(state="detached")
    [made] = load_corrections(Store(review_db))
    assert (made.action, made.target, made.analyst) == ("confirm", claim.target, "ana")

    contested = next(i for i in queue if i.kind == "contested")
    _go_to(pg, contested.id)
    pg.keyboard.press("n")
    pg.keyboard.type("two outlets agree")
    pg.keyboard.press("Escape")
    pg.keyboard.press("g")
    pg.keyboard.press("2")                                            # the second grade: fair
    pg.locator(f"#{contested.id}").wait_for(state="detached")
    graded = load_corrections(Store(review_db))[-1]
    assert (graded.action, graded.target, dict(graded.value), graded.note) == \
        ("grade", contested.target, {"grade": "fair"}, "two outlets agree")

    pg.reload()
    left = set(pg.locator("li.review-item").evaluate_all("els => els.map(e => e.id)"))
    assert not {claim.id, contested.id} & left and len(left) == len(queue) - 2


def test_grade_and_reject_on_the_incident_page(review_page: Any, review_db: str) -> None:
    pg = review_page
    inc = next(i for i in review_queue(Store(review_db)) if i.kind == "contested").target
    pg.goto(f"/incidents/{inc}")
    _sign_in(pg)
    pg.click("#incident-review button[data-grade=weak]")
    pg.locator("#grade", has_text="weak").wait_for()
    claim = pg.locator(".claim-actions button[data-act=reject]").first.get_attribute("data-claim")
    pg.click(f".claim-actions button[data-act=reject][data-claim='{claim}']")
    pg.locator(f".claim-actions button[data-claim='{claim}']").first.wait_for(state="detached")
    assert [(c.action, c.target, c.analyst) for c in load_corrections(Store(review_db))] == \
        [("grade", inc, "ana"), ("reject", claim, "ana")]


def test_without_javascript_the_queue_is_a_read_only_list(browser: Any, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False, base_url=live_server)
    pg = context.new_page()
    pg.goto("/review")
    assert pg.locator("li.review-item").count() > 2
    assert pg.locator("li.review-item blockquote.evidence").count() >= 1
    assert pg.locator("li.review-item a[href^='/incidents/inc-']").count() >= 1
    assert not pg.locator("#write-token").is_visible() and not pg.locator("#note-box").is_visible()
    context.close()
