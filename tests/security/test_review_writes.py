"""The write routes (/api/review, analyst corrections): refused without a write token (403), with a missing or
wrong one (401), with a body that is not JSON (415); injection in any field is a 4xx that changes nothing. Tokens
under 16 characters are refused at start, and `tally serve` warns when it listens beyond loopback with writes on."""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from security_ledger import ledger_digest
from tally.cli import main
from tally.errors import ConfigError
from tally.review import load_corrections, review_queue
from tally.store.db import Store
from tally.web.app import create_app
from tally.web.writes import load_token
from test_probes import INJECTIONS, LEAKS, TRAVERSALS

TOKEN = "sec-test-token-abcdefghijklmnop"
AUTH = {"authorization": f"Bearer {TOKEN}"}
ROUTES = ["/api/review/corrections", "/api/review/items/item-x", "/api/review/corrections/cor-x/withdraw"]


@pytest.fixture
def writable(hostile_db: str, tmp_path: Path) -> Iterator[tuple[TestClient, str]]:
    """The hostile ledger copied, and the app over it with a write token."""
    db = tmp_path / "w.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(hostile_db + suffix).exists():
            shutil.copy(hostile_db + suffix, str(db) + suffix)
    with TestClient(create_app(str(db), write_token=TOKEN), raise_server_exceptions=False) as c:
        yield c, str(db)


def _unchanged(db: str) -> tuple[str, int, int]:
    store = Store(db)
    return ledger_digest(db), len(load_corrections(store, active_only=False)), len(store.audit_rows())


def test_without_a_token_every_write_route_is_disabled(hostile_client: TestClient, hostile_db: str,
                                                       probes: Counter[str]) -> None:
    before = _unchanged(hostile_db)
    for route in ROUTES:
        for headers in ({}, AUTH, {"authorization": "Bearer "}):
            r = hostile_client.post(route, json={"action": "dismiss", "target": "x", "by": "x"}, headers=headers)
            probes["write attempts refused"] += 1
            assert r.status_code == 403 and "writes disabled" in r.json()["error"], (route, r.status_code)
    assert _unchanged(hostile_db) == before


@pytest.mark.parametrize("auth", [None, "", TOKEN, f"Basic {TOKEN}", "Bearer", "Bearer wrong-token-0123456789",
                                  f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Bearer {TOKEN.upper()}",
                                  f"Bearer {TOKEN[:8]}", "Bearer ' OR '1'='1"])
def test_a_missing_or_wrong_token_is_a_401(writable: tuple[TestClient, str], auth: str | None,
                                           probes: Counter[str]) -> None:
    client, db = writable
    before = _unchanged(db)
    item = review_queue(Store(db))[0].id
    for route in ROUTES + [f"/api/review/items/{item}"]:
        r = client.post(route, json={"action": "dismiss", "target": item, "by": "x"},
                        headers={} if auth is None else {"authorization": auth})
        probes["write attempts refused"] += 1
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", (route, auth, r.status_code)
        assert TOKEN not in r.text
    assert _unchanged(db) == before


def test_the_token_is_compared_in_constant_time(writable: tuple[TestClient, str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    writable[0].post(ROUTES[0], json={}, headers={"authorization": "Bearer guess"})
    assert calls == [(b"guess", TOKEN.encode())]


@pytest.mark.parametrize("content,kind", [("action=dismiss&by=x", "application/x-www-form-urlencoded"),
                                          ('{"action": "dismiss"}', "text/plain"), ("<a/>", "application/xml"),
                                          ('{"action": "dismiss"}', None)])
def test_a_body_that_is_not_json_is_a_415(writable: tuple[TestClient, str], content: str, kind: str | None) -> None:
    client, db = writable
    before = _unchanged(db)
    headers = {**AUTH, **({"content-type": kind} if kind else {})}
    for route in ROUTES:
        r = client.post(route, content=content.encode(), headers=headers)
        assert r.status_code == 415 and "JSON" in r.json()["error"], (route, kind, r.status_code)
    assert _unchanged(db) == before


@pytest.mark.parametrize("content", ["{", "[1, 2]", '"dismiss"', "null", "\xff\xfe"])
def test_broken_json_is_a_400(writable: tuple[TestClient, str], content: str) -> None:
    client, db = writable
    r = client.post(ROUTES[0], content=content.encode("latin-1"), headers={**AUTH, "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["ok"] is False
    assert _unchanged(db)[1] == 0


def _fields(item: str, inc: str, probe: Any) -> list[tuple[str, dict[str, Any]]]:
    """One request per field, with ``probe`` in that field and sane values elsewhere."""
    fig = {"kind": "killed", "category": "total", "min": 1, "max": 2}
    return [
        ("/api/review/corrections", {"action": probe, "target": inc, "value": {"grade": "fair"}}),
        ("/api/review/corrections", {"action": "grade", "target": probe, "value": {"grade": "fair"}}),
        ("/api/review/corrections", {"action": "grade", "target": inc, "value": {"grade": probe}}),
        ("/api/review/corrections", {"action": "figure", "target": inc, "value": {**fig, "min": probe}}),
        ("/api/review/corrections", {"action": "figure", "target": inc, "value": {**fig, "kind": probe}}),
        ("/api/review/corrections", {"action": "figure", "target": inc, "value": {**fig, "category": probe}}),
        ("/api/review/corrections", {"action": "merge", "target": inc, "value": {"with": probe}}),
        ("/api/review/corrections", {"action": "split", "target": inc, "value": {"claims": [probe]}}),
        ("/api/review/corrections", {"action": "date", "target": inc, "value": {"from": probe}}),
        ("/api/review/corrections", {"action": "confirm", "target": probe}),
        ("/api/review/corrections", {"action": "dismiss", "target": probe}),
        ("/api/review/corrections", {"action": "grade", "target": inc, "value": probe}),
        (f"/api/review/items/{item}", {"action": probe}),
        (f"/api/review/items/{item}", {"action": "grade", "grade": probe}),
    ] + ([(f"/api/review/items/{quote(probe, safe='')}", {"action": "dismiss"}),
          (f"/api/review/corrections/{quote(probe, safe='')}/withdraw", {})] if isinstance(probe, str) else [])


def test_injection_in_any_field_is_a_4xx_and_changes_nothing(writable: tuple[TestClient, str],
                                                             probes: Counter[str]) -> None:
    client, db = writable
    before = _unchanged(db)
    store = Store(db)
    item = next(i.id for i in review_queue(store) if "grade" not in i.actions)
    inc = store.incident_docs()[0]["id"]
    values: list[Any] = INJECTIONS + TRAVERSALS + ["<script>alert(1)</script>", -1, 10**30, 2.5, [], {}, True]
    for probe in values:
        for route, body in _fields(quote(item, safe=""), inc, probe):
            r = client.post(route, json={"by": "ana", **body}, headers=AUTH)
            probes["write field injection probes"] += 1
            assert 400 <= r.status_code < 500, (route, body, r.status_code, r.text[:200])
            assert not any(leak in r.text.lower() for leak in LEAKS), (route, body, r.text[:200])
    for who in ["ana\x00", "ana\nbo", "x" * 81, 12, ["ana"]]:
        r = client.post(ROUTES[0], json={"by": who, "action": "grade", "target": inc, "value": {"grade": "fair"}},
                        headers=AUTH)
        assert r.status_code == 400 and "'by'" in r.json()["error"], who
    assert _unchanged(db) == before


def test_a_short_or_missing_token_is_refused_at_start(tmp_path: Path) -> None:
    assert load_token(None, {}) is None
    assert load_token(None, {"TALLY_WRITE_TOKEN": TOKEN}) == TOKEN
    with pytest.raises(ConfigError, match="at least 16"):
        load_token(None, {"TALLY_WRITE_TOKEN": "short"})
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    assert load_token(str(path), {"TALLY_WRITE_TOKEN": "other-token-0123456789"}) == TOKEN
    path.write_text("x" * 15)
    with pytest.raises(ConfigError, match=f"{path}.*15 characters"):
        load_token(str(path), {})
    with pytest.raises(ConfigError, match="cannot read the write token file"):
        load_token(str(tmp_path / "absent"), {})
    r = CliRunner().invoke(main, ["serve", "--write-token-file", str(path)])
    assert r.exit_code != 0 and "at least 16" in r.output


def test_serve_warns_when_it_listens_beyond_loopback_with_writes_on(hostile_db: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: None)
    monkeypatch.setenv("TALLY_WRITE_TOKEN", TOKEN)
    out = CliRunner().invoke(main, ["serve", "--db", hostile_db, "--host", "0.0.0.0"]).output
    assert "Warning" in out and "0.0.0.0" in out and "not a loopback" in out
    for host in ("127.0.0.1", "::1", "localhost"):
        assert "Warning" not in CliRunner().invoke(main, ["serve", "--db", hostile_db, "--host", host]).output
    monkeypatch.delenv("TALLY_WRITE_TOKEN")
    out = CliRunner().invoke(main, ["serve", "--db", hostile_db, "--host", "0.0.0.0"]).output
    assert "Warning" not in out and "read-only" in out
