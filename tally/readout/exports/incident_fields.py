"""Reading one exported incident record (a dict as `tally.readout.ledger.incidents` builds it) the way the
ACLED-, UCDP- and GeoJSON-style exports need it: figures, dates, the main place, the actors' kinds."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from tally.stages.extract.lexicon import actors


def figure(r: dict[str, Any], kind: str, category: str) -> dict[str, int | None]:
    """{"min", "max", "best"} of one category of killed or injured; all None when the incident has none."""
    fig = (r.get(kind) or {}).get(category) or {}
    return {"min": fig.get("min"), "max": fig.get("max"), "best": fig.get("best")}


def best(r: dict[str, Any], kind: str, category: str) -> int:
    """The best estimate, else the lower bound, else 0: counts in these formats are never blank."""
    fig = figure(r, kind, category)
    for part in ("best", "min"):
        if fig[part] is not None:
            return int(fig[part])  # type: ignore[arg-type]
    return 0


def dates(r: dict[str, Any]) -> tuple[dt.date | None, dt.date | None]:
    lo = dt.date.fromisoformat(r["date_from"]) if r.get("date_from") else None
    hi = dt.date.fromisoformat(r["date_to"]) if r.get("date_to") else lo
    return lo, hi


def span_days(r: dict[str, Any]) -> int | None:
    """How many days the incident's date range covers (1 for a known day), None when undated."""
    lo, hi = dates(r)
    return None if lo is None or hi is None else (hi - lo).days + 1


def main_place(r: dict[str, Any]) -> dict[str, Any]:
    """The first resolved place of the incident (its `place_details`), or {} when none is known."""
    details = r.get("place_details") or []
    return next((p for p in details if p.get("lat") is not None), details[0] if details else {})


def actor_kind(name: str | None) -> str | None:
    """armed_group | state_force | coalition ... from `tally/data/actors.tsv`; None when unknown."""
    return _actor_kinds().get(name) if name else None


@functools.cache
def _actor_kinds() -> dict[str, str]:
    return dict(actors().kinds)


def victim_side(r: dict[str, Any]) -> str | None:
    """The named side whose people were killed (from `victim_sides`), other than the perpetrator."""
    for side, kinds in (r.get("victim_sides") or {}).items():
        if side and side != r.get("perpetrator") and (kinds or {}).get("killed"):
            return str(side)
    return None


def side_killed(r: dict[str, Any], side: str | None) -> int:
    if not side:
        return 0
    fig = ((r.get("victim_sides") or {}).get(side) or {}).get("killed") or {}
    return int(fig.get("best") if fig.get("best") is not None else fig.get("min") or 0)


def joined(values: Any) -> str:
    return "; ".join(str(v) for v in values or () if v)
