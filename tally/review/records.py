"""Records of the review layer: corrections an analyst makes, what became of them on a rebuild, check findings
and review-queue items. Frozen dataclasses, as between pipeline stages; JSON payloads stay in the store."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

GRADES = ("confirmed", "fair", "weak", "contested", "discounted")   # after Airwars' grading of incidents

# action -> what it targets
CLAIM_ACTIONS = ("confirm", "reject", "claim-figure", "claim-category")
INCIDENT_ACTIONS = ("merge", "split", "figure", "place", "date", "grade")
ITEM_ACTIONS = ("dismiss",)
ACTIONS = CLAIM_ACTIONS + INCIDENT_ACTIONS + ITEM_ACTIONS

# what became of a correction when the ledger was last rebuilt
APPLIED = "applied"       # its target was found as it was
MOVED = "moved"           # its target's id changed; it was applied to the claim or incident that took its place
CHANGED = "changed"       # applied, but the pipeline's own value moved since the analyst looked: please re-check
ORPHANED = "orphaned"     # its target is gone; kept, not applied, and queued for review
FLAGGED = (MOVED, CHANGED, ORPHANED)


@dataclass(frozen=True, slots=True)
class Correction:
    """One human decision with who, when and why; re-applied on every rebuild until withdrawn."""

    id: str
    action: str
    target: str
    value: Mapping[str, Any]
    snapshot: Mapping[str, Any]
    analyst: str
    note: str
    made_at: str
    seq: int = 0
    withdrawn_at: str | None = None
    status: str | None = None
    status_detail: str | None = None
    applied_to: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action, "target": self.target, "value": dict(self.value),
                "analyst": self.analyst, "note": self.note, "made_at": self.made_at, "seq": self.seq,
                "withdrawn_at": self.withdrawn_at, "status": self.status, "status_detail": self.status_detail,
                "applied_to": self.applied_to}


@dataclass(frozen=True, slots=True)
class Outcome:
    """What re-applying one correction did on this rebuild."""

    correction: str
    status: str
    detail: str
    applied_to: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a consistency check: what looks wrong, on which record, and how many deaths are at stake."""

    check: str
    target: str                     # an incident or tally id
    title: str
    detail: str
    magnitude: int                  # deaths at stake (the size of the gap), to order the queue
    related: tuple[str, ...] = ()   # other records involved (tallies, articles, incidents)

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "target": self.target, "title": self.title, "detail": self.detail,
                "magnitude": self.magnitude, "related": list(self.related)}


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A line of the review queue: what to look at, why, and the one-key actions that settle it."""

    id: str
    kind: str
    target: str
    priority: float
    title: str
    detail: str
    actions: tuple[str, ...]
    related: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "target": self.target, "priority": self.priority,
                "title": self.title, "detail": self.detail, "actions": list(self.actions),
                "related": list(self.related)}
