"""Incidents as a GeoJSON FeatureCollection (RFC 7946; opens in QGIS, Leaflet, geopandas).

One Point feature per incident at its main place, [longitude, latitude] in WGS 84. An incident whose place is
unknown is kept with a null geometry (RFC 7946 allows it) rather than dropped. Properties are flat scalars, as GIS
tools show them in an attribute table: figures as killed_civilian_min ..., lists joined with "; ".
"""
from __future__ import annotations

import json
from typing import Any, Sequence

from tally.readout.exports.incident_fields import joined
from tally.readout.formats import flat_row

LISTS = ("places", "sources", "outlets", "contested_by", "articles", "corrections")
LEFT_OUT = ("claims", "merge_reasons", "place_details", "victim_sides", "lat", "lon")


def render(rows: Sequence[dict[str, Any]], kind: str) -> bytes:
    collection = {"type": "FeatureCollection", "features": [feature(r) for r in rows]}
    return json.dumps(collection, ensure_ascii=False, indent=None).encode("utf-8")


def feature(r: dict[str, Any]) -> dict[str, Any]:
    lat, lon = r.get("lat"), r.get("lon")
    geometry = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    props: dict[str, Any] = {}
    for key, value in flat_row(r).items():
        if key in LEFT_OUT:
            continue
        props[key] = joined(value) if key in LISTS else value
    props["evidence"] = (r.get("evidence") or [{}])[0].get("quote")
    props["reports"] = len(r.get("articles") or ())
    return {"type": "Feature", "id": r["id"], "geometry": geometry, "properties": props}
