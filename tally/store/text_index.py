"""Indexes for the incident list's free-text search (``q``: a substring of the incidents' ``search`` column).

Both backends keep a narrow copy of that column, ``incident_search`` (the incident's id and its search text, kept
in step with ``incidents`` by triggers), so that matching text never reads the wide incident rows with their JSON
docs: a PostgreSQL count of a common word read the 289 MB table, the copy is a fifth of it. SQLite: an FTS5 table
with the trigram tokenizer over ``incidents.search`` (external content, kept in step by triggers) finds the
matches, and the narrow copy is what a walk in the list's order reads; PostgreSQL: a pg_trgm GIN index on the
copy, which also holds each incident's date (``date_from``) with an index in the list's date order (both directions):
a text search alone in that order is sorted and paged in the copy, without looking each match up among the
incidents (1M claims: a phrase matching 3,500 incidents walked the date order of the incidents, each looked up in
the copy, 60 ms; walked in the copy's own date index 3 ms). Both are made when a Store opens, for new and existing
databases alike (an existing ledger's are filled once; a PostgreSQL copy made without the date is made again).
Where neither can be made (SQLite without FTS5, a PostgreSQL role that may not create the extension, the function
or the triggers) search still works, by reading every incident row.
"""
from __future__ import annotations

import logging

from sqlalchemy import Date, Engine, column, table, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
FTS = "incidents_fts"
SEARCH = "incident_search"
# not in schema.metadata: an index, made here; date_from only on PostgreSQL
search_table = table(SEARCH, column("id"), column("search"), column("date_from", Date))
_SQLITE_TRIGGERS = {
    "incidents_fts_insert": f"AFTER INSERT ON incidents BEGIN INSERT INTO {FTS}(rowid, search) "
                            "VALUES (new.rowid, new.search); END",
    "incidents_fts_delete": f"AFTER DELETE ON incidents BEGIN INSERT INTO {FTS}({FTS}, rowid, search) "
                            "VALUES ('delete', old.rowid, old.search); END",
    "incidents_fts_update": f"AFTER UPDATE OF search ON incidents BEGIN INSERT INTO {FTS}({FTS}, rowid, search) "
                            "VALUES ('delete', old.rowid, old.search); INSERT INTO {FTS}(rowid, search) "
                            "VALUES (new.rowid, new.search); END".replace("{FTS}", FTS),
    "incident_search_insert": f"AFTER INSERT ON incidents BEGIN INSERT INTO {SEARCH}(id, search) "
                              "VALUES (new.id, new.search); END",
    "incident_search_delete": f"AFTER DELETE ON incidents BEGIN DELETE FROM {SEARCH} WHERE id = old.id; END",
    "incident_search_update": f"AFTER UPDATE OF id, search ON incidents BEGIN DELETE FROM {SEARCH} "
                              f"WHERE id = old.id; INSERT INTO {SEARCH}(id, search) VALUES (new.id, new.search); END",
}
_PG_SYNC = f"""CREATE OR REPLACE FUNCTION incident_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN DELETE FROM {SEARCH} WHERE id = OLD.id; END IF;
    IF TG_OP <> 'DELETE' THEN INSERT INTO {SEARCH}(id, search, date_from) VALUES (NEW.id, NEW.search, NEW.date_from);
    END IF;
    RETURN NULL;
END $$"""


def ensure(engine: Engine) -> str | None:
    """Make the text index if it is missing; returns which one the database has ("fts5", "pg_trgm") or None."""
    try:
        if engine.dialect.name == "sqlite":
            return _ensure_fts5(engine)
        if engine.dialect.name == "postgresql":
            return _ensure_trgm(engine)
    except SQLAlchemyError as exc:
        log.warning("no text search index (%s): search reads every incident", str(exc).splitlines()[0])
    return None


def _fill(cx: object, made: bool, columns: str = "id, search") -> None:
    if made:   # an existing ledger's rows, once
        sql = f"INSERT INTO {SEARCH}({columns}) SELECT {columns} FROM incidents"
        cx.execute(text(sql))  # type: ignore[attr-defined]


def _ensure_fts5(engine: Engine) -> str:
    with engine.begin() as cx:
        have = set(cx.execute(text("SELECT name FROM sqlite_master WHERE name IN (:f, :s)"),
                              {"f": FTS, "s": SEARCH}).scalars())
        if FTS not in have:
            cx.execute(text(f"CREATE VIRTUAL TABLE {FTS} USING fts5(search, content='incidents', "
                            "content_rowid='rowid', tokenize='trigram')"))
            cx.execute(text(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"))   # an existing ledger's rows
        if SEARCH not in have:
            cx.execute(text(f"CREATE TABLE {SEARCH} (id TEXT PRIMARY KEY, search TEXT) WITHOUT ROWID"))
        _fill(cx, SEARCH not in have)
        for name, body in _SQLITE_TRIGGERS.items():
            cx.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))
    return "fts5"


def _ensure_trgm(engine: Engine) -> str:
    with engine.begin() as cx:
        if not cx.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
            cx.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        cx.execute(text("SELECT pg_advisory_xact_lock(7411001)"))   # the Store's write lock: one Store makes it
        # made anew when missing, or when made by an older Tally without the date (a copy of text alone, refilled)
        made = not cx.execute(text("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                                   "AND table_name = :s AND column_name = 'date_from'"), {"s": SEARCH}).first()
        if made:
            cx.execute(text("DROP INDEX IF EXISTS ix_incidents_search_trgm"))   # on the wide rows, before the copy
            cx.execute(text(f"DROP TABLE IF EXISTS {SEARCH}"))
            cx.execute(text(f"CREATE TABLE {SEARCH} (id TEXT PRIMARY KEY, search TEXT, date_from DATE)"))
            cx.execute(text(_PG_SYNC))
            cx.execute(text(f"CREATE OR REPLACE TRIGGER incident_search_sync AFTER INSERT OR DELETE OR UPDATE OF id, "
                            f"search, date_from ON incidents FOR EACH ROW EXECUTE FUNCTION incident_search_sync()"))
            _fill(cx, True, "id, search, date_from")
            cx.execute(text(f"CREATE INDEX ix_incident_search_trgm ON {SEARCH} USING gin (search gin_trgm_ops)"))
            # the list's date order, NULLs last then by id (query._page_keys), in each direction
            for suffix, way in (("", ""), ("_desc", " DESC")):
                cx.execute(text(f"CREATE INDEX ix_incident_search_by_date{suffix} ON {SEARCH} "
                                f"((date_from IS NULL), date_from{way}, id)"))
            cx.execute(text(f"ANALYZE {SEARCH}"))
    return "pg_trgm"
