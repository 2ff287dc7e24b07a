"""Hostile requests: SQL injection and path traversal in every parameter of every API operation and page, malformed
and oversized parameters, and every method but GET. Each is answered with a 4xx (or, for a free-text filter, an
empty match), never a server error or a database message, and the ledger is unchanged afterwards."""
from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from security_ledger import ledger_digest
from tally.commands.serve import serve

INJECTIONS = ["' OR '1'='1", "1; DROP TABLE incidents; --", "\" OR 1=1 --", "1 UNION SELECT sql FROM sqlite_master",
              "'; ATTACH DATABASE '/tmp/x.db' AS x; --", "%' OR 1=1 OR '%'='"]
TRAVERSALS = ["../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "....//....//etc/passwd",
              "..\\..\\windows\\win.ini", "%00", "\x00", "file:///etc/passwd"]
MALFORMED = ["", " ", "-1", "1e309", "NaN", "99999999999999999999999", "2023-02-30", "true false", "[]", "{}"]
PROBES = INJECTIONS + TRAVERSALS + MALFORMED
LEAKS = ("sqlite3.", "sqlalchemy.", "operationalerror", "traceback", "syntax error", "root:x:0:0", "[extensions]")
# the free-text filters: an injection there is just text that matches nothing
FREE_TEXT = {"q", "country", "admin1", "place", "perpetrator", "incident", "article"}


def operations(client: TestClient) -> list[tuple[str, list[dict[str, Any]]]]:
    schema = client.get("/api/openapi.json").json()
    return [(path, op.get("parameters", [])) for path, item in schema["paths"].items() for op in item.values()]


def check(client: TestClient, url: str, params: dict[str, str], typed: bool) -> int:
    r = client.get(url, params=params)
    body = r.text.lower()
    assert r.status_code < 500, (url, params, r.status_code, r.text[:200])
    assert not any(leak in body for leak in LEAKS), (url, params, r.text[:200])
    if typed:
        assert 400 <= r.status_code < 500, (url, params, r.status_code)
    return r.status_code


def test_every_parameter_refuses_injection_traversal_and_malformed_values(
        hostile_client: TestClient, hostile_db: str, probes: Counter[str]) -> None:
    before = ledger_digest(hostile_db)
    ops = operations(hostile_client)
    assert len(ops) >= 9
    for path, params in ops:
        for param in params:
            name, kind = param["name"], param["in"]
            schema = param.get("schema", {})
            free = name in FREE_TEXT or ("anyOf" in schema and {"type": "string"} in schema["anyOf"])
            for value in PROBES:
                if kind == "path":
                    url = path.replace("{" + name + "}", quote(value, safe=""))
                    status = check(hostile_client, url, {}, typed=bool(value) and value not in TRAVERSALS)
                    # ("" is the list itself; a report's key may itself be "../../etc/passwd": a lookup, no file)
                else:
                    status = check(hostile_client, path, {name: value}, typed=not free and value.strip() != "")
                probes["API parameter probes"] += 1
                probes["refused with 4xx" if status >= 400 else "answered with an empty or ordinary match"] += 1
    for page in ("/incidents", "/timeline", "/map", "/tallies", "/reports"):
        for name in ("since", "limit", "offset", "min_confidence", "sort", "event_type", "country", "q"):
            for value in PROBES:
                status = check(hostile_client, page, {name: value}, typed=False)
                probes["page parameter probes"] += 1
                probes["refused with 4xx" if status >= 400 else "answered with an empty or ordinary match"] += 1
    assert ledger_digest(hostile_db) == before


def test_injection_in_a_text_filter_matches_nothing_and_drops_nothing(hostile_client: TestClient) -> None:
    everything = hostile_client.get("/api/incidents", params={"limit": 500}).json()["total"]
    assert everything > 0
    for value in INJECTIONS:
        r = hostile_client.get("/api/incidents", params={"country": value})
        assert r.status_code == 200 and r.json()["total"] == 0, value
    assert hostile_client.get("/api/incidents", params={"limit": 500}).json()["total"] == everything


@pytest.mark.parametrize("url", ["/incidents/..%2F..%2Fetc%2Fpasswd", "/reports/..%2F..%2F..%2Fetc%2Fpasswd",
                                 "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/static/../../tally/store/db.py",
                                 "/static/%2e%2e/%2e%2e/app.py", "/api/reports/..%2F..%2Fetc%2Fshadow"])
def test_path_traversal_reads_no_file(hostile_client: TestClient, url: str, probes: Counter[str]) -> None:
    r = hostile_client.get(url)
    probes["path traversal probes"] += 1
    assert r.status_code == 404, (url, r.status_code)
    assert "root:x:0:0" not in r.text and "import" not in r.text


@pytest.mark.parametrize("url", ["/api/incidents?q=" + "x" * 5000, "/incidents?country=" + "%27" * 3000,
                                 "/api/incidents/" + "a" * 3000, "/api/claims?article=" + "b" * 10000])
def test_oversized_requests_are_refused(hostile_client: TestClient, url: str, probes: Counter[str]) -> None:
    r = hostile_client.get(url)
    probes["oversized requests refused"] += 1
    assert r.status_code == 414 and r.json()["ok"] is False
    assert "content-security-policy" in r.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_nothing_but_get_is_accepted_anywhere(hostile_client: TestClient, hostile_db: str, method: str,
                                              probes: Counter[str]) -> None:
    """Without a write token even the write routes (/api/review) refuse: 403 "writes disabled"."""
    before = ledger_digest(hostile_db)
    paths = [re.sub(r"\{[^}]+\}", "x", p) for p, _ in operations(hostile_client)]
    paths += ["/incidents", "/incidents/x", "/reports/x", "/timeline", "/", "/static/style.css", "/review"]
    for path in paths:
        r = hostile_client.request(method, path, json={"id": "x", "killed": 1000, "action": "reject", "by": "x"})
        probes["write attempts refused"] += 1
        if method == "POST" and path.startswith("/api/review/"):
            assert r.status_code == 403 and "writes disabled" in r.json()["error"], (path, r.status_code)
        else:
            assert r.status_code in (404, 405), (method, path, r.status_code)
    assert ledger_digest(hostile_db) == before


def test_the_server_listens_on_localhost_unless_told_otherwise() -> None:
    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"
