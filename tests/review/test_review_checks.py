"""The consistency checks find the inconsistencies planted in tests/review/corpus, and nothing on the controls."""
import json

from tally.review import act, review_queue, run_checks
from tally.review.checks import LedgerView, falling_totals
from tally.store.db import Store

from review_corpus import CORPUS

EXPECTED = json.loads((CORPUS / "expected.json").read_text())


def _reports(store: Store, finding) -> set[str]:
    """The reports a finding is about: the articles of its target incident or tally, and related reports."""
    records = {r["id"]: r for r in store.incident_docs() + store.tally_docs()}
    arts = set(records[finding.target]["articles"])
    return arts | {r for r in finding.related if not r.startswith(("inc-", "tal-"))} \
        if finding.check == "outlier-outlet" else arts


def test_every_planted_inconsistency_is_found_and_no_control_is_flagged(corpus_db):
    store = Store(str(corpus_db))
    found = run_checks(store)
    got = sorted((f.check, tuple(sorted(_reports(store, f)))) for f in found)
    for want in EXPECTED["findings"]:
        assert any(check == want["check"] and set(want["reports"]) <= set(reports) for check, reports in got), \
            f"planted {want['check']} in {want['reports']} not found; found {got}"
    assert len(found) == len(EXPECTED["findings"]), f"extra findings: {got}"
    flagged = set().union(*(set(r) for _c, r in got))
    assert not flagged & set(EXPECTED["controls"])


def test_findings_say_what_is_wrong_with_the_numbers(corpus_db):
    by_check = {f.check: f for f in run_checks(Store(str(corpus_db)))}
    assert "450" in by_check["campaign-sum"].title and "414" in by_check["campaign-sum"].title
    assert by_check["campaign-sum"].magnitude == 36
    assert "130" in by_check["falling-total"].title and "95" in by_check["falling-total"].title
    assert "60" in by_check["outlier-outlet"].title and "out-4" in by_check["outlier-outlet"].related


def test_queue_orders_by_stake_and_dismissing_settles_an_item(corpus_db):
    store = Store(str(corpus_db))
    items = review_queue(store)
    assert [i.priority for i in items] == sorted((i.priority for i in items), reverse=True)
    kinds = [i.kind for i in items]
    assert kinds[0] == "campaign-sum"
    assert {"campaign-sum", "falling-total", "outlier-outlet", "copy-only", "low-confidence"} <= set(kinds)
    top = items[0]
    act(store, top.id, "d", analyst="ana", note="the army counts wounded fighters who later died")
    assert top.id not in {i.id for i in review_queue(store)}
    assert len(review_queue(store)) == len(items) - 1


def test_grading_a_finding_settles_it_until_the_grade_is_withdrawn(corpus_db):
    from tally.review import withdraw

    store = Store(str(corpus_db))
    item = next(i for i in review_queue(store) if i.kind == "copy-only")
    grade = act(store, item.id, "g", analyst="ana", value={"grade": "weak"}, note="one wire story, no second source")
    assert grade.status == "applied"
    assert item.id not in {i.id for i in review_queue(store)}
    withdraw(store, grade.id, analyst="ana", note="graded the wrong incident")
    assert item.id in {i.id for i in review_queue(store)}


def test_one_key_confirm_settles_a_low_confidence_claim(corpus_db):
    store = Store(str(corpus_db))
    low = next(i for i in review_queue(store) if i.kind == "low-confidence")
    c = act(store, low.id, "c", analyst="ana", note="checked the governor's statement")
    assert c.action == "confirm" and c.status == "applied"
    assert low.target not in {i.target for i in review_queue(store)}


def _tally(tid, as_of, low, high):
    return {"id": tid, "period_from": "2024-08-01", "as_of": as_of, "country": "Nigeria", "scope": "since 1 August",
            "killed": {"civilian": {"min": low, "max": high, "best": low}}, "sources": [], "articles": [tid]}


def test_a_cumulative_series_may_rise_or_stay_open_but_not_fall():
    rising = LedgerView([], [_tally("t1", "2024-08-10", 10, 10), _tally("t2", "2024-08-20", 12, None)], [], [])
    assert falling_totals(rising) == []
    falling = LedgerView([], [_tally("t1", "2024-08-10", 10, 10), _tally("t2", "2024-08-20", 3, 8)], [], [])
    [f] = falling_totals(falling)
    assert (f.target, f.magnitude) == ("t2", 2)
