"""Making corrections: check the target and the value, remember the target as the analyst saw it, store the
correction with who, when and why, and rebuild the ledger so it shows at once.

This is the interface the CLI (``tally review``) and the web pages call::

    correct(store, "grade", "inc-1a2b3c4d5e", {"grade": "fair"}, analyst="ana", note="two outlets agree")
    withdraw(store, "cor-0a1b2c3d4e", analyst="ana", note="wrong incident")
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Callable, Mapping

from tally.errors import ReviewError
from tally.models import CATEGORIES, KINDS, Claim
from tally.review.keys import fingerprint, keys_of
from tally.review.rebuild import load_corrections, now
from tally.review.records import ACTIONS, CLAIM_ACTIONS, GRADES, INCIDENT_ACTIONS, Correction
from tally.store.db import Store
from tally.store.serialize import row_claim

MAX_COUNT = 10**9   # above any death toll, below the stores' 64-bit integers


class _Targets:
    """The claims and incidents of the stored ledger, read once per correction."""

    def __init__(self, store: Store) -> None:
        rows = store.claim_rows()
        self.claims = {r["id"]: row_claim(r) for r in rows}
        self.incidents = {d["id"]: d for d in store.incident_docs()}

    def claim(self, cid: str) -> Claim:
        if cid in self.claims:
            return self.claims[cid]
        hits = [c for i, c in self.claims.items() if len(cid) >= 8 and i.startswith(cid)]
        if len(hits) == 1:
            return hits[0]
        raise ReviewError(f"no claim with id {cid!r} (see `tally claims`)", code="T601")

    def incident(self, iid: str) -> dict[str, Any]:
        if iid not in self.incidents:
            raise ReviewError(f"no incident with id {iid!r} in the ledger (see `tally incidents`)", code="T602")
        return self.incidents[iid]

    def keys(self, iid: str) -> list[str]:
        return sorted(keys_of(self.claims[c] for c in self.incident(iid)["claims"] if c in self.claims))


def _int(value: Any, what: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise TypeError   # a count of people: True or 2.5 is a mistake, never 1 or 2
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ReviewError(f"{what} must be a whole number, not {value!r}", code="T603") from None
    if not 0 <= n <= MAX_COUNT:
        raise ReviewError(f"{what} must be between 0 and {MAX_COUNT:,} ({n})", code="T603")
    return n


def _range(value: Mapping[str, Any]) -> tuple[int | None, int | None]:
    low, high = _int(value.get("min"), "min"), _int(value.get("max"), "max")
    if low is None and high is None:
        raise ReviewError("give a figure: --min and/or --max", code="T603")
    if low is not None and high is not None and low > high:
        raise ReviewError(f"min {low} is above max {high}", code="T603")
    return low, high


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ReviewError(f"{what} must be one of {', '.join(allowed)}, not {value!r}", code="T603")
    return str(value)


def _claim_value(action: str, value: Mapping[str, Any], claim: Claim) -> dict[str, Any]:
    if action == "claim-figure":
        low, high = _range(value)
        return {"min": low, "max": high}
    if action == "claim-category":
        return {"category": _choice(value.get("category"), CATEGORIES, "category")}
    return {}


def _figure(t: _Targets, iid: str, value: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    kind = _choice(value.get("kind", "killed"), KINDS, "kind")
    cat = _choice(value.get("category", "total"), CATEGORIES + ("total",), "category")
    low, high = _range(value)
    was = (t.incident(iid)[kind] or {}).get(cat)
    return {"kind": kind, "category": cat, "min": low, "max": high}, {"was": [was["min"], was["max"]] if was else None}


def _merge(t: _Targets, iid: str, value: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    other = str(value.get("with") or "")
    t.incident(other)
    if other == iid:
        raise ReviewError(f"cannot merge incident {iid} with itself", code="T603")
    return {"with": other}, {"with_keys": t.keys(other)}


def _split(t: _Targets, iid: str, value: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    inc = t.incident(iid)
    named = value.get("claims") or []
    if not isinstance(named, (list, tuple)) or not all(isinstance(c, str) for c in named):
        raise ReviewError(f"claims must be a list of claim ids, not {named!r}", code="T603")
    moved = [t.claim(c) for c in named]
    if not moved:
        raise ReviewError("name the claims to split off (--claim ID, repeatable)", code="T603")
    outside = [c.id for c in moved if c.id not in inc["claims"]]
    if outside:
        raise ReviewError(f"claims {', '.join(outside)} are not in incident {iid}", code="T604")
    if len({c.id for c in moved}) == len(inc["claims"]):
        raise ReviewError(f"splitting off every claim of {iid} would leave nothing behind", code="T603")
    return {"claims": sorted({c.id for c in moved})}, {"moved": [fingerprint(c) for c in moved]}


def _place(t: _Targets, iid: str, value: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    name = str(value.get("name") or "").strip()
    if not name:
        raise ReviewError("give the place's name", code="T603")
    return {"name": name}, {"was": t.incident(iid)["places"]}


def _date(t: _Targets, iid: str, value: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        start = dt.date.fromisoformat(str(value.get("from")))
        end = dt.date.fromisoformat(str(value.get("to") or value.get("from")))
    except ValueError:
        raise ReviewError(f"dates must be YYYY-MM-DD, not {value.get('from')!r}..{value.get('to')!r}",
                          code="T603") from None
    if end < start:
        raise ReviewError(f"the date range ends ({end}) before it starts ({start})", code="T603")
    inc = t.incident(iid)
    return {"from": start.isoformat(), "to": end.isoformat()}, {"was": [inc["date_from"], inc["date_to"]]}


def _grade(t: _Targets, iid: str, value: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    t.incident(iid)
    return {"grade": _choice(value.get("grade"), GRADES, "grade")}, {}


_INCIDENT: dict[str, Callable[[_Targets, str, Mapping[str, Any]], tuple[dict[str, Any], dict[str, Any]]]] = {
    "merge": _merge, "split": _split, "figure": _figure, "place": _place, "date": _date, "grade": _grade,
}


def _prepare(store: Store, action: str, target: str,
             value: Mapping[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(target id, checked value, snapshot of the target) or a ReviewError saying what is wrong."""
    if action not in ACTIONS:
        raise ReviewError(f"unknown correction {action!r}; one of {', '.join(ACTIONS)}", code="T600")
    if action == "dismiss":
        from tally.review.queue import review_queue

        if target not in {i.id for i in review_queue(store)}:
            raise ReviewError(f"no open review item {target!r} (see `tally review queue`)", code="T605")
        return target, {}, {}
    t = _Targets(store)
    if action in CLAIM_ACTIONS:
        claim = t.claim(target)
        return claim.id, _claim_value(action, value, claim), fingerprint(claim)
    assert action in INCIDENT_ACTIONS
    checked, snap = _INCIDENT[action](t, target, value)
    return target, checked, {"keys": t.keys(target), **snap}


def correct(store: Store, action: str, target: str, value: Mapping[str, Any] | None = None, *, analyst: str,
            note: str = "", rebuild: bool = True) -> Correction:
    """Record one correction and (by default) rebuild the ledger with it; raises ReviewError on a bad one."""
    if not analyst.strip():
        raise ReviewError("say who makes the correction (--analyst or $USER)", code="T606")
    target, checked, snap = _prepare(store, action, target, dict(value or {}))
    made = now()
    raw = json.dumps([action, target, checked, analyst, made, note], sort_keys=True)
    cid = "cor-" + hashlib.sha1(raw.encode()).hexdigest()[:10]
    store.add_correction(
        {"id": cid, "action": action, "target": target, "value": json.dumps(checked), "snapshot": json.dumps(snap),
         "analyst": analyst, "note": note, "made_at": made},
        {"at": made, "analyst": analyst, "action": f"correct-{action}", "target": target, "revision": None,
         "detail": json.dumps({"correction": cid, "value": checked, "note": note})})
    if rebuild:
        rebuild_after(store, f"{action} {target} by {analyst} ({cid})")
    return next(c for c in load_corrections(store, active_only=False) if c.id == cid)


def withdraw(store: Store, cid: str, *, analyst: str, note: str = "", rebuild: bool = True) -> Correction:
    """Stop applying a correction; it stays in the store and the audit log says who withdrew it and why."""
    known = {c.id: c for c in load_corrections(store, active_only=False)}
    if cid not in known:
        raise ReviewError(f"no correction {cid!r} (see `tally review list`)", code="T607")
    at = now()
    done = store.withdraw_correction(cid, at, {"at": at, "analyst": analyst, "action": "withdraw", "target": cid,
                                               "revision": None, "detail": json.dumps({"note": note})})
    if not done:
        raise ReviewError(f"correction {cid} was already withdrawn on {known[cid].withdrawn_at}", code="T607")
    if rebuild:
        rebuild_after(store, f"withdrew {cid} by {analyst}")
    return next(c for c in load_corrections(store, active_only=False) if c.id == cid)


def rebuild_after(store: Store, reason: str) -> int | None:
    from tally.pipeline import rebuild_ledger

    return rebuild_ledger(store, reason=reason)
