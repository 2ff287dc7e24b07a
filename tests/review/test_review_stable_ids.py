"""Incident ids stay put when new reports arrive, when a report is updated, and when claims move around."""
import datetime as dt
import json

from tally.models import Claim, CountRange, Incident
from tally.pipeline import ingest
from tally.review.stable_ids import keep_ids
from tally.store.db import Store

from review_corpus import CORPUS

REPORTS = [json.loads(line) for line in (CORPUS / "reports.jsonl").read_text().splitlines()]


def _ids(store):
    return {a: d["id"] for d in store.incident_docs() for a in d["articles"]}


def test_new_reports_and_an_updated_first_report_keep_every_id(tmp_path):
    first, rest = tmp_path / "first.jsonl", tmp_path / "rest.jsonl"
    first.write_text("".join(json.dumps(r) + "\n" for r in REPORTS[::2]))
    rest.write_text("".join(json.dumps(r) + "\n" for r in REPORTS[1::2]))
    store = Store(str(tmp_path / "t.db"))
    ingest([str(first)], store)
    before = _ids(store)
    ingest([str(rest)], store)
    after = _ids(store)
    assert {a: after[a] for a in before} == before
    baidoa = after["out-1"]
    assert after["out-2"] == baidoa
    # out-1 holds the incident's anchor claim; updating it re-stores its claims after everyone else's
    updated = tmp_path / "updated.jsonl"
    updated.write_text(json.dumps({**REPORTS[8], "text": REPORTS[8]["text"] + " Police closed the market."}) + "\n")
    assert REPORTS[8]["id"] == "out-1"
    ingest([str(updated)], store)
    assert _ids(store)["out-1"] == baidoa == _ids(store)["out-2"]


def _claim(cid, article="a"):
    return Claim(id=cid, article=article, kind="killed", category="civilian", side=None,
                 figure=CountRange(int(cid[1:]), int(cid[1:])), date_from=dt.date(2024, 1, 1),
                 date_to=dt.date(2024, 1, 1), places=(), perpetrator=None, event_type="attack", source=None,
                 stance="asserted", quote="q", start=0, end=1)


def _incident(iid, claims):
    return Incident(id=iid, claims=tuple(claims), date_from=None, date_to=None, country=None, admin1=None, places=(),
                    lat=None, lon=None, geo_precision=None, event_type="attack", perpetrator=None, killed={},
                    injured={}, victim_sides={}, sources=(), contested=False, contested_by=(), articles=(),
                    evidence=(), merge_reasons=(), confidence=0.5)


def test_the_larger_part_of_a_split_keeps_the_id_and_the_other_part_gets_a_fresh_one():
    claims = {c: _claim(c) for c in ("c1", "c2", "c3", "c4")}
    previous = {"inc-old": {"c1", "c2", "c3", "c4"}}
    # reconciliation names both parts after their anchors; the part that kept c1's anchor is the smaller one
    out, keys = keep_ids([_incident("inc-old", ["c1"]), _incident("inc-new", ["c2", "c3", "c4"])], claims, previous)
    assert out[1].id == "inc-old"
    assert out[0].id not in ("inc-old", "inc-new") and out[0].id.startswith("inc-")   # the anchor id is taken
    assert keys["inc-old"] >= {"c2", "c3", "c4"}


def test_a_claim_renamed_by_a_new_extractor_is_matched_by_its_report_kind_and_figure():
    old = {"inc-kept": {"x7", "~a|killed|7|7"}}
    out, _keys = keep_ids([_incident("inc-anchor", ["c7"])], {"c7": _claim("c7")}, old)
    assert out[0].id == "inc-kept"
