"""Corrections made through the library and the CLI survive a full re-ingest and a pipeline upgrade; a correction
whose target changed or vanished is flagged, never dropped; incident ids stay put."""
import json

import pytest

import tally.stages.extract.claims as extract_claims
from tally.errors import ReviewError
from tally.pipeline import ingest
from tally.review import correct, explain, history, load_corrections, review_queue, withdraw
from tally.store.db import Store

from review_corpus import CORPUS

REPORTS = [json.loads(line) for line in (CORPUS / "reports.jsonl").read_text().splitlines()]


def _inc(store, article):
    return next(d for d in store.incident_docs() if article in d["articles"])


def _claim(store, article, low):
    return next(r for r in store.claim_rows()
                if r["article"] == article and r["min"] == low and r["scope"] == "incident")


def _correct_everything(store):
    """One correction of every kind, each with who and why."""
    made = {}
    ask = lambda name, *a, **k: made.__setitem__(name, correct(store, *a, analyst="ana", note=f"test {name}", **k))
    for n, r in enumerate(r for r in store.claim_rows() if r["article"] == "out-4"):   # its headline and body
        ask(f"reject-{n}", "reject", r["id"])
    ask("confirm", "confirm", _claim(store, "out-3", 12)["id"])
    for n, r in enumerate(r for r in store.claim_rows() if r["article"] == "camp-2" and r["kind"] == "killed"):
        ask(f"claim-figure-{n}", "claim-figure", r["id"], {"min": 110, "max": 120})
    for n, r in enumerate(r for r in store.claim_rows() if r["article"] == "ok-camp-1"):
        ask(f"claim-category-{n}", "claim-category", r["id"], {"category": "unknown"})
    ask("merge", "merge", _inc(store, "out-1")["id"], {"with": _inc(store, "out-3")["id"]})
    djibo = _inc(store, "ok-1")
    ask("split", "split", djibo["id"], {"claims": [r["id"] for r in store.claim_rows() if r["article"] == "ok-3"]})
    ask("figure", "figure", _inc(store, "camp-1")["id"], {"kind": "killed", "category": "combatant", "min": 240,
                                                          "max": 250})
    ask("place", "place", _inc(store, "camp-3")["id"], {"name": "Gao"})
    ask("date", "date", _inc(store, "copy-1")["id"], {"from": "2024-12-06", "to": "2024-12-07"})
    ask("grade", "grade", _inc(store, "copy-1")["id"], {"grade": "weak"})
    return made


def _view(store):
    """What a user of the ledger sees, without the claim ids a newer extractor may rename."""
    keep = ("id", "date_from", "date_to", "places", "country", "killed", "injured", "grade", "articles",
            "perpetrator", "event_type", "contested")
    return sorted(({k: d[k] for k in keep} for d in store.incident_docs()), key=lambda d: d["id"])


def _rewrite(tmp_path, name, change):
    path = tmp_path / name
    path.write_text("".join(json.dumps(change(dict(r))) + "\n" for r in REPORTS))
    return str(path)


def _check_corrected(store, made):
    out1, djibo = _inc(store, "out-1"), _inc(store, "ok-1")
    assert "out-3" in out1["articles"] and "out-4" not in out1["articles"]          # merged; 60 rejected
    assert out1["killed"]["total"] == {"min": 12, "max": 12, "best": 12}
    assert "ok-3" not in djibo["articles"] and _inc(store, "ok-3")["id"] != djibo["id"]   # split
    assert _inc(store, "camp-1")["killed"]["combatant"] == {"min": 240, "max": 250, "best": 240}
    assert _inc(store, "camp-2")["killed"]["combatant"]["min"] == 110
    assert _inc(store, "ok-camp-1")["killed"].get("unknown", {}).get("min") == 30
    assert _inc(store, "camp-3")["places"] == ["Gao"]
    copy = _inc(store, "copy-1")
    assert (copy["date_from"], copy["date_to"], copy["grade"]) == ("2024-12-06", "2024-12-07", "weak")
    statuses = {c.id: c.status for c in load_corrections(store)}
    assert set(statuses) == {c.id for c in made.values()}
    return statuses


def test_every_kind_of_correction_applies_with_who_and_why(corpus_db):
    store = Store(str(corpus_db))
    made = _correct_everything(store)
    statuses = _check_corrected(store, made)
    assert set(statuses.values()) == {"applied"}
    log = history(store)
    assert {f"correct-{c.action}" for c in made.values()} <= {a["action"] for a in log}
    assert all(a["analyst"] == "ana" for a in log if a["action"].startswith("correct-"))
    grade = made["grade"]
    assert (grade.analyst, grade.note, grade.made_at[:2]) == ("ana", "test grade", "20")


def test_corrections_survive_a_full_reingest_of_updated_reports(corpus_db, tmp_path):
    store = Store(str(corpus_db))
    made = _correct_everything(store)
    before = _view(store)
    rev = store.current_revision()
    ingest([str(CORPUS / "reports.jsonl")], store)           # the same input: nothing changes
    assert store.current_revision() == rev and _view(store) == before
    updated = _rewrite(tmp_path, "updated.jsonl", lambda r: {**r, "text": r["text"] + " This story was updated."})
    summary = ingest([updated], store)
    assert summary.updated == len(REPORTS)
    assert _view(store) == before
    assert set(_check_corrected(store, made).values()) == {"applied"}


def test_corrections_survive_a_pipeline_upgrade_that_renames_every_claim(corpus_db, tmp_path, monkeypatch):
    store = Store(str(corpus_db))
    made = _correct_everything(store)
    before = _view(store)
    old_claims = {r["id"] for r in store.claim_rows()}
    v1 = extract_claims._claim_id
    monkeypatch.setattr(extract_claims, "_claim_id", lambda art, d: "v2" + v1(art, d)[2:])
    upgraded = _rewrite(tmp_path, "v2.jsonl", lambda r: {**r, "text": r["text"] + " Re-read by the new pipeline."})
    ingest([upgraded], store)
    assert not old_claims & {r["id"] for r in store.claim_rows()}     # every claim id changed
    assert _view(store) == before                                     # ids, figures, places, dates, grades kept
    statuses = _check_corrected(store, made)
    claim_level = {c.id for c in made.values() if c.action in ("reject", "confirm", "claim-figure", "claim-category")}
    assert {statuses[c] for c in claim_level} == {"moved"}            # applied, and flagged for a look
    assert {s for c, s in statuses.items() if c not in claim_level} == {"applied"}
    queued = {i.target for i in review_queue(store) if i.kind == "correction-moved"}
    assert claim_level <= queued


def test_a_correction_whose_target_vanished_is_flagged_never_dropped(corpus_db, tmp_path):
    store = Store(str(corpus_db))
    fixes = [correct(store, "claim-figure", r["id"], {"min": 110, "max": 120}, analyst="ana", note="says 110")
             for r in store.claim_rows() if r["article"] == "camp-2" and r["kind"] == "killed"]
    silent = _rewrite(tmp_path, "silent.jsonl", lambda r: r if r["id"] != "camp-2" else {
        **r, "title": "Troops attack Boni forest hideouts", "text": "Malian soldiers attacked hideouts in the forest "
        "around Boni in central Mali on Saturday, the army said in a statement on Sunday."})
    ingest([silent], store)
    kept = load_corrections(store)
    assert [(c.id, c.status) for c in kept] == [(f.id, "orphaned") for f in fixes]
    assert all("camp-2" in c.status_detail for c in kept)
    queued = {i.target for i in review_queue(store) if i.kind == "correction-orphaned"}
    assert {f.id for f in fixes} <= queued
    assert {f.id for f in fixes} <= {a["target"] for a in history(store) if a["action"] == "correction-orphaned"}
    ingest([str(CORPUS / "reports.jsonl")], store)                    # the figure is back: so is the correction
    assert {c.status for c in load_corrections(store)} == {"applied"}
    assert _inc(store, "camp-2")["killed"]["combatant"]["min"] == 110


def test_a_correction_whose_figure_the_pipeline_since_changed_is_queued(corpus_db, tmp_path):
    store = Store(str(corpus_db))
    inc = _inc(store, "camp-1")["id"]
    correct(store, "figure", inc, {"kind": "killed", "category": "combatant", "min": 240, "max": 250},
            analyst="ana", note="army later said 240")
    later = tmp_path / "later.jsonl"
    later.write_text(json.dumps({"id": "camp-1b", "published": "2024-09-16", "title": "Douentza toll revised",
                                 "text": "The Malian army said late on Monday that its troops killed 300 militants "
                                         "in the operation near Douentza in the Mopti region on Sunday."}) + "\n")
    ingest([str(later)], store)
    now = _inc(store, "camp-1")
    assert now["id"] == inc and "camp-1b" in now["articles"]            # a new report keeps the incident's id
    assert now["killed"]["combatant"]["min"] == 240                     # the analyst's figure still holds ...
    [c] = load_corrections(store)
    assert c.status == "changed" and "300" in c.status_detail           # ... and is flagged for a second look
    assert any(i.kind == "correction-changed" for i in review_queue(store))


def test_withdrawing_a_correction_restores_the_pipeline_figure_and_is_audited(corpus_db):
    store = Store(str(corpus_db))
    inc = _inc(store, "camp-1")["id"]
    c = correct(store, "figure", inc, {"kind": "killed", "category": "combatant", "min": 240, "max": 250},
                analyst="ana")
    withdraw(store, c.id, analyst="bo", note="the 250 is right after all")
    assert _inc(store, "camp-1")["killed"]["combatant"]["min"] == 250
    assert load_corrections(store) == [] and load_corrections(store, active_only=False)[0].withdrawn_at
    story = explain(store, inc)
    assert [a["action"] for a in story["audit"] if a["target"] == c.id][-1] == "withdraw"
    assert len(story["versions"]) >= 3 and story["claims"] and story["rule"]
    combatants = story["figures"]["killed"]["combatant"]
    assert combatants["value"]["min"] == 250 and combatants["set_by"] is None
    assert set(combatants["claims"]) == {r["id"] for r in store.claim_rows() if r["article"] == "camp-1"}


def test_explain_names_the_correction_that_set_a_figure(corpus_db):
    store = Store(str(corpus_db))
    inc = _inc(store, "camp-1")["id"]
    c = correct(store, "figure", inc, {"kind": "killed", "category": "combatant", "min": 240, "max": 250},
                analyst="ana", note="the army's later statement")
    fig = explain(store, inc)["figures"]["killed"]["combatant"]
    assert fig["value"] == {"min": 240, "max": 250, "best": 240} and fig["set_by"] == c.id


@pytest.mark.parametrize("action,target,value,message", [
    ("grade", "inc-nope", {"grade": "fair"}, "no incident with id 'inc-nope'"),
    ("grade", None, {"grade": "excellent"}, "grade must be one of confirmed"),
    ("figure", None, {"min": 9, "max": 3}, "min 9 is above max 3"),
    ("date", None, {"from": "12 May"}, "dates must be YYYY-MM-DD"),
    ("confirm", "0000000000", {}, "no claim with id"),
    ("merge", None, {"with": "inc-gone"}, "no incident with id 'inc-gone'"),
    ("explode", None, {}, "unknown correction 'explode'"),
])
def test_a_bad_correction_is_refused_naming_what_is_wrong(corpus_db, action, target, value, message):
    store = Store(str(corpus_db))
    rev = store.current_revision()
    with pytest.raises(ReviewError) as err:
        correct(store, action, target or _inc(store, "camp-1")["id"], value, analyst="ana")
    assert message in str(err.value)
    assert load_corrections(store) == [] and store.current_revision() == rev


def test_two_corrections_of_one_claim_both_apply_without_a_false_alarm(corpus_db):
    store = Store(str(corpus_db))
    claim = _claim(store, "camp-2", 120)["id"]
    correct(store, "claim-figure", claim, {"min": 110, "max": 120}, analyst="ana")
    correct(store, "claim-category", claim, {"category": "unknown"}, analyst="ana")
    assert [c.status for c in load_corrections(store)] == ["applied", "applied"]
