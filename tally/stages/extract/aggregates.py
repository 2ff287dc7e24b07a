"""Within one report, a figure that is the sum of other figures of the same day is an aggregate, not an
incident: "35 militants killed on Saturday" followed by "28 in air strikes" and "7 in ground fighting"
(CODING_RULES.md: "the 35 is their sum, not a third incident")."""
from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Sequence

from tally.models import Claim

_MAX_PARTS = 4


def _exact(c: Claim) -> int | None:
    f = c.figure
    return f.low if f.low is not None and f.low == f.high else None


def _overlap(a: Claim, b: Claim) -> bool:
    if not (a.date_from and a.date_to and b.date_from and b.date_to):
        return False
    return a.date_from <= b.date_to and b.date_from <= a.date_to


def _is_sum(c: Claim, others: Sequence[Claim]) -> bool:
    total = _exact(c)
    if total is None or total < 2:
        return False
    pool = [o for o in others if o.kind == c.kind and o.start != c.start and _overlap(c, o) and _exact(o)
            and o.scope == "incident" and o.quote != c.quote]
    # The same figure repeated (headline and body) is one part, not two.
    distinct = {(o.category, o.side, _exact(o), o.perpetrator, o.event_type): o for o in pool}
    values = list(distinct.values())
    for n in range(2, min(_MAX_PARTS, len(values)) + 1):
        for combo in itertools.combinations(values, n):
            if sum(_exact(o) or 0 for o in combo) == total:
                return True
    return False


def mark_aggregates(claims: Sequence[Claim]) -> list[Claim]:
    """Claims of one report, with sums of other same-day claims re-scoped as aggregates."""
    incident = [c for c in claims if c.scope == "incident"]
    return [replace(c, scope="aggregate", flags=c.flags + ("sum-of-parts",))
            if c.scope == "incident" and _is_sum(c, incident) else c for c in claims]
