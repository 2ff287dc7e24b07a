"""reconcile(claims) -> incidents and tallies: every real-world incident once, with why claims were merged.

Claims join an incident when their dates overlap and their perpetrator, event type, places and country are
compatible (equal, or one of them unknown or generic). Running totals are grouped apart, per report and
period. A copy's claim that repeats its original's is evidence on the original's incident or total and
never changes a figure (``copy_claims``). Hand-written: the merge rules are the analyst's (CODING_RULES.md "One incident, many reports").
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from tally.models import EVENT_TYPES, Claim, Denial, Incident, Place, Tally
from tally.stages.copy_claims import echo_reason, split_echoes
from tally.stages.extract.events import GENERIC_EVENTS, events_compatible
from tally.stages.figures import figures_of, sides_of, union
from tally.stages.extract.geo import place_key

_FALLBACK = ("date-from-publication",)


@dataclass(slots=True)
class _Cluster:
    claims: list[Claim] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict, repr=False)   # derived sets, cleared by add()
    lands: set[str] = field(default_factory=set)                     # countries of its claims (see _land)

    def add(self, c: Claim, reason: str) -> None:
        self.claims.append(c)
        self.reasons.append(reason)
        self.memo.clear()

    def _cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    @property
    def dates(self) -> tuple[dt.date | None, dt.date | None]:
        return self._cached("dates", self._dates)  # type: ignore[no-any-return]

    def _dates(self) -> tuple[dt.date | None, dt.date | None]:
        firm = [c for c in self.claims if not set(c.flags) & set(_FALLBACK)] or self.claims
        froms = [c.date_from for c in firm if c.date_from]
        tos = [c.date_to for c in firm if c.date_to]
        return (max(froms) if froms else None, min(tos) if tos else None)

    def values(self, attr: str) -> set[object]:
        return self._cached(attr, lambda: {getattr(c, attr) for c in self.claims if getattr(c, attr)})  # type: ignore[no-any-return]

    @property
    def place_keys(self) -> set[str]:
        return self._cached("_place_keys", lambda: {place_key(p) for o in self.claims for p in o.places
                                                   if p.kind not in ("admin1", "country")})  # type: ignore[no-any-return]

    @property
    def countries(self) -> set[str]:
        return self._cached("_countries", lambda: {p.country_code for o in self.claims for p in o.places
                                                  if p.country_code})  # type: ignore[no-any-return]

    @property
    def regions(self) -> set[tuple[str | None, str]]:
        return self._cached("_regions", lambda: {r for o in self.claims for r in _regions(o)})  # type: ignore[no-any-return]

    @property
    def place_names(self) -> set[str]:
        return self._cached("_place_names", lambda: {p.name for o in self.claims for p in o.places})  # type: ignore[no-any-return]

    def open_until(self) -> dt.date:
        """The last claim date this cluster can still take (see _dates_meet); dt.date.min when it only takes
        undated claims."""
        lo, hi = self.dates
        return max(lo, hi) if lo and hi else dt.date.min


def _dates_meet(c: Claim, k: _Cluster) -> bool:
    lo, hi = k.dates
    if not (c.date_from and c.date_to and lo and hi):
        return c.date_from is None and lo is None
    if hi < lo:  # a cluster of firm claims that disagree: use their full span
        lo, hi = hi, lo
    return c.date_from <= hi and lo <= c.date_to


def _regions(c: Claim) -> set[tuple[str | None, str]]:
    return {(p.country_code, p.admin1) for p in c.places if p.admin1 and p.kind in ("town", "admin1")}


def _countries(c: Claim) -> set[str]:
    return {p.country_code for p in c.places if p.country_code}


def _land(c: Claim, regions: Mapping[str, tuple[str | None, str | None]]) -> frozenset[str]:
    """The countries a claim is in: those of its places, else its report's; empty when neither is known.
    A figure with no place of its own ("three soldiers died in the fighting") happened where its report is,
    so it never joins an incident in another country."""
    own = frozenset(p.country for p in c.places if p.country)
    region = regions.get(c.article, (None, None))[0]
    return own or (frozenset([region]) if region else frozenset())


def _places_meet(c: Claim, k: _Cluster, land: frozenset[str] = frozenset()) -> bool:
    mine = {place_key(p) for p in c.places if p.kind != "admin1" and p.kind != "country"}
    theirs = k.place_keys
    if mine and theirs and not mine & theirs:
        return False
    if land and k.lands and not land & k.lands:
        return False
    countries, others = _countries(c), k.countries
    if countries and others and not countries & others:
        return False
    # provinces or states named (or holding the towns named) must meet too
    return not (_regions(c) and k.regions and not _regions(c) & k.regions)


def _compatible(c: Claim, k: _Cluster, land: frozenset[str] = frozenset()) -> str | None:
    """The reason to merge ``c`` into ``k``, or None when they cannot be one incident."""
    if not _dates_meet(c, k):
        return None
    perps = k.values("perpetrator")
    if c.perpetrator and perps and c.perpetrator not in perps:
        return None
    events = {e for e in k.values("event_type") if e not in GENERIC_EVENTS}
    if any(not events_compatible(c.event_type, e) for e in events):
        return None
    if not _places_meet(c, k, land):
        return None
    lo, hi = k.dates
    bits = [f"dates meet ({lo}..{hi})"]
    if c.perpetrator and c.perpetrator in perps:
        bits.append(f"same perpetrator ({c.perpetrator})")
    shared = {p.name for p in c.places} & k.place_names
    if shared:
        bits.append("shared places (" + ", ".join(sorted(shared)) + ")")
    if c.article in k.values("article"):
        bits.append("same report")
    return "; ".join(bits)


def _score(c: Claim, k: _Cluster) -> int:
    score = 2 * (c.article in k.values("article"))
    score += 2 * bool({p.name for p in c.places} & k.place_names)
    score += bool(c.perpetrator and c.perpetrator in k.values("perpetrator"))
    score += bool(c.event_type in k.values("event_type") and c.event_type not in GENERIC_EVENTS)
    return score


class _Blocks:
    """The clusters a claim could still join, so each claim is compared with a few clusters, not all.

    Both cuts are exact (they only skip clusters that ``_compatible`` would refuse), so the incidents are
    the same as comparing with every cluster: claims arrive in date order and a cluster whose dates end
    before the claim's start can take no later claim (date window); a claim placed in some countries only
    meets clusters in one of them or in none known (country blocking; see ``_land``)."""

    def __init__(self) -> None:
        self.clusters: list[_Cluster] = []
        self.open: set[int] = set()
        self.by_country: dict[str, set[int]] = {}
        self.nowhere: set[int] = set()
        self.day: dt.date | None = None

    def candidates(self, c: Claim, mine: frozenset[str]) -> list[int]:
        if c.date_from is not None and c.date_from != self.day:   # retire clusters that closed before today
            self.day = c.date_from
            closed = {i for i in self.open if self.clusters[i].open_until() < c.date_from}
            self.open -= closed
            self.nowhere -= closed
            for members in self.by_country.values():
                members -= closed
        if not mine:
            return sorted(self.open)
        found = set(self.nowhere)
        for cc in mine:
            found |= self.by_country.get(cc, set())
        return sorted(found & self.open)

    def place(self, i: int) -> None:
        """(Re-)index cluster ``i`` after it was made or grew."""
        countries = self.clusters[i].lands
        self.open.add(i)
        if countries:
            self.nowhere.discard(i)
            for cc in countries:
                self.by_country.setdefault(cc, set()).add(i)
        else:
            self.nowhere.add(i)


def cluster(claims: Sequence[Claim],
            regions: Mapping[str, tuple[str | None, str | None]] | None = None) -> list[_Cluster]:
    """Greedy clustering in a fixed order (date, then report, then position), so any input order gives the
    same incidents."""
    ordered = sorted(claims, key=lambda c: (c.date_from or dt.date.min, c.article, c.start, c.id))
    blocks = _Blocks()
    for c in ordered:
        best: tuple[int, int, str] | None = None
        land = _land(c, regions or {})
        for i in blocks.candidates(c, land):
            k = blocks.clusters[i]
            reason = _compatible(c, k, land)
            if reason is not None and (best is None or _score(c, k) > best[0]):
                best = (_score(c, k), i, reason)
        if best is None:
            blocks.clusters.append(_Cluster([c], [f"{c.id}: first claim"], lands=set(land)))
            blocks.place(len(blocks.clusters) - 1)
        else:
            blocks.clusters[best[1]].add(c, f"{c.id}: {best[2]}")
            blocks.clusters[best[1]].lands |= land
            blocks.place(best[1])
    return blocks.clusters


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


Denials = Mapping[str, Sequence[Denial]]   # report key -> the denials found in it


def denials_by_report(denials: Sequence[Denial]) -> dict[str, list[Denial]]:
    """The denials grouped by report, built once so each incident reads only its own reports' denials."""
    out: dict[str, list[Denial]] = {}
    for d in denials:
        out.setdefault(d.article, []).append(d)
    return out


def _contested(claims: Sequence[Claim], denials: Denials) -> tuple[str, ...]:
    arts = {c.article for c in claims}
    sides = {c.side for c in claims if c.side} | {c.perpetrator for c in claims if c.perpetrator}
    return tuple(sorted({f"{d.denier or 'a party'} denies: {d.quote}" for a in arts for d in denials.get(a, ())
                         if d.side in sides}))


def _incident_id(claims: Sequence[Claim], order: Mapping[str, int]) -> str:
    anchor = min(claims, key=lambda c: (order.get(c.id, 1 << 60), c.id))
    return "inc-" + hashlib.sha1(anchor.id.encode()).hexdigest()[:10]


def build_incident(k: _Cluster, denials: Denials, order: Mapping[str, int],
                   regions: Mapping[str, tuple[str | None, str | None]],
                   echoes: Sequence[tuple[Claim, Claim]] = ()) -> Incident:
    """The incident of cluster ``k``; ``echoes`` (copy claim, the claim it repeats) add evidence only;
    ``denials`` as ``denials_by_report`` groups them."""
    claims = k.claims
    shown = list(claims) + [c for c, _o in echoes]
    places = _places(claims)
    located = next((p for p in places if p.lat is not None), None)
    lo, hi = k.dates
    if lo and hi and hi < lo:
        lo, hi = hi, lo
    country, admin1 = _region(places, claims, regions)
    contested_by = _contested(shown, denials)
    perps = Counter(c.perpetrator for c in claims if c.perpetrator)
    return Incident(
        id=_incident_id(claims, order), claims=tuple(c.id for c in shown), date_from=lo, date_to=hi,
        country=country, admin1=admin1, places=places, lat=located.lat if located else None,
        lon=located.lon if located else None, geo_precision=min((p.precision for p in places), default=None),
        event_type=_specific_event(claims), perpetrator=perps.most_common(1)[0][0] if perps else None,
        killed=figures_of(claims, "killed"), injured=figures_of(claims, "injured"), victim_sides=sides_of(claims),
        sources=tuple(sorted({c.source for c in shown if c.source})), contested=bool(contested_by),
        contested_by=contested_by, articles=tuple(sorted({c.article for c in shown})),
        evidence=tuple(dict.fromkeys((c.article, c.quote) for c in shown)),
        merge_reasons=tuple(dict.fromkeys(list(k.reasons) + [echo_reason(c, o) for c, o in echoes])),
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


def _echo_index(echoes: Mapping[str, Claim], by_id: Mapping[str, Claim]) -> dict[str, list[tuple[Claim, Claim]]]:
    """{original claim id: [(copy claim, original claim), ...]}, built once so each cluster looks up its own."""
    index: dict[str, list[tuple[Claim, Claim]]] = {}
    for e, o in echoes.items():
        index.setdefault(o.id, []).append((by_id[e], o))
    return index


def _echoes_of(claims: Sequence[Claim], index: Mapping[str, list[tuple[Claim, Claim]]]) -> list[tuple[Claim, Claim]]:
    """(copy claim, original claim) for the echoes of ``claims``, in a fixed order."""
    return sorted((p for c in claims for p in index.get(c.id, ())), key=lambda p: (p[0].article, p[0].start, p[0].id))


def build_tallies(claims: Sequence[Claim], published: Mapping[str, dt.date | None],
                  regions: Mapping[str, tuple[str | None, str | None]], copies: Mapping[str, str]) -> list[Tally]:
    """Running totals: one per report and period, merged across reports that give the same period and figures.
    ``copies`` maps copy reports to their originals (a copy's repeated figure is evidence only)."""
    counted, echoes = split_echoes(claims, copies)
    index = _echo_index(echoes, {c.id: c for c in claims})
    groups: dict[tuple[object, ...], list[Claim]] = {}
    for c in sorted(counted, key=lambda c: (c.article, c.start)):
        key = (c.article, c.period_from, (c.period_label or "").lower() if not c.period_from else "")
        groups.setdefault(key, []).append(c)
    merged: dict[tuple[object, ...], list[Claim]] = {}
    for (_art, period_from, label), group in groups.items():
        figures = tuple(sorted(((c.kind, c.side or c.category, c.figure.low, c.figure.high) for c in group),
                            key=lambda f: (f[0], f[1], -1 if f[2] is None else f[2], -1 if f[3] is None else f[3])))
        merged.setdefault((period_from, label, figures), []).extend(group)
    return [_tally(g, published, regions, [c for c, _o in _echoes_of(g, index)]) for g in merged.values()]


def _tally(group: list[Claim], published: Mapping[str, dt.date | None],
           regions: Mapping[str, tuple[str | None, str | None]], echoes: Sequence[Claim] = ()) -> Tally:
    def by_key(kind: str) -> dict[str, object]:
        keys = sorted({c.side or c.category for c in group if c.kind == kind})
        return {k: union([c.figure for c in group if c.kind == kind and (c.side or c.category) == k]) for k in keys}

    first = group[0]
    shown = list(group) + list(echoes)
    arts = tuple(sorted({c.article for c in shown}))
    as_of = max((published[a] for a in {c.article for c in group} if published.get(a)), default=None)
    perps = [c.perpetrator for c in group if c.perpetrator]
    scope = " ".join(x for x in ((perps[0] if perps else None), first.period_label) if x) or "running total"
    return Tally(
        id="tal-" + hashlib.sha1("|".join(sorted(c.id for c in group)).encode()).hexdigest()[:10], scope=scope,
        country=regions.get(first.article, (None, None))[0], period_from=first.period_from, as_of=as_of,
        killed=by_key("killed"), injured=by_key("injured"),  # type: ignore[arg-type]
        sources=tuple(sorted({c.source for c in shown if c.source})), articles=arts,
        claims=tuple(c.id for c in shown), evidence=tuple(dict.fromkeys((c.article, c.quote) for c in shown)),
    )


def reconcile(claims: Sequence[Claim], denials: Sequence[Denial], order: Mapping[str, int],
              published: Mapping[str, dt.date | None], regions: Mapping[str, tuple[str | None, str | None]],
              copies: Mapping[str, str]) -> tuple[list[Incident], list[Tally]]:
    """Incidents and running totals from ``claims``; ``copies`` maps each copy report to the report it copies."""
    incident_claims = [c for c in claims if c.scope == "incident" and c.stance == "asserted"]
    counted, echoes = split_echoes(incident_claims, copies)
    index = _echo_index(echoes, {c.id: c for c in incident_claims})
    by_report = denials_by_report(denials)
    incidents = [build_incident(k, by_report, order, regions, _echoes_of(k.claims, index))
                 for k in cluster(counted, regions)]
    tallies = build_tallies([c for c in claims if c.scope == "tally" and c.stance == "asserted"], published, regions,
                            copies)
    return incidents, tallies


def incident_from_claims(claims: Sequence[Claim], reasons: Sequence[str], denials: Denials,
                         order: Mapping[str, int], regions: Mapping[str, tuple[str | None, str | None]],
                         copies: Mapping[str, str]) -> Incident:
    """One incident from claims an analyst grouped by hand (a merge or a split), built by the same rules."""
    counted, echoes = split_echoes(claims, copies)
    index = _echo_index(echoes, {c.id: c for c in claims})
    return build_incident(_Cluster(counted, list(reasons)), denials, order, regions, _echoes_of(counted, index))
