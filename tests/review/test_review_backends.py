"""The review tables on every storage backend (the db_url fixture adds PostgreSQL when a server is available)."""
import json

from tally.pipeline import ingest
from tally.review import correct, diff, history, load_corrections, review_queue
from tally.store.db import Store

from review_corpus import CORPUS


def test_corrections_revisions_and_audit_on_this_backend(db_url, tmp_path):
    store = Store(db_url)
    ingest([str(CORPUS / "reports.jsonl")], store)
    inc = next(d for d in store.incident_docs() if "copy-1" in d["articles"])["id"]
    c = correct(store, "grade", inc, {"grade": "weak"}, analyst="ana", note="one story")
    updated = tmp_path / "updated.jsonl"
    updated.write_text("".join(json.dumps({**json.loads(line), "text": json.loads(line)["text"] + " Updated."}) + "\n"
                               for line in (CORPUS / "reports.jsonl").read_text().splitlines()))
    ingest([str(updated)], store)
    assert next(d for d in store.incident_docs() if d["id"] == inc)["grade"] == "weak"
    assert [x.status for x in load_corrections(store)] == ["applied"]
    assert store.current_revision() >= 2
    [change] = diff(store, 1, 2)
    assert (change.incident, change.change) == (inc, "changed") and "grade" in change.fields
    assert [a["action"] for a in history(store, inc)] == ["correct-grade"]
    assert any(a["target"] == c.id for a in history(store))
    assert review_queue(store)
