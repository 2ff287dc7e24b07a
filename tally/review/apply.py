"""Re-applying the analyst's corrections on every rebuild of the ledger.

Claim corrections (confirm, reject, a claim's figure or category) change the claims before reconciliation;
incident corrections (merge, split, then figure, place, date, grade) change the reconciled incidents. Every
correction yields an ``Outcome``: applied, moved (found again under a new id), changed (applied, but the pipeline's
own value moved since the analyst looked) or orphaned (its target is gone: kept, not applied, queued for review).
None is dropped silently.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from typing import Any, Callable, Mapping, Sequence

from tally.models import Claim, CountRange, Figure, Incident, Place
from tally.review.keys import find_claim, keys_of
from tally.review.records import APPLIED, CHANGED, CLAIM_ACTIONS, MOVED, ORPHANED, Correction, Outcome
from tally.stages.figures import with_total

Build = Callable[[Sequence[Claim], Sequence[str]], Incident]
PlaceLookup = Callable[[str, str | None], Place]


def split_id(correction: str) -> str:
    """The id of the incident a split carves out: named after the split, so it is the same on every rebuild."""
    return "inc-" + hashlib.sha1(f"split|{correction}".encode()).hexdigest()[:10]


def _index(claims: Sequence[Claim]) -> tuple[dict[str, Claim], dict[str, list[Claim]]]:
    by_article: dict[str, list[Claim]] = {}
    for c in claims:
        by_article.setdefault(c.article, []).append(c)
    return {c.id: c for c in claims}, by_article


def apply_to_claims(claims: Sequence[Claim], corrections: Sequence[Correction]) -> tuple[list[Claim], list[Outcome]]:
    by_id, by_article = _index(claims)
    raw = {c.id: c for c in claims}     # as extracted: what "changed since the analyst looked" compares against
    outcomes = []
    for cor in (c for c in corrections if c.action in CLAIM_ACTIONS):
        found, moved = find_claim(cor.snapshot, by_id, by_article)
        if found is None:
            outcomes.append(Outcome(cor.id, ORPHANED, f"claim {cor.target} is no longer extracted from report "
                                    f"{cor.snapshot['article']}"))
            continue
        base = raw[found.id]
        changed = (base.figure.low, base.figure.high, base.category) != \
            (cor.snapshot["min"], cor.snapshot["max"], cor.snapshot["category"])
        siblings = by_article[found.article]
        at = next(i for i, c in enumerate(siblings) if c.id == found.id)
        if cor.action == "reject":
            del by_id[found.id], siblings[at]
        else:
            by_id[found.id] = siblings[at] = _corrected_claim(found, cor)
        status = MOVED if moved else CHANGED if changed and cor.action != "confirm" else APPLIED
        detail = f"now claim {found.id}" if moved else "the extracted figure or category changed" \
            if status == CHANGED else ""
        outcomes.append(Outcome(cor.id, status, detail, found.id))
    return [by_id[c.id] for c in claims if c.id in by_id], outcomes


def _corrected_claim(c: Claim, cor: Correction) -> Claim:
    v = cor.value
    if cor.action == "confirm":
        return replace(c, confidence=1.0, flags=c.flags + ("analyst-confirmed",))
    if cor.action == "claim-figure":
        return replace(c, figure=CountRange(v["min"], v["max"]), flags=c.flags + ("analyst-figure",))
    return replace(c, category=v["category"], flags=c.flags + ("analyst-category",))


@dataclass(slots=True)
class _Ledger:
    """The incidents being corrected, with what is needed to find a correction's target again."""

    incidents: dict[str, Incident]
    claims: Mapping[str, Claim]

    def find(self, target: str, keys: Sequence[str]) -> tuple[Incident | None, bool]:
        if target in self.incidents:
            return self.incidents[target], False
        wanted = set(keys)
        overlap = [(len(keys_of(self.claims[c] for c in inc.claims if c in self.claims) & wanted), i)
                   for i, inc in self.incidents.items()]
        best = max(overlap, default=(0, ""))
        return (self.incidents[best[1]], True) if best[0] else (None, False)

    def mark(self, inc: Incident, cid: str, **changes: Any) -> None:
        self.incidents[inc.id] = replace(inc, corrections=inc.corrections + (cid,), **changes)


def apply_to_incidents(incidents: Sequence[Incident], claims: Sequence[Claim], corrections: Sequence[Correction],
                       build: Build, lookup_place: PlaceLookup) -> tuple[list[Incident], list[Outcome]]:
    ledger = _Ledger({i.id: i for i in incidents}, {c.id: c for c in claims})
    outcomes = []
    structural = [c for c in corrections if c.action in ("merge", "split")]
    attributes = [c for c in corrections if c.action in ("figure", "place", "date", "grade")]
    for cor in structural + attributes:
        inc, moved = ledger.find(cor.target, cor.snapshot.get("keys", ()))
        if inc is None:
            outcomes.append(Outcome(cor.id, ORPHANED, f"incident {cor.target} is no longer in the ledger"))
            continue
        handler = _HANDLERS[cor.action]
        status, detail, applied_to = handler(ledger, inc, cor, build, lookup_place)
        if moved and status == APPLIED:
            status, detail = MOVED, f"incident {cor.target} is now {inc.id}" + (f"; {detail}" if detail else "")
        outcomes.append(Outcome(cor.id, status, detail, applied_to))
    return list(ledger.incidents.values()), outcomes


Result = tuple[str, str, str | None]


def _merge(ledger: _Ledger, inc: Incident, cor: Correction, build: Build, _lookup: PlaceLookup) -> Result:
    other, _moved = ledger.find(cor.value["with"], cor.snapshot.get("with_keys", ()))
    if other is None:
        return ORPHANED, f"incident {cor.value['with']} to merge with is no longer in the ledger", inc.id
    if other.id == inc.id:
        return APPLIED, "the pipeline now holds them as one incident", inc.id
    members = [ledger.claims[c] for c in inc.claims + other.claims if c in ledger.claims]
    why = f"merged with {other.id} by {cor.analyst} ({cor.id})" + (f": {cor.note}" if cor.note else "")
    merged = replace(build(members, list(inc.merge_reasons) + list(other.merge_reasons) + [why]), id=inc.id,
                     grade=inc.grade or other.grade, corrections=inc.corrections + other.corrections)
    del ledger.incidents[other.id]
    ledger.mark(merged, cor.id)
    return APPLIED, "", inc.id


def _split(ledger: _Ledger, inc: Incident, cor: Correction, build: Build, _lookup: PlaceLookup) -> Result:
    by_id, by_article = _index(list(ledger.claims.values()))
    found = [find_claim(fp, by_id, by_article)[0] for fp in cor.snapshot["moved"]]
    ids = {c.id for c in found if c is not None and c.id in inc.claims}
    rest = [ledger.claims[c] for c in inc.claims if c in ledger.claims and c not in ids]
    if not ids:
        return ORPHANED, "none of the claims to split off is in the incident any more", inc.id
    if not rest:
        return ORPHANED, "the incident now holds only the claims to split off", inc.id
    why = f"split from {inc.id} by {cor.analyst} ({cor.id})" + (f": {cor.note}" if cor.note else "")
    keep = replace(build(rest, [r for r in inc.merge_reasons if r.split(":")[0] not in ids] + [why]), id=inc.id,
                   grade=inc.grade, corrections=inc.corrections)
    part = replace(build([ledger.claims[c] for c in inc.claims if c in ids], [why]), id=split_id(cor.id))
    ledger.mark(keep, cor.id)
    ledger.incidents[part.id] = replace(part, corrections=(cor.id,))
    missing = len(cor.snapshot["moved"]) - len(ids)
    return (CHANGED, f"{missing} of the claims to split off are gone", part.id) if missing else (APPLIED, "", part.id)


def _figure(ledger: _Ledger, inc: Incident, cor: Correction, _build: Build, _lookup: PlaceLookup) -> Result:
    v = cor.value
    figures: dict[str, Figure] = dict(getattr(inc, v["kind"]))
    was = figures.get(v["category"])
    best = v["max"] if v["max"] is not None and v["min"] is None else v["min"]
    figures[v["category"]] = Figure(v["min"], v["max"], best)
    if v["category"] != "total":
        figures = with_total({k: f for k, f in figures.items() if k != "total"}, [])
    ledger.mark(inc, cor.id, **{v["kind"]: figures})
    return _compare([was.low, was.high] if was else None, cor.snapshot.get("was"), "figure", inc.id)


def _place(ledger: _Ledger, inc: Incident, cor: Correction, _build: Build, lookup: PlaceLookup) -> Result:
    was = [p.name for p in inc.places]
    cc = next((p.country_code for p in inc.places if p.country_code), None)
    p = lookup(cor.value["name"], cc)
    ledger.mark(inc, cor.id, places=(p,), country=p.country or inc.country, admin1=p.admin1, lat=p.lat, lon=p.lon,
                geo_precision=p.precision)
    return _compare(was, cor.snapshot.get("was"), "places", inc.id)


def _date(ledger: _Ledger, inc: Incident, cor: Correction, _build: Build, _lookup: PlaceLookup) -> Result:
    was = [_iso(inc.date_from), _iso(inc.date_to)]
    ledger.mark(inc, cor.id, date_from=dt.date.fromisoformat(cor.value["from"]),
                date_to=dt.date.fromisoformat(cor.value["to"]))
    return _compare(was, cor.snapshot.get("was"), "dates", inc.id)


def _grade(ledger: _Ledger, inc: Incident, cor: Correction, _build: Build, _lookup: PlaceLookup) -> Result:
    ledger.mark(inc, cor.id, grade=cor.value["grade"])
    return APPLIED, "", inc.id


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _compare(now: Any, then: Any, what: str, inc: str) -> Result:
    """Applied; or changed when the pipeline's own value differs from what the analyst corrected."""
    if then is not None and list(now or []) != list(then):
        return CHANGED, f"the pipeline's {what} moved from {then} to {now} since the correction", inc
    return APPLIED, "", inc


_HANDLERS: dict[str, Callable[[_Ledger, Incident, Correction, Build, PlaceLookup], Result]] = {
    "merge": _merge, "split": _split, "figure": _figure, "place": _place, "date": _date, "grade": _grade,
}
