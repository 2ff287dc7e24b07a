"""The JSON API and the pages over the demo corpus: every page and its .json twin, filters, downloads, errors,
escaping of untrusted text, the security headers, and nothing loaded from another host."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from tally.cli import main
from tally.readout import ledger
from tally.store.db import Store
from tally.web.app import create_app

from .conftest import CORPUS

PAGES = ["/incidents", "/timeline", "/map", "/tallies", "/reports", "/reports/h1", "/review"]


def first_contested(client: TestClient) -> dict:
    body = client.get("/api/incidents", params={"contested": "true"}).json()
    assert body["ok"] and body["incidents"]
    return body["incidents"][0]


def test_the_openapi_schema_documents_every_endpoint(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    for path in ("/api/incidents", "/api/incidents/{ident}", "/api/tallies", "/api/claims", "/api/reports",
                 "/api/reports/{key}", "/api/stats/days", "/api/stats/regions"):
        assert "get" in schema["paths"][path], path
    names = {p["name"] for p in schema["paths"]["/api/incidents"]["get"]["parameters"]}
    assert {"since", "until", "country", "admin1", "place", "perpetrator", "event_type", "category", "contested",
            "min_confidence", "q", "sort", "order", "limit", "offset", "format"} <= names
    writes = {p for p, ops in schema["paths"].items() if set(ops) != {"get"}}
    assert all(p.startswith("/api/review/") for p in writes) and len(writes) == 3     # read-only but corrections
    for path in writes:
        assert {"401", "403", "415"} <= set(schema["paths"][path]["post"]["responses"]), path


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_json_twin(client: TestClient, path: str) -> None:
    html = client.get(path)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    twin = client.get(path + ".json")
    assert twin.status_code == 200 and twin.json()["ok"] is True
    assert f'href="{path}.json"' in html.text


def test_incident_list_filters_pages_and_sorts(client: TestClient, demo_db: str) -> None:
    total = len(ledger.incidents(Store(demo_db)))
    body = client.get("/incidents.json", params={"limit": 5, "sort": "killed", "order": "desc"}).json()
    assert body["total"] == total and len(body["incidents"]) == 5 and body["next_offset"] == 5
    assert f"after={body['next_after']}" in body["next"]   # the next link pages by cursor
    nxt = client.get(body["next"]).json()
    assert nxt["offset"] == 5 and "offset" not in nxt["previous"] and "after" not in nxt["previous"]
    assert {i["id"] for i in nxt["incidents"]}.isdisjoint(i["id"] for i in body["incidents"])
    syria = client.get("/api/incidents", params={"country": "Syria", "event_type": "air_strike"}).json()
    assert syria["total"] and all(i["country"] == "Syria" and i["event_type"] == "air_strike"
                                  for i in syria["incidents"])
    # a filter form sends empty fields: they mean "no filter"
    assert client.get("/incidents.json?since=&country=&q=").json()["total"] == total


def test_an_incident_shows_each_figure_with_claimant_outlet_and_highlighted_number(client: TestClient) -> None:
    inc = first_contested(client)
    data = client.get(f"/api/incidents/{inc['id']}").json()
    assert data["incident"]["id"] == inc["id"] and data["claims"] and data["reports"]
    for c in data["claims"]:
        before, number, after = c["highlight"]
        assert number and before + number + after == c["quote"]
    page = client.get(f"/incidents/{inc['id']}").text
    assert 'id="contested"' in page and "Islamic State denies" in page
    assert "<mark>at least seven civilians</mark>" in page and "local official" in page
    assert client.get(f"/incidents/{inc['id']}.json").json()["incident"] == data["incident"]


def test_untrusted_article_text_is_escaped_everywhere(client: TestClient) -> None:
    for path in ("/reports/h1", "/incidents?q=Kidal", f"/incidents/{first_contested(client)['id']}", "/tallies"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
    report = client.get("/reports/h1").text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in report
    assert 'href="https://example.org/news/anefis-raid"' in report
    assert 'href="javascript' not in client.get("/reports/h2").text.lower()     # shown, never a link


def test_every_response_carries_a_content_security_policy_without_inline_scripts(client: TestClient) -> None:
    for path in PAGES + ["/api/incidents", "/static/style.css"]:
        csp = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp, path
    for path in PAGES:
        page = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), f"inline script in {path}"
        assert " style=" not in page and " on" + "click=" not in page


def test_pages_load_nothing_from_another_host(client: TestClient) -> None:
    """Offline: every script, stylesheet and data file a page uses is served by Tally itself."""
    for path in PAGES:
        page = client.get(path).text
        for ref in re.findall(r'(?:src|data-src|data-basemap)="([^"]+)"|<link[^>]*href="([^"]+)"', page):
            url = next(r for r in ref if r)
            assert url.startswith("/"), f"{path} loads {url}"
            assert client.get(url).status_code == 200, url


def test_downloads_hold_the_cli_export(client: TestClient, demo_db: str) -> None:
    """Every field `tally incidents --format X` exports, with the same value, in the same order of rows."""
    for fmt in ("csv", "jsonl"):
        page = client.get(f"/incidents.{fmt}")
        assert page.status_code == 200 and "attachment" in page.headers["content-disposition"]
        cli = CliRunner().invoke(main, ["incidents", "--db", demo_db, "--format", fmt]).output
        if fmt == "csv":
            got, want = (list(csv.DictReader(io.StringIO(t))) for t in (page.text, cli))
        else:
            got, want = ([json.loads(x) for x in t.splitlines()] for t in (page.text, cli))
        assert len(got) == len(want) and all(g.items() >= w.items() for g, w in zip(got, want)), fmt
        assert client.get("/api/incidents", params={"format": fmt}).content == page.content
    rows = list(csv.DictReader(io.StringIO(client.get("/incidents.csv?country=Syria").text)))
    assert rows and {r["country"] for r in rows} == {"Syria"} and all(r["outlets"] is not None for r in rows)
    lines = client.get("/api/incidents?format=jsonl&contested=true").text.splitlines()
    assert lines and all(json.loads(x)["contested"] for x in lines)


def test_errors_have_one_shape(client: TestClient) -> None:
    for path, status in (("/api/incidents/inc-nope", 404), ("/incidents/inc-nope.json", 404),
                         ("/api/incidents?since=yesterday", 400), ("/api/incidents?sort=size", 400),
                         ("/api/incidents?format=xls", 400), ("/api/reports/nope", 404), ("/nowhere", 404)):
        res = client.get(path)
        body = res.json()
        assert res.status_code == status and body["ok"] is False and body["status"] == status and body["error"]
    page = client.get("/incidents/inc-nope", headers={"accept": "text/html"})
    assert page.status_code == 404 and "no incident" in page.text and page.headers["content-type"].startswith("text/html")


def test_report_page_shows_cleaned_text_removed_parts_and_copies(client: TestClient) -> None:
    data = client.get("/api/reports/h1").json()["report"]
    assert "newsletter" not in data["text"] and any("newsletter" in r["text"].lower() for r in data["removed"])
    page = client.get("/reports/h1").text
    assert 'id="cleaned"' in page and 'id="removed"' in page and "Anefis" in page
    copies = [r for r in client.get("/api/reports", params={"limit": 500}).json()["reports"] if r["duplicate_of"]]
    original = client.get(f"/reports/{copies[0]['duplicate_of']}").text
    assert f"/reports/{copies[0]['key']}" in original


def test_statistics_endpoints(client: TestClient) -> None:
    days = client.get("/api/stats/days").json()
    assert days["days"] and days["categories"] == ["civilian", "combatant", "unknown"] and days["tallies"]
    regions = client.get("/api/stats/regions", params={"country": "Syria"}).json()["regions"]
    assert regions and all(r["country"] == "Syria" for r in regions)
    points = client.get("/map.json").json()
    assert points["points"] and all(p["lat"] is not None for p in points["points"]) and points["legend"]


def test_the_api_runs_on_every_backend(db_url: str) -> None:
    from tally.pipeline import ingest

    store = Store(db_url)
    ingest(CORPUS[-1:], store)
    with TestClient(create_app(store=store)) as c:
        body = c.get("/api/incidents", params={"contested": "true", "country": "Mali"}).json()
        assert body["total"] == 1
        ident = body["incidents"][0]["id"]
        assert c.get(f"/api/incidents/{ident}").json()["denials"]
        assert c.get("/api/stats/regions").json()["regions"][0]["country"] == "Mali"
        assert c.get("/incidents").status_code == 200


def test_timeline_and_map_follow_the_list_filters(client: TestClient) -> None:
    page = client.get("/incidents?country=Syria").text
    assert 'href="/timeline?country=Syria"' in page and 'href="/map?country=Syria"' in page
    timeline = client.get("/timeline?country=Syria")
    assert "country: Syria" in timeline.text and 'data-src="/timeline.json?country=Syria"' in timeline.text
    syria = client.get("/api/incidents", params={"country": "Syria"}).json()["incidents"]
    points = client.get("/map.json?country=Syria").json()["points"]
    assert {p["id"] for p in points} == {i["id"] for i in syria if i["lat"] is not None}
    killed = sum((i["killed"].get("total") or {}).get("best") or 0 for i in syria)
    assert client.get("/timeline.json?country=Syria").json()["killed"] == killed


def test_every_registered_format_downloads_and_opens(client: TestClient) -> None:
    """Whatever the export registry offers for incidents is a download, opened with what a user would use."""
    import pandas as pd

    fmts = client.get("/api/formats").json()["formats"]
    assert {"csv", "jsonl"} <= set(fmts)
    page = client.get("/incidents").text
    for fmt in fmts:
        res = client.get(f"/incidents.{fmt}?country=Syria")
        assert res.status_code == 200 and res.content and "attachment" in res.headers["content-disposition"], fmt
        assert f'href="/incidents.{fmt}"' in page
        if fmt == "parquet":
            assert set(pd.read_parquet(io.BytesIO(res.content))["country"]) == {"Syria"}
        elif fmt == "geojson":
            assert json.loads(res.content)["type"] == "FeatureCollection"
        elif fmt in ("csv", "acled", "ucdp"):
            assert len(pd.read_csv(io.BytesIO(res.content))) == client.get(
                "/api/incidents?country=Syria").json()["total"]


def test_the_list_pages_by_cursor_to_the_end_and_refuses_bad_cursors_naming_after(client: TestClient) -> None:
    params = {"limit": 3, "sort": "date", "order": "desc"}
    url, seen, everything = "/api/incidents", [], client.get("/api/incidents", params={"limit": 1000}).json()
    body = client.get(url, params=params).json()
    while True:
        seen += [i["id"] for i in body["incidents"]]
        if not body["next"]:
            break
        body = client.get(body["next"]).json()
    assert sorted(seen) == sorted(i["id"] for i in everything["incidents"]) and len(seen) == len(set(seen))
    first = client.get(url, params=params).json()
    for bad in ({"after": "nonsense"}, {"after": first["next_after"], "order": "asc"},
                {"after": first["next_after"], "offset": 3}):
        res = client.get(url, params={**params, **bad})
        assert res.status_code == 400 and "after: " in res.json()["error"], bad
    html = client.get("/incidents", params=params).text
    assert 'rel="next"' in html and "after=" in html


def test_a_text_search_total_past_the_cap_says_it_is_a_lower_bound(demo_db: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from tally.readout import query

    monkeypatch.setattr(query, "TEXT_COUNT_CAP", 2)
    with TestClient(create_app(demo_db)) as fresh:   # an empty cache of totals
        body = fresh.get("/api/incidents", params={"q": "observatory", "limit": 1}).json()
        assert body["total"] == 2 and body["total_is_lower_bound"] is True and body["next_after"]
        plain = fresh.get("/api/incidents", params={"country": "Syria"}).json()
        assert plain["total_is_lower_bound"] is False and plain["total"] > 2   # other filters count exactly
        assert ">2+<" in fresh.get("/incidents", params={"q": "observatory"}).text
