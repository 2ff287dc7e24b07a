"""Analyst corrections through the web (/api/review and the /review page): each route, the write token, and
corrections made this way surviving a full re-ingest and a re-extraction, as the library's and the CLI's do."""
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

import test_review_corrections as library
from review_corpus import CORPUS
from tally.pipeline import ingest
from tally.review import history, load_corrections, review_queue
from tally.store.db import Store
from tally.web.app import create_app

TOKEN = "web-test-token-0123456789"
AUTH = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def web(corpus_db):
    with TestClient(create_app(str(corpus_db), write_token=TOKEN)) as c:
        yield c


def _post(web, url, body, status=201, headers=AUTH):
    r = web.post(url, json=body, headers=headers)
    assert r.status_code == status, r.text
    return r.json()


def _item(store, kind):
    return next(i for i in review_queue(store) if i.kind == kind)


def test_the_review_page_lists_the_queue_in_its_order_with_evidence_and_incident_links(web, corpus_db):
    queue = review_queue(Store(str(corpus_db)))
    data = web.get("/review.json").json()
    assert [i["id"] for i in data["items"]] == [i.id for i in queue] and len(queue) > 3
    assert {i["kind"] for i in data["items"]} >= {"low-confidence", "campaign-sum"}
    low = next(i for i in data["items"] if i["kind"] == "low-confidence")
    assert low["evidence"] and low["incident"].startswith("inc-")
    html = web.get("/review", headers={"accept": "text/html"}).text
    assert html.index(queue[0].id) < html.index(queue[-1].id)
    assert f'href="/incidents/{low["incident"]}"' in html and "write-token" in html
    assert "<script src=\"/static/review.js\"" in html and "<script>" not in html


def test_the_review_page_pages_through_a_long_queue(web, corpus_db):
    queue = [i.id for i in review_queue(Store(str(corpus_db)))]
    first = web.get("/review.json?limit=2").json()
    assert [i["id"] for i in first["items"]] == queue[:2] and first["total"] == len(queue)
    second = web.get(first["next"]).json()
    assert [i["id"] for i in second["items"]] == queue[2:4] and second["previous"]
    html = web.get("/review?limit=2", headers={"accept": "text/html"}).text
    assert f"showing 1–2 of {len(queue)}" in html and 'rel="next"' in html
    assert web.get("/review?limit=0").status_code == 400 and web.get("/review?offset=-1").status_code == 400


def test_acting_on_queue_items_stores_who_when_why_and_settles_them(web, corpus_db):
    store = Store(str(corpus_db))
    low = _item(store, "low-confidence")
    out = _post(web, f"/api/review/items/{low.id}", {"action": "c", "by": "ana", "note": "the ministry's list"})
    c = out["correction"]
    assert (c["action"], c["target"], c["analyst"], c["note"], c["status"]) == \
        ("confirm", low.target, "ana", "the ministry's list", "applied") and c["made_at"].startswith("20")
    assert low.id not in {i["id"] for i in web.get("/review.json").json()["items"]}
    camp = _item(store, "campaign-sum")
    _post(web, f"/api/review/items/{camp.id}", {"action": "dismiss"}, headers={**AUTH, "x-tally-analyst": "bo"})
    assert [x.analyst for x in load_corrections(store) if x.action == "dismiss"] == ["bo"]
    graded = next(i for i in review_queue(store) if "grade" in i.actions)
    _post(web, f"/api/review/items/{graded.id}", {"action": "grade", "grade": "weak", "by": "ana"})
    assert next(d for d in store.incident_docs() if d["id"] == graded.target)["grade"] == "weak"
    other = review_queue(store)[0]
    _post(web, f"/api/review/items/{other.id}", {"action": "note", "by": "ana", "note": "asked the desk"})
    assert [a["detail"] for a in history(store, other.id)] == [{"note": "asked the desk"}]
    assert other.id in {i.id for i in review_queue(store)}            # a note settles nothing


def test_withdraw_through_the_web_and_twice_is_a_conflict(web, corpus_db):
    store = Store(str(corpus_db))
    inc = library._inc(store, "camp-1")["id"]
    made = _post(web, "/api/review/corrections", {"action": "figure", "target": inc, "by": "ana", "value": {
        "kind": "killed", "category": "combatant", "min": 240, "max": 250}})["correction"]
    assert library._inc(store, "camp-1")["killed"]["combatant"]["min"] == 240
    url = f"/api/review/corrections/{made['id']}/withdraw"
    done = _post(web, url, {"by": "bo", "note": "the 250 is right"})["correction"]
    assert done["withdrawn_at"] and library._inc(store, "camp-1")["killed"]["combatant"]["min"] == 250
    assert "already withdrawn" in _post(web, url, {"by": "bo"}, 409)["error"]
    assert "no correction" in _post(web, "/api/review/corrections/cor-nope/withdraw", {"by": "bo"}, 404)["error"]


@pytest.mark.parametrize("url,body,status,field", [
    ("/api/review/corrections", {"action": "grade", "target": "inc-nope", "value": {"grade": "fair"}}, 404,
     "inc-nope"),
    ("/api/review/corrections", {"action": "explode", "target": "x"}, 400, "'action'"),
    ("/api/review/corrections", {"action": "grade", "target": "", "value": {}}, 400, "'target'"),
    ("/api/review/corrections", {"action": "grade", "target": "x", "value": [1]}, 400, "'value'"),
    ("/api/review/corrections", {"action": "grade", "target": "x", "by": 7}, 400, "'by'"),
    ("/api/review/corrections", {"action": "grade", "target": "x", "by": ""}, 400, "'by'"),
    ("/api/review/corrections", {"action": "grade", "target": "x", "note": "x" * 5000}, 400, "'note'"),
    ("/api/review/items/item-nope", {"action": "dismiss"}, 404, "item-nope"),
    ("/api/review/items/item-nope", {"action": "shout"}, 400, "'action'"),
])
def test_a_bad_write_is_a_4xx_naming_the_field_and_changes_nothing(web, corpus_db, url, body, status, field):
    store = Store(str(corpus_db))
    rev = store.current_revision()
    answer = _post(web, url, {"by": "ana", **body}, status)
    assert answer["ok"] is False and field in answer["error"]
    assert load_corrections(store, active_only=False) == [] and store.current_revision() == rev


def test_a_bad_value_is_refused_with_the_libraries_message(web, corpus_db):
    inc = library._inc(Store(str(corpus_db)), "camp-1")["id"]
    for value, message in [({"grade": "excellent"}, "grade must be one of"), ({"min": 9, "max": 3}, "min 9")]:
        action = "grade" if "grade" in value else "figure"
        body = {"action": action, "target": inc, "value": value, "by": "ana"}
        assert message in _post(web, "/api/review/corrections", body, 400)["error"]
    item = _item(Store(str(corpus_db)), "campaign-sum")
    assert "take dismiss" in _post(web, f"/api/review/items/{item.id}", {"action": "confirm", "by": "a"}, 400)["error"]


def _through_the_web(web):
    """``tally.review.correct`` as the web does it: the test suite's every-kind corrections go through HTTP."""
    def correct(_store, action, target, value=None, *, analyst, note=""):
        body = {"action": action, "target": target, "value": value or {}, "by": analyst, "note": note}
        return SimpleNamespace(**_post(web, "/api/review/corrections", body)["correction"])
    return correct


def test_every_kind_of_correction_through_the_web_survives_a_full_reingest(web, corpus_db, tmp_path, monkeypatch):
    monkeypatch.setattr(library, "correct", _through_the_web(web))
    store = Store(str(corpus_db))
    made = library._correct_everything(store)
    assert {c.analyst for c in made.values()} == {"ana"} and all(c.note.startswith("test ") for c in made.values())
    before = library._view(store)
    updated = library._rewrite(tmp_path, "updated.jsonl", lambda r: {**r, "text": r["text"] + " Updated."})
    ingest([updated], store)
    assert library._view(store) == before
    assert set(library._check_corrected(store, made).values()) == {"applied"}


def test_web_corrections_survive_a_re_extraction_that_renames_every_claim(web, corpus_db, tmp_path, monkeypatch):
    import tally.stages.extract.claims as extract_claims

    monkeypatch.setattr(library, "correct", _through_the_web(web))
    store = Store(str(corpus_db))
    made = library._correct_everything(store)
    before = library._view(store)
    v1 = extract_claims._claim_id
    monkeypatch.setattr(extract_claims, "_claim_id", lambda art, d: "v2" + v1(art, d)[2:])
    ingest([library._rewrite(tmp_path, "v2.jsonl", lambda r: {**r, "text": r["text"] + " Re-read."})], store)
    assert library._view(store) == before
    statuses = library._check_corrected(store, made)
    claim_level = {c.id for c in made.values() if c.action in ("reject", "confirm", "claim-figure", "claim-category")}
    assert {statuses[c] for c in claim_level} == {"moved"}            # applied, and flagged for a look
    assert {s for c, s in statuses.items() if c not in claim_level} == {"applied"}


def test_a_web_correction_holds_on_this_backend(db_url, tmp_path):
    store = Store(db_url)
    ingest([str(CORPUS / "reports.jsonl")], store)
    inc = library._inc(store, "copy-1")["id"]
    with TestClient(create_app(store=store, write_token=TOKEN)) as web:
        _post(web, "/api/review/corrections", {"action": "grade", "target": inc, "value": {"grade": "weak"},
                                               "by": "ana", "note": "one story"})
    ingest([library._rewrite(tmp_path, "updated.jsonl", lambda r: {**r, "text": r["text"] + " Updated."})], store)
    assert library._inc(store, "copy-1")["grade"] == "weak"
    assert [(c.analyst, c.note, c.status) for c in load_corrections(store)] == [("ana", "one story", "applied")]
