"""Records <-> database rows and JSON documents. The JSON field names are the export contract of Tally 0.1."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import fields
from typing import Any, Mapping

from tally.models import Claim, CountRange, Figure, Incident, Place, Tally


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def figure_doc(f: Figure | None) -> dict[str, int | None] | None:
    return None if f is None else {"min": f.low, "max": f.high, "best": f.best}


_PLACE_FIELDS = tuple(f.name for f in fields(Place))


def place_dict(p: Place) -> dict[str, Any]:
    """What ``dataclasses.asdict`` gives, without its deep copy (every field of a Place is a plain value)."""
    return {name: getattr(p, name) for name in _PLACE_FIELDS}


def claim_row(c: Claim, seq: int) -> dict[str, Any]:
    return {
        "id": c.id, "seq": seq, "article": c.article, "kind": c.kind, "category": c.category, "side": c.side,
        "min": c.figure.low, "max": c.figure.high, "approximate": c.figure.approximate,
        "date_from": c.date_from, "date_to": c.date_to, "places": json.dumps([place_dict(p) for p in c.places]),
        "perpetrator": c.perpetrator, "event_type": c.event_type, "source": c.source, "stance": c.stance,
        "quote": c.quote, "start": c.start, "end": c.end, "scope": c.scope, "parts": json.dumps(list(c.parts)),
        "period_from": c.period_from, "period_label": c.period_label, "number_text": c.number_text,
        "number_start": c.number_start, "number_end": c.number_end, "confidence": c.confidence,
        "flags": json.dumps(list(c.flags)), "extractor": c.extractor,
    }


def row_claim(r: Mapping[str, Any]) -> Claim:
    return Claim(
        id=r["id"], article=r["article"], kind=r["kind"], category=r["category"], side=r["side"],
        figure=CountRange(r["min"], r["max"], bool(r["approximate"])), date_from=_date(r["date_from"]),
        date_to=_date(r["date_to"]), places=tuple(Place(**p) for p in json.loads(r["places"] or "[]")),
        perpetrator=r["perpetrator"], event_type=r["event_type"], source=r["source"], stance=r["stance"],
        quote=r["quote"], start=r["start"], end=r["end"], scope=r["scope"],
        parts=tuple((str(a), int(b)) for a, b in json.loads(r["parts"] or "[]")),
        period_from=_date(r["period_from"]), period_label=r["period_label"], number_text=r["number_text"] or "",
        number_start=r["number_start"] or 0, number_end=r["number_end"] or 0, confidence=r["confidence"],
        flags=tuple(json.loads(r["flags"] or "[]")), extractor=r["extractor"],
    )


def claim_doc(r: Mapping[str, Any]) -> dict[str, Any]:
    """A claims-table row (joined with its incident) as the exported claim record."""
    return {
        "id": r["id"], "article": r["article"],
        "incident": r.get("incident") if r["scope"] == "incident" else None,
        "tally": None, "kind": r["kind"], "category": r["category"], "side": r["side"],
        "min": r["min"], "max": r["max"], "approximate": bool(r["approximate"]),
        "date_from": _iso(_date(r["date_from"])), "date_to": _iso(_date(r["date_to"])),
        "places": [p["name"] for p in json.loads(r["places"] or "[]")], "perpetrator": r["perpetrator"],
        "event_type": r["event_type"], "source": r["source"], "stance": r["stance"], "scope": r["scope"],
        "quote": r["quote"], "start": r["start"], "end": r["end"], "number": r["number_text"],
        "number_start": r["number_start"], "number_end": r["number_end"],
        "parts": json.loads(r["parts"] or "[]"), "period_from": _iso(_date(r["period_from"])),
        "confidence": r["confidence"], "flags": json.loads(r["flags"] or "[]"), "extractor": r["extractor"],
    }


def incident_doc(i: Incident) -> dict[str, Any]:
    return {
        "id": i.id, "date_from": _iso(i.date_from), "date_to": _iso(i.date_to), "country": i.country,
        "admin1": i.admin1, "places": [p.name for p in i.places], "lat": i.lat, "lon": i.lon,
        "geo_precision": i.geo_precision, "event_type": i.event_type, "perpetrator": i.perpetrator,
        "killed": {k: figure_doc(v) for k, v in i.killed.items()},
        "injured": {k: figure_doc(v) for k, v in i.injured.items()},
        "victim_sides": {s: {k: figure_doc(v) for k, v in kinds.items()} for s, kinds in i.victim_sides.items()},
        "sources": list(i.sources), "contested": i.contested, "contested_by": list(i.contested_by),
        "articles": list(i.articles), "evidence": [{"article": a, "quote": q} for a, q in i.evidence],
        "claims": list(i.claims), "merge_reasons": list(i.merge_reasons), "confidence": i.confidence,
        "place_details": [place_dict(p) for p in i.places],
        "grade": i.grade, "corrections": list(i.corrections),
    }


def tally_doc(t: Tally) -> dict[str, Any]:
    return {
        "id": t.id, "scope": t.scope, "country": t.country, "period_from": _iso(t.period_from),
        "as_of": _iso(t.as_of), "killed": {k: figure_doc(v) for k, v in t.killed.items()},
        "injured": {k: figure_doc(v) for k, v in t.injured.items()}, "sources": list(t.sources),
        "articles": list(t.articles), "claims": list(t.claims),
        "evidence": [{"article": a, "quote": q} for a, q in t.evidence],
    }
