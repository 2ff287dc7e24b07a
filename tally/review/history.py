"""How a figure came to be: an incident's claims and the rule that combined them, the analyst's corrections
with who, when and why, its versions across ledger revisions, and every audit line that touches it."""
from __future__ import annotations

import json
from typing import Any

from tally.errors import ReviewError
from tally.review.rebuild import load_corrections, now
from tally.store.db import Store

RULE = ("ranges combine as CODING_RULES.md says: the lowest minimum and highest maximum over all claims, "
        "open if any is open; a total is the sum of its categories, raised to a larger total reported on its own")


def _claims(store: Store, inc: dict[str, Any]) -> list[dict[str, Any]]:
    mine = set(inc["claims"])
    return [{"claim": r["id"], "article": r["article"], "kind": r["kind"], "category": r["category"],
             "side": r["side"], "min": r["min"], "max": r["max"], "source": r["source"], "quote": r["quote"],
             "confidence": r["confidence"], "flags": json.loads(r["flags"] or "[]")}
            for r in store.claim_rows() if r["id"] in mine]


def _figures(inc: dict[str, Any], claims: list[dict[str, Any]], corrections: list[Any]) -> dict[str, Any]:
    """{kind: {category: {value, claims, set_by}}}: each figure, the claims it combines, the correction that set it."""
    set_by = {(c.value["kind"], c.value["category"]): c.id for c in corrections
              if c.action == "figure" and not c.withdrawn_at and c.status != "orphaned"}
    out: dict[str, Any] = {}
    for kind in ("killed", "injured"):
        for cat, fig in (inc.get(kind) or {}).items():
            used = [c["claim"] for c in claims if c["kind"] == kind and (cat == "total" or c["category"] == cat)]
            out.setdefault(kind, {})[cat] = {"value": fig, "claims": used, "set_by": set_by.get((kind, cat))}
    return out


def _versions(store: Store, iid: str) -> list[dict[str, Any]]:
    out, before = [], None
    for v in store.incident_history(iid):
        doc = v["doc"]
        fields = sorted(k for k in set(doc) | set(before or {}) if (before or {}).get(k) != doc.get(k)) \
            if before else ["(new)"]
        out.append({"rev_from": v["rev_from"], "rev_to": v["rev_to"], "changed": fields})
        before = doc
    return out


def explain(store: Store, iid: str) -> dict[str, Any]:
    """The incident's figures and everything that made them, for `tally review explain` and the web page."""
    inc = next((d for d in store.incident_docs() if d["id"] == iid), None)
    if inc is None and not store.incident_history(iid):
        raise ReviewError(f"no incident {iid!r}, now or in any revision (see `tally incidents`)", code="T602")
    corrections = [c for c in load_corrections(store, active_only=False)
                   if c.target == iid or c.applied_to == iid or c.id in (inc or {}).get("corrections", [])]
    ids = {iid} | {c.id for c in corrections} | set((inc or {}).get("claims", []))
    claims = _claims(store, inc) if inc else []
    return {
        "incident": iid, "in_ledger": inc is not None, "grade": (inc or {}).get("grade"),
        "figures": _figures(inc, claims, corrections) if inc else {}, "rule": RULE, "claims": claims,
        "merge_reasons": (inc or {}).get("merge_reasons", []),
        "corrections": [c.as_dict() for c in corrections],
        "versions": _versions(store, iid),
        "audit": [dict(a, detail=json.loads(a["detail"] or "{}")) for a in store.audit_rows() if a["target"] in ids],
    }


def history(store: Store, target: str | None = None) -> list[dict[str, Any]]:
    """Audit lines, oldest first; for one target (incident, claim, correction or review item) when given."""
    return [dict(a, detail=json.loads(a["detail"] or "{}")) for a in store.audit_rows(target)]


def note(store: Store, target: str, *, analyst: str, note: str) -> dict[str, Any]:
    """Write an analyst's note on a target (a review item, claim or incident) into the audit log; changes nothing."""
    if not analyst.strip():
        raise ReviewError("say who writes the note", code="T606")
    if not note.strip():
        raise ReviewError("a note needs some text", code="T603")
    line = {"at": now(), "analyst": analyst, "action": "note", "target": target, "revision": None,
            "detail": json.dumps({"note": note})}
    store.add_audit(line)
    return {**line, "detail": {"note": note}}
