"""Incidents as a UCDP-GED-style CSV: the Georeferenced Event Dataset's column names and codes.

Deaths are split as GED splits them: ``deaths_a`` (sustained by side A, the perpetrator), ``deaths_b`` (by the
other armed side), ``deaths_civilians`` and ``deaths_unknown``, and ``best`` is their sum, as in GED.
``low`` and ``high`` come from the incident's range of killed; an open-ended range ("at least 14") has no higher
reliable estimate, so ``high`` is then the best estimate. Columns Tally cannot know (GED's conflict and dyad ids,
Gleditsch-Ward codes) are present and blank, so scripts written for GED read the file unchanged.
Hand-written: no library writes GED's layout.
"""
from __future__ import annotations

import math
from typing import Any, Sequence

from tally.readout.formats import csv_bytes
from tally.readout.exports.incident_fields import actor_kind, best, dates, figure, joined, main_place, side_killed, \
    span_days, victim_side

COLUMNS = (
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id", "conflict_new_id",
    "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a",
    "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources", "source_article", "source_office",
    "source_date", "source_headline", "source_original", "where_prec", "where_coordinates", "where_description",
    "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid", "country", "country_id", "region",
    "event_clarity", "date_prec", "date_start", "date_end", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "best", "high", "low", "gwnoa", "gwnob",
)

# GED type_of_violence: 1 state-based, 2 non-state, 3 one-sided violence (against civilians).
STATE_BASED, NON_STATE, ONE_SIDED = 1, 2, 3


def render(rows: Sequence[dict[str, Any]], kind: str) -> bytes:
    return csv_bytes([ged_row(r) for r in rows], COLUMNS)


def ged_row(r: dict[str, Any]) -> dict[str, Any]:
    start, end = dates(r)
    side_a = r.get("perpetrator") or ""
    civilians, unknown = best(r, "killed", "civilian"), best(r, "killed", "unknown")
    combatants = best(r, "killed", "combatant")
    one_sided = civilians > 0 and combatants == 0
    side_b = "Civilians" if one_sided else (victim_side(r) or "")
    deaths_a = min(side_killed(r, side_a), combatants)
    deaths_b = combatants - deaths_a
    # Deaths the report gives only as a total (no category) count as unknown, so `best` stays the sum.
    unknown += max(best(r, "killed", "total") - (deaths_a + deaths_b + civilians + unknown), 0)
    total = deaths_a + deaths_b + civilians + unknown
    place, lat, lon = main_place(r), r.get("lat"), r.get("lon")
    return {
        "id": r["id"], "relid": r["id"], "year": start.year if start else "",
        "type_of_violence": _violence_type(side_a, side_b, one_sided),
        "dyad_name": f"{side_a} - {side_b}" if side_a and side_b else "", "side_a": side_a, "side_b": side_b,
        "number_of_sources": len(r.get("articles") or ()), "source_article": joined(r.get("articles")),
        "source_office": joined(r.get("outlets")), "source_original": joined(r.get("sources")),
        "where_prec": _where_prec(place, r), "where_coordinates": place.get("name") or "",
        "where_description": joined(r.get("places")), "adm_1": r.get("admin1") or "",
        "latitude": "" if lat is None else lat, "longitude": "" if lon is None else lon,
        "geom_wkt": f"POINT ({lon} {lat})" if lat is not None and lon is not None else "",
        "priogrid_gid": priogrid(lat, lon) if lat is not None and lon is not None else "",
        "country": r.get("country") or "", "event_clarity": 2 if r.get("contested") else 1,
        "date_prec": _date_prec(span_days(r)),
        "date_start": start.isoformat() if start else "", "date_end": end.isoformat() if end else "",
        "deaths_a": deaths_a, "deaths_b": deaths_b, "deaths_civilians": civilians, "deaths_unknown": unknown,
        "best": total, **_low_high(r, total),
    }


def _violence_type(side_a: str, side_b: str, one_sided: bool) -> int | str:
    if one_sided:
        return ONE_SIDED
    kinds = {actor_kind(side_a), actor_kind(side_b)}
    if "state_force" in kinds:          # a government's forces are one of the sides
        return STATE_BASED
    return NON_STATE if side_a and side_b else ""   # otherwise both armed sides must be known


def _low_high(r: dict[str, Any], best_total: int) -> dict[str, int]:
    fig = figure(r, "killed", "total")
    low = fig["min"] if fig["min"] is not None else best_total
    high = fig["max"] if fig["max"] is not None else best_total
    return {"low": min(low, best_total), "high": max(high, best_total)}


def _where_prec(place: dict[str, Any], r: dict[str, Any]) -> int | str:
    """GED where_prec: 1 exact place, 2 within 25 km of it, 4 first-order region, 6 only the country."""
    kind = place.get("kind")
    if kind == "town":
        return 1 if (place.get("precision") or 1) <= 1 else 2
    if kind == "admin1" or (not place and r.get("admin1")):
        return 4
    if kind == "country" or r.get("country"):
        return 6
    return ""


def _date_prec(days: int | None) -> int | str:
    """GED date_prec: 1 the day, 2 a 2-6 day span, 3 a week, 4 up to a month, 5 longer."""
    if days is None:
        return ""
    for prec, limit in ((1, 1), (2, 6), (3, 7), (4, 31)):
        if days <= limit:
            return prec
    return 5


def priogrid(lat: float, lon: float) -> int:
    """The PRIO-GRID cell (0.5 degree squares numbered from the south-west corner, row by row)."""
    row = min(int(math.floor((lat + 90) / 0.5)), 359)
    col = min(int(math.floor((lon + 180) / 0.5)), 719)
    return row * 720 + col + 1
