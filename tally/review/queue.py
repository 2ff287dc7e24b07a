"""The review queue: what most likely needs an analyst's look, most important first, with one-key actions.

Items: corrections whose target moved, changed or vanished on a rebuild; consistency-check findings; contested
incidents nobody has graded; low-confidence claims nobody has confirmed or rejected. Dismissing an item is itself
a correction (kept, audited); an item whose text changes (a larger gap, a new figure) comes back.

The web page calls ``review_queue(store)`` to list and ``act(store, item_id, key, ...)`` for a key press.
"""
from __future__ import annotations

import hashlib
import math
from typing import Any, Mapping

from tally.errors import ReviewError
from tally.review.checks import run_checks
from tally.review.records import FLAGGED, Correction, ReviewItem
from tally.store.db import Store

LOW_CONFIDENCE = 0.6
WEIGHTS = {"correction-orphaned": 6.0, "correction-moved": 5.0, "correction-changed": 5.0, "campaign-sum": 4.0,
           "falling-total": 3.5, "outlier-outlet": 3.0, "copy-only": 2.5, "contested": 2.0, "low-confidence": 1.0}
ACTION_KEYS = {"c": "confirm", "r": "reject", "g": "grade", "d": "dismiss", "w": "withdraw"}
_FINDING_ACTIONS = {"campaign-sum": ("dismiss",), "falling-total": ("dismiss",),
                    "outlier-outlet": ("grade", "dismiss"), "copy-only": ("grade", "dismiss")}


def _item(kind: str, target: str, magnitude: int, title: str, detail: str, actions: tuple[str, ...],
          related: tuple[str, ...] = ()) -> ReviewItem:
    iid = "item-" + hashlib.sha1(f"{kind}|{target}|{title}".encode()).hexdigest()[:10]
    priority = round(WEIGHTS[kind] * (1 + math.log10(1 + max(magnitude, 0))), 2)
    return ReviewItem(iid, kind, target, priority, title, detail, actions, related)


def _corrections(corrections: list[Correction]) -> list[ReviewItem]:
    return [_item(f"correction-{c.status}", c.id, 0, f"{c.action} {c.target} by {c.analyst}: {c.status}",
                  c.status_detail or "", ("withdraw", "dismiss"), (c.applied_to,) if c.applied_to else ())
            for c in corrections if c.status in FLAGGED and c.action != "dismiss"]


def _ledger_items(store: Store, min_confidence: float, settled: set[str]) -> list[ReviewItem]:
    incidents = store.incident_docs()
    graded = {inc["id"] for inc in incidents if inc.get("grade")}
    # a finding an analyst answers with a grade (outlier, copy-only) is settled while the incident keeps a grade;
    # withdrawing the grade brings the finding back
    items = [_item(f.check, f.target, f.magnitude, f.title, f.detail, _FINDING_ACTIONS[f.check], f.related)
             for f in run_checks(store) if not ("grade" in _FINDING_ACTIONS[f.check] and f.target in graded)]
    for inc in incidents:
        if inc["contested"] and not inc.get("grade"):
            total = ((inc["killed"] or {}).get("total") or {}).get("min") or 0
            items.append(_item("contested", inc["id"], total, f"contested incident, {total} killed, not graded",
                               "; ".join(inc["contested_by"]), ("grade", "dismiss")))
    for r in store.claim_rows():
        if r.get("incident") and r["confidence"] < min_confidence and r["id"] not in settled:
            items.append(_item("low-confidence", r["id"], r["min"] or r["max"] or 0,
                               f"{r['kind']} {r['min']}-{r['max']} ({r['category']}) at confidence {r['confidence']}",
                               f"report {r['article']}: \"{r['quote']}\"", ("confirm", "reject", "dismiss"),
                               (r["incident"],)))
    return items


def review_queue(store: Store, min_confidence: float = LOW_CONFIDENCE) -> list[ReviewItem]:
    """Open review items, most important first (priority grows with the check's weight and the deaths at stake)."""
    from tally.review.rebuild import load_corrections

    corrections = load_corrections(store)
    dismissed = {c.target for c in corrections if c.action == "dismiss"}
    settled = {c.applied_to or c.target for c in corrections if c.action in ("confirm", "reject")}
    items = _corrections(corrections) + _ledger_items(store, min_confidence, settled)
    return sorted((i for i in items if i.id not in dismissed), key=lambda i: (-i.priority, i.kind, i.target))


def act(store: Store, item_id: str, key: str, *, analyst: str, note: str = "",
        value: Mapping[str, Any] | None = None) -> Correction:
    """Settle a queue item with one key (``ACTION_KEYS``); grade takes ``value={"grade": ...}``."""
    from tally.review.corrections import correct, withdraw

    action = ACTION_KEYS.get(key, key)
    item = next((i for i in review_queue(store) if i.id == item_id), None)
    if item is None:
        raise ReviewError(f"no open review item {item_id!r} (see `tally review queue`)", code="T605")
    if action not in item.actions:
        raise ReviewError(f"{item.kind} items take {', '.join(item.actions)}, not {action!r}", code="T608")
    if action == "dismiss":
        return correct(store, "dismiss", item.id, analyst=analyst, note=note)
    if action == "withdraw":
        return withdraw(store, item.target, analyst=analyst, note=note)
    return correct(store, action, item.target, value, analyst=analyst, note=note)
