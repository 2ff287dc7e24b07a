"""The four exported record types (incidents, tallies, claims, articles) built from the store.

Field names follow the contract of Tally 0.1 (README "Export fields"); fields may be added, never renamed.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from tally.review.records import CLAIM_ACTIONS
from tally.store.db import Store
from tally.store.serialize import claim_doc, figure_doc, row_claim
from tally.stages.figures import figures_of


def stamped(rows: list[dict[str, Any]], store: Store) -> list[dict[str, Any]]:
    """Every exported record carries the ledger revision it comes from (see `tally revisions`, `tally diff`)."""
    rev = store.current_revision()
    for r in rows:
        r["revision"] = rev
    return rows


def claim_corrections(store: Store) -> dict[str, list[str]]:
    """{claim id: the active analyst corrections applied to it (confirm, reject, its figure or category)}."""
    reviewed: dict[str, list[str]] = {}
    for c in store.correction_rows(active_only=True):
        if c["action"] in CLAIM_ACTIONS and c["applied_to"]:
            reviewed.setdefault(c["applied_to"], []).append(c["id"])
    return reviewed


def incidents(store: Store, min_confidence: float = 0.0) -> list[dict[str, Any]]:
    outlets = store.article_outlets()
    docs = [d for d in store.incident_docs() if (d.get("confidence") or 0) >= min_confidence]
    for d in docs:  # the outlets that published its reports (added to the 0.1 fields; ACLED's `source`)
        d["outlets"] = sorted({o for a in d.get("articles", ()) if (o := outlets.get(a))})
    return stamped(docs, store)


def tallies(store: Store) -> list[dict[str, Any]]:
    return stamped(store.tally_docs(), store)


def claims(store: Store, min_confidence: float = 0.0) -> list[dict[str, Any]]:
    tally_of = {c: t["id"] for t in store.tally_docs() for c in t["claims"]}
    reviewed = claim_corrections(store)
    out = []
    for row in store.claim_rows():
        if (row["confidence"] or 0) < min_confidence:
            continue
        doc = claim_doc(row)
        doc["tally"] = tally_of.get(doc["id"])
        doc["corrections"] = reviewed.get(doc["id"], [])
        out.append(doc)
    return stamped(out, store)


def _iso(d: Any) -> str | None:
    return d.isoformat() if isinstance(d, dt.date) else d


def articles(store: Store, min_confidence: float = 0.0) -> list[dict[str, Any]]:
    """Every report; its figures come from its own claims at or above ``min_confidence``."""
    rows = store.claim_rows()
    by_article: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        if (r["confidence"] or 0) < min_confidence:
            continue
        by_article.setdefault(r["article"], []).append(r)
    out = []
    for a in store.article_rows():
        mine = by_article.get(a["key"], [])
        linked = sorted({r["incident"] for r in mine if r.get("incident")})
        main_incident, killed, injured, confidence = _main_figures(mine)
        out.append({
            "key": a["key"], "url": a["url"], "outlet": a["outlet"], "published": _iso(a["published"]),
            "published_from": a["published_from"], "title": a["title"], "duplicate_of": a["duplicate_of"],
            "similarity": a["similarity"], "language": a["language"], "extracted": a["language"] == "en",
            "incidents": linked, "incident": main_incident, "killed": killed, "injured": injured, "confidence": confidence, "claims": len(mine),
            "country": a["country"], "admin1": a["admin1"], "origin": a["origin"],
        })
    return stamped(out, store)


_Figures = tuple[str | None, dict[str, Any] | None, dict[str, Any] | None, float | None]


def _main_figures(rows: list[dict[str, Any]]) -> _Figures:
    """What this report alone says for the incident it is mainly about (the incident of its first claim):
    that incident's id, the report's own killed and injured figures for it, and the claims' lowest confidence."""
    linked = sorted((r for r in rows if r.get("incident") and r["scope"] == "incident"), key=lambda r: r["start"])
    if not linked:
        return None, None, None, None
    main = [row_claim(r) for r in linked if r["incident"] == linked[0]["incident"]]
    out = []
    for kind in ("killed", "injured"):
        total = figures_of(main, kind).get("total")
        doc = figure_doc(total)
        out.append({"min": doc["min"], "max": doc["max"]} if doc else None)
    mine = [r for r in linked if r["incident"] == linked[0]["incident"]]
    return linked[0]["incident"], out[0], out[1], min(r["confidence"] or 0 for r in mine)


def article(store: Store, key: str) -> dict[str, Any] | None:
    for a in store.article_rows():
        if a["key"] == key:
            import json

            a = dict(a)
            a.pop("signature", None)
            a["removed"] = json.loads(a["removed"] or "[]")
            a["extra"] = json.loads(a["extra"] or "{}")
            a["published"] = _iso(a["published"])
            return a
    return None
