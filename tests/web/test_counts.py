"""The list's totals and filter choices, kept between requests (tally/web/counts.py): exact after every change."""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import event

from tally.pipeline import ingest
from tally.readout import query
from tally.readout.query import IncidentQuery
from tally.store.db import Store
from tally.web.app import create_app

from .conftest import CORPUS, EXAMPLES

LISTS = ["", "?country=SYRIA", "?country=syria&sort=killed&order=desc", "?q=killed", "?category=civilian&offset=1"]


def totals(client: TestClient) -> dict[str, int]:
    return {url: client.get("/api/incidents" + url).raise_for_status().json()["total"] for url in LISTS}


def fresh(store: Store) -> dict[str, int]:
    """The same counts, made now without any cache."""
    named = {"": {}, "?country=SYRIA": {"country": "syria"}, "?country=syria&sort=killed&order=desc":
             {"country": "syria"}, "?q=killed": {"q": "killed"}, "?category=civilian&offset=1": {"category": "civilian"}}
    return {url: query.count(store, IncidentQuery(**f)) for url, f in named.items()}   # type: ignore[arg-type]


def test_totals_and_choices_stay_exact_when_an_ingest_changes_the_ledger(db_url: str) -> None:
    first = Store(db_url)
    ingest([str(EXAMPLES / "reports.jsonl")], first)
    with TestClient(create_app(db_url)) as client:
        before = totals(client)
        assert before == fresh(first) and before[""] > 0
        choices = client.get("/incidents.json").json()["facets"]
        ingest(CORPUS, Store(db_url))   # another process adds reports: a new revision
        after = totals(client)
        assert after == fresh(first) and after[""] > before[""]
        assert client.get("/incidents.json").json()["facets"] != choices
        assert client.get("/incidents.json").json()["facets"] == query.facets(first)


def test_a_swap_of_the_incidents_is_seen_before_its_revision_is_recorded(db_url: str) -> None:
    store = Store(db_url)
    ingest(CORPUS, store)
    with TestClient(create_app(db_url)) as client:
        assert totals(client) == fresh(store)
        store.replace_ledger([], [])   # what a rebuild writes first; its revision is recorded after
        assert set(totals(client).values()) == {0}


def test_a_repeated_list_is_not_counted_again(db_url: str) -> None:
    ingest(CORPUS, Store(db_url))
    app = create_app(db_url)
    counted: list[str] = []
    event.listen(app.state.store.engine, "before_cursor_execute",
                 lambda _c, _cur, sql, *_a: counted.append(sql) if "count(" in sql.lower() else None)
    with TestClient(app) as client:
        one = client.get("/api/incidents?country=Syria&offset=0").json()
        made = len(counted)
        two = client.get("/api/incidents?country=syria&offset=1&sort=killed").json()
        assert one["total"] == two["total"] and made == 1 and len(counted) == made
