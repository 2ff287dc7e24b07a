"""The store on every backend (`db_url`: SQLite, and PostgreSQL when TALLY_TEST_PG names a server)."""
import dataclasses
import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from tally.errors import StoreError
from tally.models import Claim, CleanArticle, CountRange, Denial, Figure, Incident, Place, Rejected, Tally
from tally.pipeline import ingest
from tally.readout import ledger
from tally.store import schema
from tally.store.db import Store, database_url

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "ledger" / "reports.jsonl"
DAY = dt.date(2023, 5, 6)


def _article(key: str, text: str, content_hash: str) -> CleanArticle:
    return CleanArticle(key=key, origin=f"test:{key}", text=text, original=text, url=f"https://example.org/{key}",
                        title="A title", published=DAY, published_from="record", outlet="Example",
                        content_hash=content_hash, extra={"section": "world"})


def _claim(cid: str, article: str, low: int, high: int | None) -> Claim:
    place = Place(name="Sarmīn", mention="Sarmin", country="Syria", country_code="SY", admin1="Idlib",
                  lat=35.9, lon=36.7, precision=1)
    return Claim(id=cid, article=article, kind="killed", category="civilian", side=None,
                 figure=CountRange(low, high, approximate=high is None), date_from=DAY, date_to=DAY,
                 places=(place,), perpetrator="Russia", event_type="air_strike", source="a monitor",
                 stance="asserted", quote="at least 11 civilians were killed", start=0, end=33,
                 parts=(("children", 2),), number_text="at least 11", number_start=0, number_end=11,
                 confidence=0.9, flags=("date-from-publication",))


def _incident(iid: str, date: dt.date | None, claims: tuple[str, ...] = ()) -> Incident:
    fig = Figure(11, None, 11)
    return Incident(id=iid, claims=claims, date_from=date, date_to=date, country="Syria", admin1="Idlib",
                    places=(), lat=None, lon=None, geo_precision=None, event_type="air_strike", perpetrator=None,
                    killed={"civilian": fig, "total": fig}, injured={}, victim_sides={}, sources=("a monitor",),
                    contested=False, contested_by=(), articles=("a1",), evidence=(("a1", "eleven died"),),
                    merge_reasons=(), confidence=0.9)


def test_a_fresh_database_is_created_and_stamped(db_url):
    Store(db_url)
    store = Store(db_url)  # opening again migrates nothing and loses nothing
    with store.engine.connect() as cx:
        version = cx.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar()
    assert version == str(schema.SCHEMA_VERSION)
    assert store.incident_docs() == [] and store.article_rows() == []


def test_a_report_round_trips_with_its_claims(db_url):
    store = Store(db_url)
    claim = _claim("c1", "a1", 11, None)
    store.save_report(_article("a1", "Eleven died.", "h1"), b"\x00\x01sig\xff", ("Syria", "Idlib"), [claim],
                      [Denial("a1", "Russia", None, "Russia denied it", 13, 29)])
    claims, order = store.all_claims()
    assert claims == [claim] and order == {"c1": 1}
    assert store.all_denials() == [Denial("a1", "Russia", None, "Russia denied it", 13, 29)]
    [(key, sig, published, how, text, dup)] = store.signatures()
    assert (key, bytes(sig), published, how, dup) == ("a1", b"\x00\x01sig\xff", DAY, "record", None)
    row = store.article_rows()[0]
    assert (row["country"], row["admin1"], row["outlet"]) == ("Syria", "Idlib", "Example")
    assert ledger.article(store, "a1")["extra"] == {"section": "world"}


def test_saving_a_report_again_replaces_its_claims_and_keeps_its_place(db_url):
    store = Store(db_url)
    store.save_report(_article("a1", "first", "h1"), None, (None, None), [_claim("c1", "a1", 11, None),
                                                                          _claim("c2", "a1", 3, 3)], [])
    store.save_report(_article("b1", "other", "h2"), None, (None, None), [_claim("c3", "b1", 5, 5)], [])
    store.save_report(_article("a1", "second", "h3"), None, (None, None), [_claim("c4", "a1", 12, 12)], [])
    claims, _ = store.all_claims()
    assert sorted(c.id for c in claims) == ["c3", "c4"]
    assert [a["key"] for a in store.article_rows()] == ["a1", "b1"]  # a1 keeps its first-arrival order
    assert store.article_hashes() == {"a1": "h3", "b1": "h2"}


def _rows(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as cx:
        return {t.name: sorted(tuple(map(repr, r)) for r in cx.execute(select(t)))
                for t in (schema.articles, schema.claims, schema.denials, schema.pages, schema.rejects)}


def test_a_batch_in_one_transaction_stores_what_one_report_at_a_time_stores(tmp_path):
    """The sequence numbers too: a report stored again keeps its place, a new one follows every stored one,
    even when the report stored again held the highest number (ingest writes a batch per transaction)."""
    paged = dataclasses.replace(_article("p1", "paged", "h5"), extra={"page_sha256": "ab12"})
    first = [(_article("a1", "first", "h1"), None, (None, None), [_claim("c1", "a1", 11, None)], []),
             (_article("b1", "other", "h2"), b"sig", ("Syria", None), [_claim("c2", "b1", 5, 5)], [])]
    second = [(_article("b1", "again", "h3"), None, (None, None), [_claim("c3", "b1", 6, 6), _claim("c4", "b1", 1, 1)],
               [Denial("b1", "Russia", None, "Russia denied it", 0, 16)]),
              (_article("n1", "new\x00one", "h4"), None, (None, None), [_claim("c5", "n1", 2, 2)], []),
              (paged, None, (None, None), [], [])]
    one, batched = Store(str(tmp_path / "one.db")), Store(str(tmp_path / "batched.db"))
    for reports in (first, second):
        for r in reports:
            one.add_reject(Rejected(r[0].origin, "store", "T410", "an earlier refusal"))
            batched.add_reject(Rejected(r[0].origin, "store", "T410", "an earlier refusal"))
            one.save_report(*r)
            one.clear_reject(r[0].origin)
        batched.save_reports(reports)
    assert _rows(batched) == _rows(one)
    assert [a["key"] for a in batched.article_rows()] == ["a1", "b1", "n1", "p1"]
    with pytest.raises(ValueError, match="twice"):
        batched.save_reports(first + first)


def test_replacing_the_ledger_counts_new_and_kept_incidents(db_url):
    store = Store(db_url)
    tally = Tally(id="tal-1", scope="since March", country="Syria", period_from=dt.date(2023, 3, 1), as_of=DAY,
                  killed={"civilian": Figure(214, None, 214)}, injured={}, sources=("UN",), articles=("a1",),
                  claims=("c9",), evidence=(("a1", "214 killed"),))
    assert store.replace_ledger([_incident("inc-b", DAY, ("c1",)), _incident("inc-a", DAY)], [tally]) == (2, 0)
    assert store.replace_ledger([_incident("inc-b", DAY, ("c1",)), _incident("inc-c", None)], [tally]) == (1, 1)
    docs = store.incident_docs()
    # Undated incidents first, then by date and id, on every backend.
    assert [d["id"] for d in docs] == ["inc-c", "inc-b"]
    assert docs[1]["killed"]["civilian"] == {"min": 11, "max": None, "best": 11}
    assert [t["id"] for t in store.tally_docs()] == ["tal-1"]


def test_a_reject_counts_sightings_and_clears(db_url):
    store = Store(db_url)
    for _ in range(2):
        store.add_reject(Rejected("in/b.txt", "read", "T201", "empty file"))
    store.add_reject(Rejected("in/B.txt", "read", "T201", "empty file"))
    rows = store.reject_rows()
    assert [(r["origin"], r["seen"]) for r in rows] == [("in/B.txt", 1), ("in/b.txt", 2)]  # byte order
    store.clear_reject("in/b.txt")
    assert [r["origin"] for r in store.reject_rows()] == ["in/B.txt"]


def _exports(store: Store) -> dict[str, list]:
    return {"incidents": ledger.incidents(store), "tallies": ledger.tallies(store),
            "claims": ledger.claims(store), "articles": ledger.articles(store)}


def test_ingesting_twice_changes_nothing(db_url):
    store = Store(db_url)
    first = ingest([str(CORPUS)], store)
    assert (first.new, sum(first.rejected.values()), first.copies) == (5, 1, 1)
    before = _exports(store)
    again = ingest([str(CORPUS)], Store(db_url))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 5)
    assert _exports(Store(db_url)) == before
    assert [r["origin"] for r in store.reject_rows()] == [f"{CORPUS}:6"]


def test_backends_give_the_same_ledger(db_url, tmp_path):
    """The same input gives the same records, in the same order, on this backend as on a SQLite file."""
    here, reference = Store(db_url), Store(str(tmp_path / "reference.db"))
    ingest([str(CORPUS)], here)
    ingest([str(CORPUS)], reference)
    assert _exports(here) == _exports(reference)


def test_concurrent_runs_share_one_database(db_url, tmp_path):
    """Two runs writing at once both land, and the ledger rebuilt last holds the incidents of both."""
    lines = CORPUS.read_text().splitlines()
    halves = [tmp_path / "first.jsonl", tmp_path / "second.jsonl"]
    halves[0].write_text("\n".join(lines[:2]) + "\n")
    halves[1].write_text("\n".join(lines[2:4]) + "\n")
    Store(db_url)  # create the tables once, as a team's first run does
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            ingest([str(path)], Store(db_url))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in halves]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = Store(db_url)
    assert sorted(a["key"] for a in store.article_rows()) == ["k1", "k2", "k3", "k4"]
    covered = {a for i in ledger.incidents(store) for a in i["articles"]}
    assert {"k1", "k3", "k4"} <= covered


def test_an_unreachable_server_is_a_clear_error():
    with pytest.raises(StoreError) as err:
        Store("postgresql://tally:secret@127.0.0.1:1/tally")
    message = str(err.value)
    assert "127.0.0.1:1" in message and "server is running" in message and "secret" not in message


def test_database_urls():
    assert database_url("x/tally.db") == "sqlite:///x/tally.db"
    assert database_url("postgres://u@h/db") == "postgresql://u@h/db"
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_long_values_and_nul_characters_are_stored_on_every_backend(db_url, tmp_path):
    """SQLite ignores VARCHAR lengths and keeps NUL; PostgreSQL would refuse both. The same input must give
    the same ledger everywhere, so long values are stored whole and NUL becomes U+FFFD (offsets still hold)."""
    source = tmp_path / "odd.jsonl"
    key = "report-" + "k" * 600
    speaker = "a spokesman for the " + "very " * 80 + "long named committee"
    source.write_text(json.dumps({"id": key, "published": "2023-05-06",
                                  "text": f"Gunmen killed seven soldiers near Maiduguri on Saturday, {speaker} said."})
                      + "\n" + json.dumps({"id": "nul", "published": "2023-05-06", "title": "a\u0000b",
                                           "text": "Shelling killed four civilians\u0000 in Aden on Friday, medics said."})
                      + "\n")
    store = Store(db_url)
    summary = ingest([str(source)], store)
    assert (summary.new, sum(summary.rejected.values())) == (2, 0)
    arts = {a["key"]: a for a in store.article_rows()}
    assert key in arts and arts["nul"]["title"] == "a\ufffdb"
    claim = next(c for c in ledger.claims(store) if c["article"] == "nul")
    assert arts["nul"]["text"][claim["start"]:claim["end"]] == claim["quote"]
    store.add_reject(Rejected("in/\u0000odd.txt", "read", "T201", "binary file"))
    assert store.reject_rows()[0]["origin"] == "in/\ufffdodd.txt"


def test_a_report_the_database_refuses_is_rejected_and_the_batch_goes_on(db_url, tmp_path, monkeypatch):
    store = Store(db_url)
    real = Store.save_report

    def refuse_k3(self, art, *args):
        if art.key == "k3":  # a value no column can hold, as the database would report it
            raise StoreError(f"{art.origin}: report 'k3' cannot be stored: value out of range", code="T410")
        return real(self, art, *args)

    def refuse_batch_with_k3(self, reports):
        if any(art.key == "k3" for art, *_ in reports):  # the batch's one transaction fails as a whole
            raise StoreError("a batch of reports cannot be stored: value out of range", code="T410")
        return real_batch(self, reports)

    real_batch = Store.save_reports
    monkeypatch.setattr(Store, "save_report", refuse_k3)
    monkeypatch.setattr(Store, "save_reports", refuse_batch_with_k3)
    summary = ingest([str(CORPUS)], store)
    assert summary.new == 4 and summary.rejected["store"] == 1
    assert "k3" not in {a["key"] for a in store.article_rows()}
    assert any("cannot be stored" in r["reason"] for r in store.reject_rows())


def test_a_place_is_stored_as_every_field_of_it():
    from tally.store.serialize import place_dict

    place = _claim("c1", "a1", 11, None).places[0]
    assert place_dict(place) == dataclasses.asdict(place)
    assert list(place_dict(place)) == [f.name for f in dataclasses.fields(place)]


def test_only_readers_map_a_sqlite_file_into_memory(tmp_path):
    """The web server reads a large ledger through a memory map; an ingest does not (every mapped page would count
    in its memory while the rebuild reads the whole file)."""
    from tally.api import open_store

    path = tmp_path / "ledger.db"
    writer = Store(str(path))
    with writer.engine.connect() as cx:
        assert cx.exec_driver_sql("PRAGMA mmap_size").scalar() == 0
    with open_store(str(path)).engine.connect() as cx:
        assert cx.exec_driver_sql("PRAGMA mmap_size").scalar() > 0
