"""The review hook of ``pipeline.rebuild_ledger``: corrections re-applied, incident ids kept, revisions recorded.

reviewed_ledger: claims -> corrected claims -> reconcile -> ids carried over -> corrected incidents
record_revision: after the ledger is swapped in, a new revision when any incident record changed
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Mapping, Sequence

from tally.models import Claim, Incident, Place, Tally
from tally.review.apply import apply_to_claims, apply_to_incidents
from tally.review.records import Correction, Outcome
from tally.review.stable_ids import keep_ids
from tally.stages.reconcile import denials_by_report, incident_from_claims, reconcile
from tally.store.db import Store

SYSTEM = "tally"   # the analyst name on audit lines the pipeline writes itself


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def load_corrections(store: Store, *, active_only: bool = True) -> list[Correction]:
    return [Correction(id=r["id"], action=r["action"], target=r["target"], value=json.loads(r["value"] or "{}"),
                       snapshot=json.loads(r["snapshot"] or "{}"), analyst=r["analyst"], note=r["note"] or "",
                       made_at=r["made_at"], seq=r["seq"], withdrawn_at=r["withdrawn_at"], status=r["status"],
                       status_detail=r["status_detail"], applied_to=r["applied_to"])
            for r in store.correction_rows(active_only=active_only)]


def lookup_place(name: str, country_code: str | None) -> Place:
    """The gazetteer's best match for a place an analyst names, in the incident's country when it has one."""
    from tally.stages.extract.gazetteer import Gazetteer

    gaz = Gazetteer.load()
    found = gaz.lookup(name, country_code)
    if found:
        return found[0]
    return Place(name=name, mention=name, country=gaz.country_name(country_code), country_code=country_code,
                 precision=3, kind="unresolved", reason="set by an analyst; not in the gazetteer")


def reviewed_ledger(store: Store, claims: Sequence[Claim], order: Mapping[str, int],
                    published: Mapping[str, dt.date | None],
                    regions: Mapping[str, tuple[str | None, str | None]],
                    copies: Mapping[str, str]) -> tuple[list[Incident], list[Tally]]:
    """Reconcile with every active correction applied, keeping incident ids from the previous rebuild;
    ``copies`` maps copy reports to their originals (``Store.copy_roots``)."""
    corrections = load_corrections(store)
    corrected, claim_outcomes = apply_to_claims(claims, corrections)
    denials = store.all_denials()
    incidents, tallies = reconcile(corrected, denials, order, published, regions, copies)
    by_id = {c.id: c for c in corrected}
    incidents, keys = keep_ids(incidents, by_id, store.incident_keys())
    store.replace_incident_keys(keys)

    by_report = denials_by_report(denials)

    def build(members: Sequence[Claim], reasons: Sequence[str]) -> Incident:
        return incident_from_claims(members, reasons, by_report, order, regions, copies)

    incidents, incident_outcomes = apply_to_incidents(incidents, corrected, corrections, build, lookup_place)
    dismissals = [Outcome(c.id, "applied", "") for c in corrections if c.action == "dismiss"]
    _save_outcomes(store, corrections, claim_outcomes + incident_outcomes + dismissals)
    return incidents, tallies


def _save_outcomes(store: Store, corrections: Sequence[Correction], outcomes: Sequence[Outcome]) -> None:
    """Store each correction's status; a status that changed gets an audit line."""
    before = {c.id: (c.status, c.applied_to) for c in corrections}
    updates, audits = [], []
    for o in outcomes:
        updates.append({"id": o.correction, "status": o.status, "status_detail": o.detail,
                        "applied_to": o.applied_to})
        if before.get(o.correction) != (o.status, o.applied_to):
            audits.append({"at": now(), "analyst": SYSTEM, "action": f"correction-{o.status}",
                           "target": o.correction, "revision": None,
                           "detail": json.dumps({"detail": o.detail, "applied_to": o.applied_to})})
    store.set_correction_status(updates, audits)


def digest(doc: Mapping[str, Any]) -> str:
    return hashlib.sha1(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()


def record_revision(store: Store, reason: str, analyst: str = SYSTEM) -> int | None:
    """A new ledger revision when any incident was added, changed or removed; None when nothing changed."""
    docs = {d["id"]: d for d in store.incident_docs()}
    before = store.open_versions()
    fresh = {i: digest(d) for i, d in docs.items()}
    added = [i for i in fresh if i not in before]
    changed = [i for i in fresh if i in before and before[i] != fresh[i]]
    removed = [i for i in before if i not in fresh]
    if not (added or changed or removed):
        return None
    row = {"made_at": now(), "reason": reason, "added": len(added), "changed": len(changed),
           "removed": len(removed), "incidents": len(docs)}
    new_docs = {i: (fresh[i], json.dumps(docs[i], sort_keys=True)) for i in added + changed}
    audit = {"at": row["made_at"], "analyst": analyst, "action": "revision",
             "detail": json.dumps({"reason": reason, "added": added, "changed": changed, "removed": removed})}
    return store.commit_revision(row, new_docs, changed + removed, audit)
