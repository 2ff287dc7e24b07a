"""The incidents table's filter and sort columns (places, categories, best figures), derived from the JSON doc.

``replace_ledger`` fills them for every new ledger; ``add_missing`` adds them to a database written by an older
Tally and fills them from the stored docs, so a ledger keeps working without a re-ingest.
"""
from __future__ import annotations

import json
import logging
from typing import Any, Mapping

from sqlalchemy import Engine, inspect, select, text, update
from sqlalchemy.schema import CreateIndex

from tally.models import CATEGORIES
from tally.store import schema

log = logging.getLogger(__name__)
DERIVED = ("places", "categories", "killed_best", "killed_civilian", "killed_combatant", "killed_unknown",
           "injured_best", "lat", "lon", "search")


def _best(fig: Mapping[str, Any] | None) -> int | None:
    if not fig:
        return None
    return fig.get("best") if fig.get("best") is not None else fig.get("min")


def filter_columns(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The derived column values of one incident doc (the export record of ``serialize.incident_doc``)."""
    killed, injured = doc.get("killed") or {}, doc.get("injured") or {}
    cats = [c for c in CATEGORIES if (_best(killed.get(c)) or 0) > 0]
    out: dict[str, Any] = {
        "places": "|" + "|".join(doc.get("places") or []) + "|",
        "categories": "|" + "|".join(cats) + "|",
        "killed_best": _best(killed.get("total")),
        "injured_best": _best(injured.get("total")),
        "lat": doc.get("lat"), "lon": doc.get("lon"), "search": search_text(doc),
    }
    for c in CATEGORIES:
        out[f"killed_{c}"] = _best(killed.get(c))
    return out


def search_text(doc: Mapping[str, Any]) -> str:
    """What free-text search looks through: places, region, country, perpetrator, sources, deniers and the
    evidence sentences, lower-cased, one per line."""
    parts = [*(doc.get("places") or []), doc.get("admin1"), doc.get("country"), doc.get("perpetrator"),
             *(doc.get("sources") or []), *(doc.get("contested_by") or []),
             *(e.get("quote") for e in doc.get("evidence") or [])]
    return "\n".join(p for p in parts if p).lower()


def add_missing(engine: Engine) -> None:
    """Add the derived columns to an incidents table made by an older Tally and fill them from the docs; create
    any missing index of any table (``create_all`` makes indexes only with a new table)."""
    t = schema.incidents
    have = {c["name"] for c in inspect(engine).get_columns("incidents")}
    missing = [c for c in DERIVED if c not in have]
    with engine.begin() as cx:
        if missing:
            log.info("adding columns %s to the incidents table", ", ".join(missing))
            for name in missing:
                cx.execute(text(f"ALTER TABLE incidents ADD COLUMN {name} {t.c[name].type.compile(engine.dialect)}"))
            for ident, doc in cx.execute(select(t.c.id, t.c.doc)).all():
                cx.execute(update(t).where(t.c.id == ident).values(**filter_columns(json.loads(doc))))
        had = _index_names(cx)
        for table in schema.metadata.sorted_tables:
            for index in table.indexes:
                # only the missing ones: CREATE INDEX locks its table against writes even when the index exists, and
                # two such locks taken while another run writes can deadlock with it (seen on PostgreSQL)
                if index.name not in had:
                    cx.execute(CreateIndex(index, if_not_exists=True))   # reflection misses expression indexes
        _measure(cx, _index_names(cx) - had)


def _index_names(cx: Any) -> set[str]:
    if cx.dialect.name == "postgresql":
        return set(cx.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")).scalars())
    return set(cx.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'")).scalars())


def _measure(cx: Any, new: set[str]) -> None:
    """Planner statistics for indexes added to a ledger that has statistics for the others. Without them SQLite
    guesses that a new index narrows a name to a few rows, prefers it to the covering index it had measured, and
    counts a country's incidents by fetching every row (120 ms instead of 7 on 182,000 incidents)."""
    if cx.dialect.name == "postgresql":
        if new:
            cx.execute(text("ANALYZE incidents"))   # a sample: expression indexes get their own statistics
        return
    if not cx.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        return   # never measured: SQLite plans every index alike by its defaults
    unmeasured = cx.execute(text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incidents' "
                                 "AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL) "
                                 "AND EXISTS (SELECT 1 FROM incidents)")).scalars().all()
    if unmeasured:
        log.info("measuring the indexes %s", ", ".join(unmeasured))
        for name in unmeasured:
            cx.execute(text(f'ANALYZE "{name}"'))
