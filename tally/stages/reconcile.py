"""reconcile(claims) -> incidents and tallies: every real-world incident once, with why claims were merged.

Claims join an incident when their dates overlap and their perpetrator, event type, places and country are
compatible (equal, or one of them unknown or generic). Running totals are grouped apart, per report and
period. Hand-written: the merge rules are the analyst's (CODING_RULES.md "One incident, many reports").
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from tally.models import EVENT_TYPES, Claim, Denial, Incident, Place, Tally
from tally.stages.extract.events import GENERIC_EVENTS, events_compatible
from tally.stages.figures import figures_of, sides_of, union
from tally.stages.extract.geo import place_key

_FALLBACK = ("date-from-publication",)


@dataclass(slots=True)
class _Cluster:
    claims: list[Claim] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        firm = [c for c in self.claims if not set(c.flags) & set(_FALLBACK)] or self.claims
        froms = [c.date_from for c in firm if c.date_from]
        tos = [c.date_to for c in firm if c.date_to]
        return (max(froms) if froms else None, min(tos) if tos else None)

    def values(self, attr: str) -> set[object]:
        return {getattr(c, attr) for c in self.claims if getattr(c, attr)}


def _dates_meet(c: Claim, k: _Cluster) -> bool:
    lo, hi = k.dates
    if not (c.date_from and c.date_to and lo and hi):
        return c.date_from is None and lo is None
    if hi < lo:  # a cluster of firm claims that disagree: use their full span
        lo, hi = hi, lo
    return c.date_from <= hi and lo <= c.date_to


def _places_meet(c: Claim, k: _Cluster) -> bool:
    mine = {place_key(p) for p in c.places if p.kind != "admin1" and p.kind != "country"}
    theirs = {place_key(p) for o in k.claims for p in o.places if p.kind not in ("admin1", "country")}
    if mine and theirs and not mine & theirs:
        return False
    countries = {p.country_code for p in c.places if p.country_code}
    others = {p.country_code for o in k.claims for p in o.places if p.country_code}
    if countries and others and not countries & others:
        return False
    # provinces or states named (or holding the towns named) must meet too
    regions = {(p.country_code, p.admin1) for p in c.places if p.admin1 and p.kind in ("town", "admin1")}
    theirs_r = {(p.country_code, p.admin1) for o in k.claims for p in o.places if p.admin1 and p.kind in ("town", "admin1")}
    return not (regions and theirs_r and not regions & theirs_r)


def _compatible(c: Claim, k: _Cluster) -> str | None:
    """The reason to merge ``c`` into ``k``, or None when they cannot be one incident."""
    if not _dates_meet(c, k):
        return None
    perps = k.values("perpetrator")
    if c.perpetrator and perps and c.perpetrator not in perps:
        return None
    events = {e for e in k.values("event_type") if e not in GENERIC_EVENTS}
    if any(not events_compatible(c.event_type, e) for e in events):
        return None
    if not _places_meet(c, k):
        return None
    lo, hi = k.dates
    bits = [f"dates meet ({lo}..{hi})"]
    if c.perpetrator and c.perpetrator in perps:
        bits.append(f"same perpetrator ({c.perpetrator})")
    shared = {p.name for p in c.places} & {p.name for o in k.claims for p in o.places}
    if shared:
        bits.append("shared places (" + ", ".join(sorted(shared)) + ")")
    if c.article in k.values("article"):
        bits.append("same report")
    return "; ".join(bits)


def _score(c: Claim, k: _Cluster) -> int:
    score = 2 * (c.article in k.values("article"))
    score += 2 * bool({p.name for p in c.places} & {p.name for o in k.claims for p in o.places})
    score += bool(c.perpetrator and c.perpetrator in k.values("perpetrator"))
    score += bool(c.event_type in k.values("event_type") and c.event_type not in GENERIC_EVENTS)
    return score


def cluster(claims: Sequence[Claim]) -> list[_Cluster]:
    """Greedy clustering in a fixed order (date, then report, then position), so any input order gives the
    same incidents."""
    ordered = sorted(claims, key=lambda c: (c.date_from or dt.date.min, c.article, c.start, c.id))
    clusters: list[_Cluster] = []
    for c in ordered:
        best: tuple[int, int, str] | None = None
        for i, k in enumerate(clusters):
            reason = _compatible(c, k)
            if reason is not None and (best is None or _score(c, k) > best[0]):
                best = (_score(c, k), i, reason)
        if best is None:
            clusters.append(_Cluster([c], [f"{c.id}: first claim"]))
        else:
            clusters[best[1]].claims.append(c)
            clusters[best[1]].reasons.append(f"{c.id}: {best[2]}")
    return clusters


def _specific_event(claims: Sequence[Claim]) -> str:
    kinds = {c.event_type for c in claims}
    for e in EVENT_TYPES:
        if e in kinds and e not in GENERIC_EVENTS:
            return e
    return "attack" if "attack" in kinds else "other"


def _places(claims: Sequence[Claim]) -> tuple[Place, ...]:
    seen: dict[str, Place] = {}
    for c in claims:
        for p in c.places:
            seen.setdefault(place_key(p), p)
    return tuple(sorted(seen.values(), key=lambda p: (p.precision, p.name)))


def _contested(claims: Sequence[Claim], denials: Sequence[Denial]) -> tuple[str, ...]:
    arts = {c.article for c in claims}
    sides = {c.side for c in claims if c.side} | {c.perpetrator for c in claims if c.perpetrator}
    return tuple(sorted({f"{d.denier or 'a party'} denies: {d.quote}" for d in denials
                         if d.article in arts and d.side in sides}))


def _incident_id(claims: Sequence[Claim], order: Mapping[str, int]) -> str:
    anchor = min(claims, key=lambda c: (order.get(c.id, 1 << 60), c.id))
    return "inc-" + hashlib.sha1(anchor.id.encode()).hexdigest()[:10]


def build_incident(k: _Cluster, denials: Sequence[Denial], order: Mapping[str, int],
                   regions: Mapping[str, tuple[str | None, str | None]]) -> Incident:
    claims = k.claims
    places = _places(claims)
    located = next((p for p in places if p.lat is not None), None)
    lo, hi = k.dates
    if lo and hi and hi < lo:
        lo, hi = hi, lo
    country, admin1 = _region(places, claims, regions)
    contested_by = _contested(claims, denials)
    perps = Counter(c.perpetrator for c in claims if c.perpetrator)
    return Incident(
        id=_incident_id(claims, order), claims=tuple(c.id for c in claims), date_from=lo, date_to=hi,
        country=country, admin1=admin1, places=places, lat=located.lat if located else None,
        lon=located.lon if located else None, geo_precision=min((p.precision for p in places), default=None),
        event_type=_specific_event(claims), perpetrator=perps.most_common(1)[0][0] if perps else None,
        killed=figures_of(claims, "killed"), injured=figures_of(claims, "injured"), victim_sides=sides_of(claims),
        sources=tuple(sorted({c.source for c in claims if c.source})), contested=bool(contested_by),
        contested_by=contested_by, articles=tuple(sorted({c.article for c in claims})),
        evidence=tuple(dict.fromkeys((c.article, c.quote) for c in claims)), merge_reasons=tuple(k.reasons),
        confidence=_confidence(claims),
    )


def _region(places: Sequence[Place], claims: Sequence[Claim],
            regions: Mapping[str, tuple[str | None, str | None]]) -> tuple[str | None, str | None]:
    for p in places:
        if p.country:
            return p.country, p.admin1
    for c in claims:
        if regions.get(c.article, (None, None))[0]:
            return regions[c.article]
    return None, None


def _confidence(claims: Sequence[Claim]) -> float:
    best = max(c.confidence for c in claims)
    reports = len({c.article for c in claims})
    return round(min(1.0, best + 0.05 * (reports - 1)), 2)


def build_tallies(claims: Sequence[Claim], published: Mapping[str, dt.date | None],
                  regions: Mapping[str, tuple[str | None, str | None]]) -> list[Tally]:
    """Running totals: one per report and period, merged across reports that give the same period and figures."""
    groups: dict[tuple[object, ...], list[Claim]] = {}
    for c in sorted(claims, key=lambda c: (c.article, c.start)):
        key = (c.article, c.period_from, (c.period_label or "").lower() if not c.period_from else "")
        groups.setdefault(key, []).append(c)
    merged: dict[tuple[object, ...], list[Claim]] = {}
    for (_art, period_from, label), group in groups.items():
        figures = tuple(sorted(((c.kind, c.side or c.category, c.figure.low, c.figure.high) for c in group),
                            key=lambda f: (f[0], f[1], -1 if f[2] is None else f[2], -1 if f[3] is None else f[3])))
        merged.setdefault((period_from, label, figures), []).extend(group)
    return [_tally(g, published, regions) for g in merged.values()]


def _tally(group: list[Claim], published: Mapping[str, dt.date | None],
           regions: Mapping[str, tuple[str | None, str | None]]) -> Tally:
    def by_key(kind: str) -> dict[str, object]:
        keys = sorted({c.side or c.category for c in group if c.kind == kind})
        return {k: union([c.figure for c in group if c.kind == kind and (c.side or c.category) == k]) for k in keys}

    first = group[0]
    arts = tuple(sorted({c.article for c in group}))
    as_of = max((published[a] for a in arts if published.get(a)), default=None)
    perps = [c.perpetrator for c in group if c.perpetrator]
    scope = " ".join(x for x in ((perps[0] if perps else None), first.period_label) if x) or "running total"
    return Tally(
        id="tal-" + hashlib.sha1("|".join(sorted(c.id for c in group)).encode()).hexdigest()[:10], scope=scope,
        country=regions.get(first.article, (None, None))[0], period_from=first.period_from, as_of=as_of,
        killed=by_key("killed"), injured=by_key("injured"),  # type: ignore[arg-type]
        sources=tuple(sorted({c.source for c in group if c.source})), articles=arts,
        claims=tuple(c.id for c in group), evidence=tuple(dict.fromkeys((c.article, c.quote) for c in group)),
    )


def reconcile(claims: Sequence[Claim], denials: Sequence[Denial], order: Mapping[str, int],
              published: Mapping[str, dt.date | None],
              regions: Mapping[str, tuple[str | None, str | None]]) -> tuple[list[Incident], list[Tally]]:
    incident_claims = [c for c in claims if c.scope == "incident" and c.stance == "asserted"]
    incidents = [build_incident(k, denials, order, regions) for k in cluster(incident_claims)]
    tallies = build_tallies([c for c in claims if c.scope == "tally" and c.stance == "asserted"], published, regions)
    return incidents, tallies


def incident_from_claims(claims: Sequence[Claim], reasons: Sequence[str], denials: Sequence[Denial],
                         order: Mapping[str, int], regions: Mapping[str, tuple[str | None, str | None]]) -> Incident:
    """One incident from claims an analyst grouped by hand (a merge or a split), built by the same rules."""
    return build_incident(_Cluster(list(claims), list(reasons)), denials, order, regions)
