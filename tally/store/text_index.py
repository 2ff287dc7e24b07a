"""An index for the incident list's free-text search (``q``: a substring of the incidents' ``search`` column).

SQLite: an FTS5 table with the trigram tokenizer over ``incidents.search`` (external content, kept in step by
triggers); PostgreSQL: a pg_trgm GIN index on the column. Both are made when a Store opens, for new and existing
databases alike (an existing ledger's FTS table is filled once). Where neither can be made (SQLite without FTS5,
a PostgreSQL role that may not create the extension) search still works, by reading every row.
"""
from __future__ import annotations

import logging

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)
FTS = "incidents_fts"
_SQLITE_TRIGGERS = {
    "incidents_fts_insert": f"AFTER INSERT ON incidents BEGIN INSERT INTO {FTS}(rowid, search) "
                            "VALUES (new.rowid, new.search); END",
    "incidents_fts_delete": f"AFTER DELETE ON incidents BEGIN INSERT INTO {FTS}({FTS}, rowid, search) "
                            "VALUES ('delete', old.rowid, old.search); END",
    "incidents_fts_update": f"AFTER UPDATE OF search ON incidents BEGIN INSERT INTO {FTS}({FTS}, rowid, search) "
                            "VALUES ('delete', old.rowid, old.search); INSERT INTO {FTS}(rowid, search) "
                            "VALUES (new.rowid, new.search); END".replace("{FTS}", FTS),
}


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


def _ensure_fts5(engine: Engine) -> str:
    with engine.begin() as cx:
        have = cx.execute(text("SELECT name FROM sqlite_master WHERE name = :n"), {"n": FTS}).first()
        if not have:
            cx.execute(text(f"CREATE VIRTUAL TABLE {FTS} USING fts5(search, content='incidents', "
                            "content_rowid='rowid', tokenize='trigram')"))
            cx.execute(text(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')"))   # an existing ledger's rows
        for name, body in _SQLITE_TRIGGERS.items():
            cx.execute(text(f"CREATE TRIGGER IF NOT EXISTS {name} {body}"))
    return "fts5"


def _ensure_trgm(engine: Engine) -> str:
    with engine.begin() as cx:
        if not cx.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first():
            cx.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        cx.execute(text("CREATE INDEX IF NOT EXISTS ix_incidents_search_trgm ON incidents "
                        "USING gin (search gin_trgm_ops)"))
    return "pg_trgm"
