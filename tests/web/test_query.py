"""readout/query.py on every storage backend (the db_url fixture): filters, sorting, paging, statistics."""
from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, inspect, select as sa_select, text

from tally.errors import ConfigError
from tally.pipeline import ingest
from tally.readout import ledger, query
from tally.readout.query import IncidentQuery
from tally.store.db import Store

from .conftest import CORPUS


@pytest.fixture
def demo(db_url: str) -> Store:
    store = Store(db_url)
    ingest(CORPUS, store)
    return store


def ids(store: Store, **filters: object) -> set[str]:
    return {r["id"] for r in query.all_incidents(store, IncidentQuery(**filters))}


def test_each_filter_keeps_exactly_the_incidents_that_match(demo: Store) -> None:
    everything = ledger.incidents(demo)
    assert ids(demo) == {r["id"] for r in everything}

    def expect(pred: object, **filters: object) -> None:
        want = {r["id"] for r in everything if pred(r)}  # type: ignore[operator]
        assert want, f"the demo corpus has no incident for {filters}"
        assert ids(demo, **filters) == want, filters

    expect(lambda r: r["country"] == "Syria", country="syria")
    expect(lambda r: r["admin1"] == "Idlib", admin1="Idlib")
    expect(lambda r: "Beledweyne" in r["places"], place="beledweyne")
    expect(lambda r: r["perpetrator"] == "Islamic State", perpetrator="Islamic State")
    expect(lambda r: r["event_type"] == "air_strike", event_type="air_strike")
    expect(lambda r: (r["killed"].get("combatant") or {}).get("best"), category="combatant")
    expect(lambda r: r["contested"], contested=True)
    expect(lambda r: not r["contested"], contested=False)
    expect(lambda r: r["confidence"] >= 0.9, min_confidence=0.9)
    expect(lambda r: r["date_from"] <= "2023-03-20" and (r["date_to"] or r["date_from"]) >= "2023-03-12",
           since=dt.date(2023, 3, 12), until=dt.date(2023, 3, 20))
    expect(lambda r: any("observatory" in t.lower() for t in r["sources"] + [e["quote"] for e in r["evidence"]]),
           q="Observatory")
    expect(lambda r: any("sarmīn" in p.lower() for p in r["places"]), q="SARMĪN")   # any case, any script


def test_sorting_and_paging_cover_every_incident_once(demo: Store) -> None:
    q = IncidentQuery(sort="killed", descending=True, limit=5)
    first = query.incidents(demo, q)
    assert first.total == len(ledger.incidents(demo)) and len(first.rows) == 5 and first.next_offset == 5
    seen, page = list(first.rows), first
    while page.next_offset is not None:
        page = query.incidents(demo, q.page(page.next_offset))
        seen += page.rows
    assert len({r["id"] for r in seen}) == first.total == len(seen)
    best = [(r["killed"].get("total") or {}).get("best") for r in seen]
    known = [b for b in best if b is not None]
    assert known == sorted(known, reverse=True) and best[:len(known)] == known   # unknown figures last


def test_statistics_per_day_and_region_add_up(demo: Store) -> None:
    rows = ledger.incidents(demo)
    total = sum((r["killed"].get("total") or {}).get("best") or 0 for r in rows)
    days = query.stats_per_day(demo)
    assert sum(d["killed"]["total"] for d in days) == total
    assert sum(d["incidents"] for d in days) == sum(1 for r in rows if r["date_from"])
    assert [d["date"] for d in days] == sorted(d["date"] for d in days)
    regions = query.stats_per_region(demo)
    assert sum(r["incidents"] for r in regions) == len(rows) and sum(r["killed"] for r in regions) == total
    syria = query.stats_per_region(demo, IncidentQuery(country="Syria"))
    assert syria and {r["country"] for r in syria} == {"Syria"}


def test_reports_claims_tallies_and_denials(demo: Store) -> None:
    page = query.reports(demo, limit=100)
    assert page.total == len(page.rows) == len(ledger.articles(demo))
    copies = [r for r in page.rows if r["duplicate_of"]]
    assert copies
    original = query.report(demo, copies[0]["duplicate_of"])
    assert original and copies[0]["key"] in [c["key"] for c in original["copies"]] and original["text"]
    assert query.report(demo, "no-such-report") is None
    assert len(query.claims(demo)) == len(ledger.claims(demo))
    assert all(c["kind"] == "killed" for c in query.claims(demo, kind="killed"))
    assert query.tallies(demo) == ledger.tallies(demo)
    contested = query.all_incidents(demo, IncidentQuery(contested=True))
    assert contested and query.denials(demo, contested[0]["articles"])


def test_bad_query_values_are_refused_with_the_choices() -> None:
    with pytest.raises(ConfigError, match="use one of"):
        IncidentQuery(sort="nonsense")
    with pytest.raises(ConfigError, match="civilian"):
        IncidentQuery(category="children")
    with pytest.raises(ConfigError, match="limit"):
        IncidentQuery(limit=0)


def test_a_database_from_tally_0_1_gains_the_filter_columns(tmp_path) -> None:
    """An incidents table without the new columns is upgraded on open and filled from the stored docs."""
    path = tmp_path / "old.db"
    doc = {"id": "inc-old", "places": ["Sarmin"], "killed": {"civilian": {"min": 4, "max": 6, "best": 5},
           "total": {"min": 4, "max": 6, "best": 5}}, "injured": {}, "event_type": "air_strike"}
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as cx:
        cx.execute(text("CREATE TABLE incidents (id VARCHAR(32) PRIMARY KEY, date_from DATE, date_to DATE, "
                        "country VARCHAR(128), admin1 VARCHAR(128), event_type VARCHAR(32), perpetrator VARCHAR(128), "
                        "killed_total_min INTEGER, contested BOOLEAN, confidence FLOAT, doc TEXT NOT NULL)"))
        cx.execute(text("INSERT INTO incidents (id, event_type, contested, confidence, doc) "
                        "VALUES ('inc-old', 'air_strike', 0, 0.9, :doc)"), {"doc": json.dumps(doc)})
    store = Store(str(path))
    assert ids(store, place="Sarmin", category="civilian") == {"inc-old"}
    indexes = {i["name"] for i in inspect(store.engine).get_indexes("incidents")}
    assert {"ix_incidents_killed", "ix_incidents_perpetrator"} <= indexes
    assert query.incidents(store, IncidentQuery(sort="killed")).rows[0]["id"] == "inc-old"
    with store.engine.connect() as cx:   # expression indexes (reflection skips them) and the text index, made on open
        names = set(cx.execute(text("SELECT name FROM sqlite_master WHERE tbl_name = 'incidents'")).scalars())
    assert {"ix_incidents_by_date_from", "ix_incidents_country_lc", "incidents_fts_insert"} <= names
    assert ids(store, q="sarm") == {"inc-old"} and ids(store, q="nowhere") == set()


def test_since_keeps_every_incident_still_running_that_day_however_long_it_runs(demo: Store) -> None:
    everything = ledger.incidents(demo)
    ends = {r["id"]: r["date_to"] or r["date_from"] for r in everything}
    days = sorted({d for d in ends.values() if d})
    assert demo.longest_span() is not None   # the bound the query adds on date_from
    for day in days[::max(1, len(days) // 6)] + [days[-1]]:
        since = dt.date.fromisoformat(day)
        assert ids(demo, since=since) == {i for i, e in ends.items() if e and e >= day}, day
        assert query.count(demo, IncidentQuery(since=since, until=since)) == sum(
            1 for r in everything if r["date_from"] and r["date_from"] <= day <= ends[r["id"]])


def test_min_killed_keeps_incidents_with_at_least_that_many_killed(demo: Store) -> None:
    everything = ledger.incidents(demo)
    best = {r["id"]: (r["killed"].get("total") or {}).get("best") for r in everything}
    for n in (0, 1, 5, 30):
        assert ids(demo, min_killed=n) == {i for i, b in best.items() if b is not None and b >= n}, n
    assert ids(demo, min_killed=5, category="civilian") <= ids(demo, category="civilian")


def _search_reference(store: Store, needle: str) -> set[str]:
    """What text search means: the needle, lower-cased, is a substring of the incident's search text."""
    from tally.store.columns import search_text

    return {r["id"] for r in ledger.incidents(store) if needle.lower() in search_text(r)}


@pytest.mark.parametrize("needle", ["observatory", "Idl", "ib", "a", "sarmīn", "100%", "a_b", 'say "', "zzzqqq"])
def test_text_search_through_the_index_finds_exactly_the_substring_matches(demo: Store, needle: str) -> None:
    assert demo.text_index in ("fts5", "pg_trgm")
    assert ids(demo, q=needle) == _search_reference(demo, needle)
    page = query.incidents(demo, IncidentQuery(q=needle, sort="killed", descending=True, limit=3))
    assert page.total == len(_search_reference(demo, needle))


@pytest.mark.parametrize("needle", ["observatory", "Idl", "sarmīn", "100%", "zzzqqq"])
def test_a_text_search_page_is_the_same_whether_read_through_the_index_or_by_walking_the_order(
        demo: Store, needle: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def pages(cost: int) -> list[list[str]]:
        monkeypatch.setattr(query, "WALKED_ROW_COST", dict.fromkeys(query.WALKED_ROW_COST, cost))  # 0: walk; huge: list
        return [[r["id"] for r in query.incidents(demo, IncidentQuery(q=needle, sort=sort, descending=desc,
                                                                      limit=2, offset=offset)).rows]
                for sort, desc in (("date", False), ("killed", True)) for offset in (0, 1, 3)]

    assert pages(0) == pages(10**9)
    assert pages(0)[0] or not _search_reference(demo, needle)


def test_the_text_index_follows_the_ledger_when_it_is_rebuilt_or_changed(demo: Store) -> None:
    from tally.store import schema

    target = sorted(_search_reference(demo, "observatory"))[0]
    with demo.engine.begin() as cx:   # what `replace_ledger` and an upgrade do to a row: its search text changes
        cx.execute(schema.incidents.update().where(schema.incidents.c.id == target)
                   .values(search="a new quartzite word"))
    assert ids(demo, q="quartzite") == {target} and target not in ids(demo, q="observatory")
    assert query.count(demo, IncidentQuery(q="Quartzite")) == 1   # text alone is counted in the index itself
    ingest(CORPUS, demo)   # the same reports again: the ledger is replaced, every row deleted and written anew
    assert ids(demo, q="quartzite") == set() and target in ids(demo, q="observatory")


def _text_pages(store: Store, needle: str, descending: bool) -> tuple[list[str], list[str]]:
    """A text search alone in the date order, paged two at a time by cursor and by offset: the ids in order."""
    by_cursor: list[str] = []
    page = query.incidents(store, IncidentQuery(q=needle, descending=descending, limit=2))
    by_cursor += [r["id"] for r in page.rows]
    while page.next_after is not None:
        page = query.incidents(store, IncidentQuery(q=needle, descending=descending, limit=2, after=page.next_after))
        by_cursor += [r["id"] for r in page.rows]
    by_offset = [r["id"] for offset in range(0, len(by_cursor) + 2, 2) for r in
                 query.incidents(store, IncidentQuery(q=needle, descending=descending, limit=2, offset=offset)).rows]
    return by_cursor, by_offset


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("cost", [0, 10**9])   # walk the order; list the matches
def test_a_text_search_alone_in_date_order_pages_like_the_list(demo: Store, descending: bool, cost: int,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """On PostgreSQL it is read from the search text's narrow copy and its own date indexes (store/text_index.py);
    the order is the list's: incidents without a date last, ties by id."""
    monkeypatch.setattr(query, "WALKED_ROW_COST", dict.fromkeys(query.WALKED_ROW_COST, cost))
    from tally.store import schema

    with demo.engine.begin() as cx:   # a tie on the date and an incident without one, both matching
        first, second, third = sorted(_search_reference(demo, "observatory"))[:3]
        cx.execute(schema.incidents.update().where(schema.incidents.c.id == first).values(date_from=None))
        day = cx.execute(sa_select(schema.incidents.c.date_from).where(schema.incidents.c.id == second)).scalar()
        cx.execute(schema.incidents.update().where(schema.incidents.c.id == third).values(date_from=day))
        i = schema.incidents.c   # the date column the list sorts by (the records' docs keep their own)
        day_of = dict(cx.execute(sa_select(i.id, i.date_from)).all())
    matching = _search_reference(demo, "observatory")
    dated = sorted(r for r in matching if day_of[r])
    dated.sort(key=lambda r: day_of[r], reverse=descending)
    want = dated + sorted(r for r in matching if not day_of[r])
    assert len(want) > 4 and first in want
    assert _text_pages(demo, "Observatory", descending) == (want, want)


@pytest.mark.parametrize("sort,descending", [("date", False), ("killed", True), ("perpetrator", False), ("id", True),
                                             ("confidence", False)])
def test_a_deep_offset_read_from_an_offset_mark_is_the_page_stepped_to(demo: Store, sort: str, descending: bool,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(query, "OFFSET_MARK_EVERY", 3)
    for filters in ({}, {"country": "Syria"}):
        q = IncidentQuery(sort=sort, descending=descending, limit=2, **filters)  # type: ignore[arg-type]
        marks = query.offset_marks(demo, q)
        total = query.count(demo, q)
        assert len(marks) == total // 3 and total > 6, filters
        for offset in range(total + 2):
            stepped, marked = (query.incidents(demo, replace(q, offset=offset), marks=m) for m in ((), marks))
            assert (marked.rows, marked.offset, marked.next_offset, marked.next_after) == \
                (stepped.rows, stepped.offset, stepped.next_offset, stepped.next_after), (filters, offset)


def test_an_older_postgresql_search_copy_without_dates_is_made_again(pg_url: str) -> None:
    store = Store(pg_url)
    ingest(CORPUS, store)
    want = _text_pages(store, "observatory", False)
    with store.engine.begin() as cx:   # the copy as an older Tally made it: id and text only
        cx.execute(text("DROP INDEX ix_incident_search_by_date, ix_incident_search_by_date_desc"))
        cx.execute(text("ALTER TABLE incident_search DROP COLUMN date_from"))
    store.engine.dispose()
    again = Store(pg_url)
    assert again.text_index == "pg_trgm" and _text_pages(again, "observatory", False) == want


def test_list_queries_read_pages_off_the_indexes(demo: Store) -> None:
    """The plans the large-ledger speed depends on (docs/PERFORMANCE.md, Query speed): a page in date order
    walks the date index without sorting, text search goes through the text index, names through lower()."""
    if demo.engine.dialect.name != "sqlite":
        with demo.engine.connect() as cx:
            names = set(cx.execute(text("SELECT indexname FROM pg_indexes WHERE tablename IN ('incidents', "
                                    "'incident_search')")).scalars())
        assert {"ix_incident_search_trgm", "ix_incident_search_by_date", "ix_incident_search_by_date_desc",
                "ix_incidents_by_date_from", "ix_incidents_country_lc"} <= names
        return

    def plan(sql: str, **params: object) -> str:
        with demo.engine.connect() as cx:
            return " ; ".join(r[-1] for r in cx.execute(text("EXPLAIN QUERY PLAN " + sql), params))

    paged = plan("SELECT id FROM incidents ORDER BY date_from IS NULL, date_from, id LIMIT 50")
    assert "ix_incidents_by_date_from" in paged and "TEMP B-TREE" not in paged
    desc = plan("SELECT id FROM incidents ORDER BY killed_best IS NULL, killed_best DESC, id LIMIT 50")
    assert "ix_incidents_by_killed_best_desc" in desc and "TEMP B-TREE" not in desc
    assert "incidents_fts" in plan("SELECT count(*) FROM incidents WHERE rowid IN "
                                   "(SELECT rowid FROM incidents_fts WHERE incidents_fts MATCH '\"observatory\"')")
    named = plan("SELECT count(*) FROM incidents WHERE lower(country) = 'syria'")   # any index led by lower(country)
    assert re.search(r"COVERING INDEX ix_incidents_country_(lc|by_confidence) \(<expr>=\?\)", named), named
    figures = plan("SELECT id FROM incidents WHERE killed_civilian > 0 AND killed_best >= :m "
                   "ORDER BY date_from IS NULL, date_from, id LIMIT :n OFFSET :o", m=50, n=50, o=0)
    assert "COVERING INDEX ix_incidents_by_date_from_filters" in figures and "TEMP B-TREE" not in figures
    # a name and the list page's order, LIMIT and OFFSET bound as the app binds them: SQLite plans before it sees
    # them, and without a name-and-date index it walks the whole date order checking each row's name
    for order, index in (("date_from IS NULL, date_from, id", "ix_incidents_country_by_date"),
                         ("date_from IS NULL, date_from DESC, id", "ix_incidents_country_by_date_desc"),
                         ("killed_best IS NULL, killed_best DESC, id", "ix_incidents_country_by_killed_desc")):
        named = plan(f"SELECT id FROM incidents WHERE lower(country) = :c ORDER BY {order} LIMIT :n OFFSET :o",
                     c="libya", n=50, o=300)
        assert index in named and "TEMP B-TREE" not in named


def test_the_incident_page_does_not_read_every_tally(demo: Store) -> None:
    from sqlalchemy import event

    seen: list[str] = []
    event.listen(demo.engine, "before_cursor_execute", lambda _c, _cur, sql, *_a: seen.append(sql))
    incident = ledger.incidents(demo)[0]["id"]
    claims = query.claims(demo, incident=incident)
    assert claims and all(c["incident"] == incident and c["tally"] is None for c in claims)
    assert not any("FROM tallies" in s for s in seen)
    tallied = {c for t in query.tallies(demo) for c in t["claims"]}   # a report's claims still name their tally
    assert {c["id"] for c in query.claims(demo) if c["tally"]} == tallied


def test_the_filter_choices_are_every_value_once_in_the_database_order(demo: Store) -> None:
    from sqlalchemy import select

    from tally.store import schema

    facets = query.facets(demo)
    rows = ledger.incidents(demo)
    with demo.engine.connect() as cx:
        for name, values in facets.items():
            col = schema.incidents.c[name]
            assert set(values) == {r[name] for r in rows if r[name] is not None}, name
            assert values == list(cx.execute(select(col).where(col.is_not(None)).distinct().order_by(col)).scalars())


def test_indexes_added_to_a_measured_sqlite_ledger_are_measured_too(tmp_path) -> None:
    """An upgrade adds indexes; on a ledger with planner statistics they get theirs, else SQLite's guesses for
    them beat the measured covering indexes and a country's count reads every row."""
    path = tmp_path / "old.db"
    ingest(CORPUS, Store(str(path)))
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as cx:
        cx.execute(text("ANALYZE"))
        cx.execute(text("DROP INDEX ix_incidents_country_by_date"))
        cx.execute(text("DELETE FROM sqlite_stat1 WHERE idx = 'ix_incidents_country_by_date'"))
    Store(str(path))
    with engine.connect() as cx:
        assert cx.execute(text("SELECT stat FROM sqlite_stat1 WHERE idx = 'ix_incidents_country_by_date'")).scalar()
    engine.dispose()


def _pages(store: Store, q: IncidentQuery, by_cursor: bool) -> list[list[str]]:
    pages, page = [], query.incidents(store, q)
    while True:
        pages.append([r["id"] for r in page.rows])
        if page.next_offset is None:
            assert page.next_after is None
            return pages
        assert page.next_after is not None and page.next_after.position == page.next_offset
        nxt = replace(q, after=page.next_after) if by_cursor else replace(q, offset=page.next_offset)
        page = query.incidents(store, nxt)
        assert page.offset == sum(len(p) for p in pages)


@pytest.mark.parametrize("filters", [{}, {"country": "syria"}, {"q": "observatory"}, {"category": "civilian"},
                                     {"since": dt.date(2023, 1, 1), "min_confidence": 0.5}])
def test_paging_by_cursor_gives_the_pages_paging_by_offset_gives(demo: Store, filters: dict[str, object]) -> None:
    """Every sort in both directions (keys with NULLs and ties among them), filtered or not: a list paged through
    with next_after cursors is the list paged through with offsets, page for page."""
    for sort in query.SORTS:
        for desc in (False, True):
            q = IncidentQuery(sort=sort, descending=desc, limit=2, **filters)  # type: ignore[arg-type]
            by_offset = _pages(demo, q, by_cursor=False)
            assert by_offset == _pages(demo, q, by_cursor=True), (sort, desc)
            assert sorted(i for p in by_offset for i in p) == sorted(ids(demo, **filters)), (sort, desc)


def test_a_page_reached_by_cursor_knows_its_offset(demo: Store) -> None:
    first = query.incidents(demo, IncidentQuery(sort="killed", descending=True, limit=3))
    assert first.next_after is not None
    second = query.incidents(demo, IncidentQuery(sort="killed", descending=True, limit=3, after=first.next_after))
    assert second.offset == 3 and second.next_offset == (6 if first.total > 6 else None)


@pytest.mark.parametrize("cursor", ["", "x", "!!!!", "bm90IGpzb24", "WzFd", "WyJkYXRlIiwiYXNjIiwxLCJhIiwwXQ",
                                    "WyJkYXRlIiwiYXNjIixudWxsLCJhIiwtMV0", "WyJub3BlIiwiYXNjIixudWxsLCJhIiwwXQ",
                                    "a" * 2000])
def test_a_cursor_that_is_not_one_is_refused_naming_after(cursor: str) -> None:
    with pytest.raises(ConfigError, match=r"after: "):
        query.parse_after(cursor, "date", False)


def test_a_cursor_is_refused_for_another_order_or_with_an_offset() -> None:
    cursor = query.After("killed", True, 5, "inc-1", 50).encode()
    assert query.parse_after(cursor, "killed", True) == query.After("killed", True, 5, "inc-1", 50)
    for sort, desc in (("killed", False), ("date", True)):
        with pytest.raises(ConfigError, match=r"after: .*sorted by killed desc"):
            query.parse_after(cursor, sort, desc)
    with pytest.raises(ConfigError, match=r"after: .*not both"):
        IncidentQuery(sort="killed", descending=True, offset=5, after=query.parse_after(cursor, "killed", True))
    dated = query.After("date", False, dt.date(2023, 3, 1), "inc-2", 7)
    assert query.parse_after(dated.encode(), "date", False) == dated


@pytest.mark.parametrize("needle", ["observatory", "ib"])
def test_a_capped_count_stops_past_the_cap_and_is_exact_below_it(demo: Store, needle: str) -> None:
    exact = len(_search_reference(demo, needle))
    assert exact > 2, "the demo corpus has too few matches"
    for filters in ({"q": needle}, {"q": needle, "min_confidence": 0.01}):   # text alone, and through the incidents
        assert query.count(demo, IncidentQuery(**filters), cap=2) == 3  # type: ignore[arg-type]
        assert query.count(demo, IncidentQuery(**filters), cap=exact) == exact  # type: ignore[arg-type]
        assert query.count(demo, IncidentQuery(**filters)) == exact  # type: ignore[arg-type]


def test_a_text_page_with_a_capped_total_still_picks_its_plan_and_rows(demo: Store) -> None:
    q = IncidentQuery(q="observatory", limit=2)
    want = [r["id"] for r in query.incidents(demo, q).rows]
    assert [r["id"] for r in query.incidents(demo, q, total=query.TEXT_COUNT_CAP + 1).rows] == want
