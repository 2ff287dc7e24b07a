"""Article text is untrusted: scripts, event handlers and odd HTML in a report's id, title, URL or text are shown
escaped on every page, every response carries a Content-Security-Policy with no inline script, and no link
ever points to a ``javascript:`` URL."""
from __future__ import annotations

import re
from collections import Counter
from urllib.parse import quote

from fastapi.testclient import TestClient

# What must never appear raw in a page built from the hostile reports.
RAW = [re.compile(p, re.IGNORECASE) for p in (
    r"<script>alert", r"<img[^>]*onerror", r"<svg[^>]*onload", r"<iframe", r"<body[^>]*onload",
    r"<meta[^>]*refresh", r"<style>body", r"href=\"javascript:", r"href='javascript:", r"src=\"//evil",
)]


def page_urls(client: TestClient) -> list[str]:
    incidents = client.get("/api/incidents", params={"limit": 500}).json()["incidents"]
    reports = client.get("/api/reports", params={"limit": 500}).json()["reports"]
    urls = ["/incidents", "/incidents?q=%3Cscript%3Ealert(1)%3C/script%3E", "/timeline", "/map", "/tallies", "/review",
            "/reports", "/incidents?country=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
            "/incidents/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/reports/%3Csvg%20onload%3Dalert(1)%3E"]
    urls += [f"/incidents/{quote(i['id'], safe='')}" for i in incidents]
    urls += [f"/reports/{quote(r['key'], safe='')}" for r in reports]
    return urls


def test_hostile_reports_are_in_the_ledger(hostile_client: TestClient) -> None:
    keys = {r["key"] for r in hostile_client.get("/api/reports", params={"limit": 500}).json()["reports"]}
    assert "x1<script>alert('id')</script>" in keys and "../../etc/passwd" in keys
    text = hostile_client.get("/api/reports/" + quote("x1<script>alert('id')</script>", safe="")).json()
    assert "<script>alert('title')</script>" in text["report"]["text"]      # stored as written, escaped when shown


def test_every_page_escapes_report_text_and_sends_a_csp(hostile_client: TestClient, probes: Counter[str]) -> None:
    urls = page_urls(hostile_client)
    assert len(urls) > 15
    for url in urls:
        r = hostile_client.get(url, headers={"accept": "text/html"})
        probes["pages checked for escaping"] += 1
        assert r.status_code in (200, 404), (url, r.status_code)
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp, url
        assert r.headers.get("x-content-type-options") == "nosniff"
        for rx in RAW:
            assert not rx.search(r.text), (url, rx.pattern)


def test_a_hostile_report_page_shows_the_markup_as_text(hostile_client: TestClient) -> None:
    r = hostile_client.get("/reports/" + quote("x1<script>alert('id')</script>", safe=""),
                           headers={"accept": "text/html"})
    assert r.status_code == 200
    assert "&lt;script&gt;alert(" in r.text and "onerror=alert" in r.text.replace("&#39;", "'")
    assert "javascript:alert" not in re.sub(r"&[^;]+;", "", "".join(re.findall(r'href="[^"]*"', r.text)))


def test_json_answers_are_json_not_html(hostile_client: TestClient) -> None:
    for url in ("/api/incidents", "/api/reports", "/incidents.json", "/api/incidents/%3Cscript%3E"):
        r = hostile_client.get(url)
        assert r.headers["content-type"].startswith("application/json"), url
        assert "content-security-policy" in r.headers
