"""`tally review`, `tally revisions` and `tally diff` end to end; exports carry the ledger revision."""
import json

from click.testing import CliRunner

from tally.cli import main
from tally.store.db import Store

from review_corpus import CORPUS


def _run(*args, ok=True):
    r = CliRunner().invoke(main, list(args))
    assert (r.exit_code == 0) == ok, r.output
    return r.output


def _jsonl(*args):
    return [json.loads(x) for x in _run(*args, "--format", "jsonl").splitlines() if x.strip()]


def test_a_cli_correction_is_stored_with_who_and_why_and_shows_in_the_ledger(corpus_db):
    db = str(corpus_db)
    inc = next(d for d in _jsonl("incidents", "--db", db) if "copy-1" in d["articles"])
    out = _run("review", "grade", inc["id"], "weak", "--db", db, "--analyst", "ana", "--note", "one story only")
    assert out.startswith("cor-") and "applied" in out
    [c] = _jsonl("review", "list", "--db", db)
    assert (c["action"], c["target"], c["analyst"], c["note"], c["status"]) == \
        ("grade", inc["id"], "ana", "one story only", "applied")
    graded = next(d for d in _jsonl("incidents", "--db", db) if d["id"] == inc["id"])
    assert graded["grade"] == "weak" and graded["corrections"] == [c["id"]]
    story = json.loads(_run("review", "explain", inc["id"], "--db", db))
    assert story["corrections"][0]["note"] == "one story only"
    assert [a["action"] for a in _jsonl("review", "log", c["id"], "--db", db)] == ["correction-applied"]


def test_the_analyst_defaults_to_the_login_name(corpus_db, monkeypatch):
    monkeypatch.setenv("USER", "night-desk")
    db = str(corpus_db)
    inc = _jsonl("incidents", "--db", db)[0]["id"]
    _run("review", "date", inc, "2024-06-14", "2024-06-15", "--db", db)
    assert _jsonl("review", "list", "--db", db)[0]["analyst"] == "night-desk"


def test_a_bad_correction_exits_non_zero_naming_the_target(corpus_db):
    out = _run("review", "grade", "inc-0000000000", "fair", "--db", str(corpus_db), "--analyst", "ana", ok=False)
    assert "inc-0000000000" in out and "tally incidents" in out
    out = _run("review", "split", "inc-0000000000", "--claim", "x", "--db", str(corpus_db), ok=False)
    assert "inc-0000000000" in out


def test_queue_and_check_list_findings_most_important_first(corpus_db):
    db = str(corpus_db)
    items = _jsonl("review", "queue", "--db", db)
    assert items[0]["kind"] == "campaign-sum" and items[0]["actions"] == ["dismiss"]
    _run("review", "dismiss", items[0]["id"], "--db", db, "--analyst", "ana", "--note", "known gap")
    assert items[0]["id"] not in {i["id"] for i in _jsonl("review", "queue", "--db", db)}
    checks = _jsonl("review", "check", "--db", db, "--check", "falling-total")
    assert [f["check"] for f in checks] == ["falling-total"]
    assert "unknown check" in _run("review", "check", "--db", db, "--check", "nope", ok=False)


def test_every_export_carries_the_revision_and_diff_lists_what_changed(corpus_db):
    db = str(corpus_db)
    [rev1] = _jsonl("revisions", "--db", db)
    for what in ("incidents", "tallies", "claims", "articles"):
        assert {r["revision"] for r in _jsonl(what, "--db", db)} == {rev1["rev"]}
    _run("ingest", "--db", db, str(CORPUS / "reports.jsonl"))        # the same input: no new revision
    assert len(_jsonl("revisions", "--db", db)) == 1
    incs = {d["articles"][0]: d["id"] for d in _jsonl("incidents", "--db", db)}
    _run("review", "merge", incs["out-1"], incs["out-3"], "--db", db, "--analyst", "ana")
    _run("review", "figure", incs["camp-1"], "--min", "240", "--max", "250", "--category", "combatant",
         "--db", db, "--analyst", "ana")
    revs = _jsonl("revisions", "--db", db)
    assert [r["rev"] for r in revs] == [1, 2, 3] and "merge" in revs[1]["reason"]
    changes = {c["incident"]: c for c in _jsonl("diff", "1", "3", "--db", db)}
    assert changes[incs["out-3"]]["change"] == "removed"
    assert changes[incs["out-1"]]["change"] == "changed" and "articles" in changes[incs["out-1"]]["fields"]
    assert changes[incs["camp-1"]]["after"]["killed"]["combatant"]["min"] == 240
    assert changes[incs["camp-1"]]["before"]["killed"]["combatant"]["min"] == 250
    assert set(changes) == {incs["out-3"], incs["out-1"], incs["camp-1"]}
    assert {c["incident"] for c in _jsonl("diff", "3", "1", "--db", db) if c["change"] == "added"} == {incs["out-3"]}
    assert _jsonl("diff", "3", "--db", db) == []
    assert Store(db).current_revision() == 3
    assert "no ledger revision 9" in _run("diff", "1", "9", "--db", db, ok=False)


def test_the_claims_export_names_the_corrections_applied_to_each_claim(corpus_db):
    db = str(corpus_db)
    claim = next(c for c in _jsonl("claims", "--db", db) if c["article"] == "out-4")
    assert claim["corrections"] == [] and claim["incident"]
    out = _run("review", "reject", claim["id"][:10], "--db", db, "--analyst", "ana", "--note", "residents' guess")
    cid = out.split(":")[0]
    after = next(c for c in _jsonl("claims", "--db", db) if c["id"] == claim["id"])
    assert after["corrections"] == [cid] and after["incident"] is None


def test_cli_corrections_survive_reingest_by_a_pipeline_that_renames_every_claim(corpus_db, tmp_path, monkeypatch):
    import tally.stages.extract.claims as extract_claims

    db = str(corpus_db)
    incs = {a: d["id"] for d in _jsonl("incidents", "--db", db) for a in d["articles"]}
    rejected = [c["id"] for c in _jsonl("claims", "--db", db) if c["article"] == "out-4"]
    for claim in rejected:
        _run("review", "reject", claim, "--db", db, "--analyst", "ana", "--note", "residents' guess")
    _run("review", "merge", incs["out-1"], incs["out-3"], "--db", db, "--analyst", "ana")
    _run("review", "grade", incs["copy-1"], "weak", "--db", db, "--analyst", "ana")
    before = _jsonl("incidents", "--db", db)
    v1 = extract_claims._claim_id
    monkeypatch.setattr(extract_claims, "_claim_id", lambda art, d: "v2" + v1(art, d)[2:])
    lines = (CORPUS / "reports.jsonl").read_text().splitlines()
    updated = tmp_path / "v2.jsonl"
    updated.write_text("".join(json.dumps({**json.loads(x), "text": json.loads(x)["text"] + " Re-read."}) + "\n"
                               for x in lines))
    _run("ingest", "--db", db, str(updated))
    after = _jsonl("incidents", "--db", db)
    keep = ("id", "articles", "killed", "grade", "date_from", "places")
    assert [{k: d[k] for k in keep} for d in after] == [{k: d[k] for k in keep} for d in before]
    assert not set(rejected) & {c["id"] for c in _jsonl("claims", "--db", db)}
    statuses = {c["action"]: c["status"] for c in _jsonl("review", "list", "--db", db)}
    assert statuses == {"reject": "moved", "merge": "applied", "grade": "applied"}


def test_a_note_goes_into_the_audit_log_and_changes_nothing(corpus_db):
    db = str(corpus_db)
    before = _jsonl("incidents", "--db", db)
    inc = before[0]["id"]
    assert "noted on " + inc in _run("review", "note", inc, "second source pending", "--db", db, "--analyst", "ana")
    [line] = _jsonl("review", "log", inc, "--db", db)
    assert (line["action"], line["analyst"]) == ("note", "ana") and "second source pending" in json.dumps(line)
    assert _jsonl("incidents", "--db", db) == before
    assert "needs some text" in _run("review", "note", inc, " ", "--db", db, "--analyst", "ana", ok=False)
