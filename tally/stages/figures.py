"""Combining claimed ranges into one figure, as CODING_RULES.md says: the lowest minimum, the highest maximum,
open if any claim is open; a total is the sum of its parts, kept larger when reported on its own."""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from tally.models import CATEGORIES, Claim, CountRange, Figure


def union(ranges: Sequence[CountRange]) -> Figure | None:
    if not ranges:
        return None
    lows = [r.low for r in ranges if r.low is not None]
    low = min(lows) if lows else None
    high = None if any(r.high is None for r in ranges) else max(r.high for r in ranges if r.high is not None)
    if low is not None and high is not None and high < low:
        high = low
    # best estimate: the highest figure anyone asserts as a floor, within the range
    best = max(lows) if lows else high
    if best is not None and high is not None:
        best = min(best, high)
    return Figure(low, high, best)


def add(figures: Iterable[Figure]) -> Figure:
    figs = list(figures)
    lows = [f.low for f in figs if f.low is not None]
    low = sum(lows) if lows else None  # "up to 17" alone has no minimum, and neither has its total
    high = None if any(f.high is None for f in figs) else sum(f.high or 0 for f in figs)
    best = sum(f.best if f.best is not None else (f.low or 0) for f in figs)
    return Figure(low, high, best)


def with_total(parts: Mapping[str, Figure], totals: Sequence[CountRange]) -> dict[str, Figure]:
    """Categories plus "total": the sum of the parts, raised to a larger total reported on its own."""
    out = {c: parts[c] for c in CATEGORIES if c in parts}
    summed = add(out.values()) if out else None
    reported = union(totals)
    if summed is None and reported is None:
        return out
    if summed is None or reported is None:
        out["total"] = summed or reported  # type: ignore[assignment]
        return out
    low = None if summed.low is None and reported.low is None else max(summed.low or 0, reported.low or 0)
    high = None if summed.high is None or reported.high is None else max(summed.high, reported.high, low or 0)
    best = max(summed.best or 0, reported.best or 0)
    out["total"] = Figure(low, high, min(best, high) if high is not None else best)
    return out


def figures_of(claims: Sequence[Claim], kind: str) -> dict[str, Figure]:
    """{category: Figure} plus "total" for one kind (killed or injured) over the given claims."""
    mine = largest_per_report([c for c in claims if c.kind == kind and c.stance == "asserted"])
    # Victims of unknown status beside named categories are most often the same people counted as a whole
    # ("22 killed" in a headline, "22 civilians" in the body): they bound the total, never add to it.
    named = any(c.category in ("civilian", "combatant") for c in mine)
    totals = [c.figure for c in mine if c.category == "total" or (named and c.category == "unknown")]
    parts = {}
    for cat in CATEGORIES:
        if named and cat == "unknown":
            continue
        fig = _across_sides([c for c in mine if c.category == cat])
        if fig is not None:
            parts[cat] = fig
    return with_total(parts, totals)


def largest_per_report(claims: Sequence[Claim]) -> list[Claim]:
    """Within one incident, a report's smaller figure for the same kind, category and side is a part of its
    larger one ("four people dead" ... "a man was shot dead"), never a lower bound: only the largest stays."""
    best: dict[tuple[object, ...], Claim] = {}
    for c in claims:
        key = (c.article, c.kind, c.category, c.side)
        old = best.get(key)
        if old is None or _size(c.figure) > _size(old.figure):
            best[key] = c
    keep = {id(c) for c in best.values()}
    return [c for c in claims if id(c) in keep or _size(c.figure) == _size(best[(c.article, c.kind, c.category, c.side)].figure)]


def _size(r: CountRange) -> int:
    return r.low if r.low is not None else (r.high or 0)


def _across_sides(claims: Sequence[Claim]) -> Figure | None:
    """Victims of different sides add up ("34 jihadists and 17 SDF fighters" = 51 combatants); a figure with
    no side joins the only named side, or bounds the sum from below when several sides are named."""
    sides = sorted({c.side for c in claims if c.side})
    loose = [c.figure for c in claims if not c.side]
    if len(sides) <= 1:
        return union([c.figure for c in claims])
    summed = add(f for f in (union([c.figure for c in claims if c.side == s]) for s in sides) if f is not None)
    floor = union(loose)
    if floor is None or (floor.low or 0) <= (summed.low or 0):
        return summed
    return Figure(floor.low, summed.high if summed.high is None or summed.high >= (floor.low or 0) else None,
                  max(summed.best or 0, floor.best or 0))


def sides_of(claims: Sequence[Claim]) -> dict[str, dict[str, Figure]]:
    out: dict[str, dict[str, Figure]] = {}
    for side in sorted({c.side for c in claims if c.side}):
        for kind in ("killed", "injured"):
            fig = union([c.figure for c in claims if c.side == side and c.kind == kind and c.stance == "asserted"])
            if fig is not None:
                out.setdefault(side, {})[kind] = fig
    return out
