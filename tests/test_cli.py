"""The command line end to end on reports written for this test."""
import csv
import io
import json

from click.testing import CliRunner

from tally.cli import main

LEAD = ("Gunmen killed seven soldiers and wounded four in an ambush on an army convoy near Maiduguri on "
        "Saturday, the Nigerian army said. The attackers fled into the forest after the raid, a military "
        "spokesman said, adding that troops were pursuing them through the area around the city.")
COPY = LEAD.replace("seven", "7")
OTHER = ("At least 12 civilians were killed on Friday when shells hit a market in Aden, local health "
         "officials said. Medics said 30 people were wounded. Residents said the market had reopened only "
         "a week earlier after months of closure caused by the fighting around the port city.")


def _corpus(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    rows = [{"id": "a1", "url": "https://example.org/2023/03/12/ambush", "published": "2023-03-12", "title": "Convoy ambushed", "text": LEAD},
            {"id": "a2", "url": "https://example.net/news/ambush-copy", "title": "Soldiers die in ambush", "text": COPY},
            {"id": "b1", "published": "2023-03-11", "text": OTHER, "section": "world"}]
    (d / "reports.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n")
    (d / "empty.txt").write_text("")
    return d


def _jsonl(db, what):
    r = CliRunner().invoke(main, [what, "--db", str(db), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    return [json.loads(x) for x in r.output.splitlines() if x.strip()]


def test_ingest_reports_rejects_and_goes_on(tmp_path):
    db = tmp_path / "t.db"
    r = CliRunner().invoke(main, ["ingest", "--db", str(db), str(_corpus(tmp_path))])
    assert r.exit_code == 1  # there were rejects
    assert "empty.txt" in r.output and "empty" in r.output
    assert "reports.jsonl:4" in r.output
    keys = {a["key"] for a in _jsonl(db, "articles")}
    assert keys == {"a1", "a2", "b1"}


def test_rerun_changes_nothing_and_copies_add_no_figure(tmp_path):
    db = tmp_path / "t.db"
    src = _corpus(tmp_path)
    CliRunner().invoke(main, ["ingest", "--db", str(db), str(src)])
    first = _jsonl(db, "incidents")
    again = CliRunner().invoke(main, ["ingest", "--db", str(db), str(src)])
    assert "new 0" in again.output and "unchanged 3" in again.output
    assert _jsonl(db, "incidents") == first
    arts = {a["key"]: a for a in _jsonl(db, "articles")}
    assert arts["a2"]["duplicate_of"] == "a1"
    assert arts["a2"]["published"] == "2023-03-12"  # inherited from the story it copies
    ambush = next(i for i in first if "a1" in i["articles"])
    assert set(ambush["articles"]) == {"a1", "a2"}
    assert ambush["killed"]["combatant"] == {"min": 7, "max": 7, "best": 7}
    assert ambush["injured"]["total"]["min"] == 4


def test_incident_fields_and_evidence(tmp_path):
    db = tmp_path / "t.db"
    CliRunner().invoke(main, ["ingest", "--db", str(db), str(_corpus(tmp_path))])
    market = next(i for i in _jsonl(db, "incidents") if "b1" in i["articles"])
    for field in ("id", "date_from", "date_to", "country", "admin1", "places", "lat", "lon", "geo_precision",
                  "event_type", "perpetrator", "killed", "injured", "victim_sides", "sources", "contested",
                  "articles", "evidence"):
        assert field in market
    assert market["date_from"] == "2023-03-10"
    assert market["killed"]["civilian"] == {"min": 12, "max": None, "best": 12}
    assert market["event_type"] == "shelling"
    assert "Aden" in market["places"]
    assert any("At least 12 civilians" in e["quote"] for e in market["evidence"])
    claims = [c for c in _jsonl(db, "claims") if c["incident"] == market["id"]]
    c = next(c for c in claims if c["kind"] == "killed")
    text = next(a for a in _jsonl(db, "articles") if a["key"] == "b1")
    assert c["quote"].startswith("At least 12 civilians") and c["start"] >= 0


def test_csv_and_table_and_show(tmp_path):
    db = tmp_path / "t.db"
    CliRunner().invoke(main, ["ingest", "--db", str(db), str(_corpus(tmp_path))])
    out = CliRunner().invoke(main, ["incidents", "--db", str(db), "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows and "killed_civilian_min" in rows[0]
    table = CliRunner().invoke(main, ["incidents", "--db", str(db)]).output
    assert "rows)" in table
    inc = _jsonl(db, "incidents")[0]["id"]
    shown = CliRunner().invoke(main, ["show", inc, "--db", str(db)])
    assert shown.exit_code == 0 and json.loads(shown.output)["type"] == "incident"
    missing = CliRunner().invoke(main, ["show", "nope", "--db", str(db)])
    assert missing.exit_code != 0 and "nope" in missing.output


def test_min_confidence_filters_claims_and_report_figures(tmp_path):
    db = tmp_path / "t.db"
    CliRunner().invoke(main, ["ingest", "--db", str(db), str(_corpus(tmp_path))])
    every = _jsonl(db, "claims")
    assert every and all(0 < c["confidence"] <= 1 for c in every)
    cut = sorted(c["confidence"] for c in every)[-1]
    r = CliRunner().invoke(main, ["claims", "--db", str(db), "--format", "jsonl", "--min-confidence", str(cut)])
    sure = [json.loads(x) for x in r.output.splitlines() if x.strip()]
    assert sure and all(c["confidence"] >= cut for c in sure) and len(sure) <= len(every)
    r = CliRunner().invoke(main, ["articles", "--db", str(db), "--format", "jsonl", "--min-confidence", "1"])
    assert all(a["killed"] is None for a in map(json.loads, r.output.splitlines()))
    assert CliRunner().invoke(main, ["claims", "--db", str(db), "--min-confidence", "2"]).exit_code == 2
