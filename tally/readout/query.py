"""Filtered, paged and sorted reads of the ledger, shared by the JSON API, the web pages and ``tally.open``.

Built with SQLAlchemy Core over the store's tables, so the same queries run on SQLite and PostgreSQL. Incidents
come back as their export records (the contract of Tally 0.1, see README "Export fields").
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Sequence

from pydantic_core import from_json
from sqlalchemy import (ColumnElement, Connection, Row, Select, TextClause, and_, column, false, func, literal_column,
                        or_, select, table, text, true)

from tally.errors import ConfigError
from tally.models import CATEGORIES, EVENT_TYPES
from tally.store import schema, text_index
from tally.store.db import Store
from tally.store.serialize import claim_doc
from tally.readout.ledger import claim_corrections, stamped

_I = schema.incidents.c
SORTS: dict[str, Any] = {
    "date": _I.date_from, "killed": _I.killed_best, "injured": _I.injured_best, "confidence": _I.confidence,
    "country": _I.country, "perpetrator": _I.perpetrator, "id": _I.id,
}
MAX_LIMIT = 1000
MAX_CURSOR = 1024   # characters of an ``after`` cursor: a sort key, an id and a position need far fewer


@dataclass(frozen=True, slots=True)
class After:
    """Where a page ends, for keyset paging: the next page starts after the row with this sort key and id, in the
    order (sort, descending) the cursor was made for. ``position`` is how many rows came before the next page, so
    that a page reached by cursor still knows its offset (for "showing 201-250" and the previous page's link)."""

    sort: str
    descending: bool
    key: Any
    id: str
    position: int

    def encode(self) -> str:
        """The ``after`` parameter: URL-safe base64 of a small JSON list (opaque to clients, but not a secret)."""
        key = self.key.isoformat() if isinstance(self.key, dt.date) else self.key
        raw = json.dumps([self.sort, "desc" if self.descending else "asc", key, self.id, self.position],
                         separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


# the Python type of each sort key in a cursor (JSON has no dates: a date travels as its ISO form)
_KEY_TYPES: dict[str, type] = {"date": dt.date, "killed": int, "injured": int, "confidence": float, "country": str,
                               "perpetrator": str, "id": str}


def parse_after(cursor: str, sort: str, descending: bool) -> After:
    """The ``after`` parameter back into an ``After`` for a list in this order; a ConfigError naming ``after``
    for anything that is not a cursor this API made for that order."""
    def bad(why: str) -> ConfigError:
        return ConfigError(f"after: {why}; pass the next_after value of the page before, unchanged")

    if len(cursor) > MAX_CURSOR:
        raise bad(f"longer than {MAX_CURSOR} characters")
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad("not a cursor") from None
    if not (isinstance(raw, list) and len(raw) == 5 and raw[0] in _KEY_TYPES and raw[1] in ("asc", "desc")
            and isinstance(raw[3], str) and type(raw[4]) is int and 0 <= raw[4] <= 2 ** 62):
        raise bad("not a cursor")
    made_for, order, key, ident, position = raw
    if (made_for, order == "desc") != (sort, descending):
        raise bad(f"this cursor pages the list sorted by {made_for} {order}, not by {sort} "
                  f"{'desc' if descending else 'asc'}")
    want = _KEY_TYPES[made_for]
    try:
        if key is None or (want is float and type(key) in (int, float)) or type(key) is want:
            pass
        elif want is dt.date and isinstance(key, str):
            key = dt.date.fromisoformat(key)
        else:
            raise ValueError
    except ValueError:
        raise bad(f"its sort key is not a {want.__name__}") from None
    if made_for == "id" and key != ident:
        raise bad("not a cursor")
    return After(made_for, order == "desc", float(key) if want is float and key is not None else key, ident, position)


@dataclass(frozen=True, slots=True)
class IncidentQuery:
    """Which incidents, in which order, which page. Every filter is optional; text filters ignore case."""

    since: dt.date | None = None          # incidents that end on or after this day
    until: dt.date | None = None          # incidents that start on or before this day
    country: str | None = None
    admin1: str | None = None             # admin region (province, governorate, oblast ...)
    place: str | None = None              # one of the incident's places, by name
    perpetrator: str | None = None
    event_type: str | None = None
    category: str | None = None           # civilian | combatant | unknown: has killed in that category
    contested: bool | None = None
    min_confidence: float = 0.0
    min_killed: int | None = None         # at least this many killed (best estimate, all categories)
    q: str | None = None                  # free text over places, actors, sources, evidence sentences
    sort: str = "date"
    descending: bool = False
    limit: int = 50
    offset: int = 0
    after: After | None = None            # keyset paging: the page after this row (see ``After``); offset stays 0

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ConfigError(f"unknown sort {self.sort!r}; use one of {', '.join(SORTS)}")
        if self.category is not None and self.category not in CATEGORIES:
            raise ConfigError(f"unknown category {self.category!r}; use one of {', '.join(CATEGORIES)}")
        if self.event_type is not None and self.event_type not in EVENT_TYPES:
            raise ConfigError(f"unknown event type {self.event_type!r}; use one of {', '.join(EVENT_TYPES)}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ConfigError(f"limit must be between 1 and {MAX_LIMIT}, not {self.limit}")
        if self.offset < 0:
            raise ConfigError(f"offset must be 0 or more, not {self.offset}")
        if self.after is not None:
            if self.offset:
                raise ConfigError("after: give either offset or an after cursor, not both")
            if (self.after.sort, self.after.descending) != (self.sort, self.descending):
                raise ConfigError(f"after: the cursor pages the list sorted by {self.after.sort}, "
                                  f"{'desc' if self.after.descending else 'asc'}; this list is sorted by {self.sort}")

    def page(self, offset: int) -> IncidentQuery:
        return replace(self, offset=offset)


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[dict[str, Any]]
    total: int
    offset: int
    limit: int
    next_offset: int | None = field(default=None)
    next_after: After | None = field(default=None)   # the cursor of the next page (None on the last page)


def _conditions(q: IncidentQuery, store: Store, walk: bool = False) -> list[ColumnElement[bool]]:
    """``walk``: test the text on each row read (in the sort order, until the page is full) rather than through the
    text index, which lists every match first; cheaper for a common word's first pages (see ``_walk_cheaper``)."""
    conds: list[ColumnElement[bool]] = []
    if q.since:
        conds.append(func.coalesce(_I.date_to, _I.date_from) >= q.since)
        longest = store.longest_span()
        if longest is not None:   # implied by the line above; lets a date index read a range bounded both sides
            conds.append(_I.date_from >= q.since - dt.timedelta(days=longest))
    if q.until:
        conds.append(_I.date_from <= q.until)
    for col, value in ((_I.country, q.country), (_I.admin1, q.admin1), (_I.perpetrator, q.perpetrator)):
        if value:
            conds.append(func.lower(col) == value.lower())
    if q.event_type:
        conds.append(_I.event_type == q.event_type)
    if q.place:
        conds.append(_I.places.ilike(f"%|{_escape_like(q.place)}|%", escape="\\"))
    if q.category:   # the categories column lists those with killed_<category> > 0 (store/columns.py)
        conds.append(_I[f"killed_{q.category}"] > 0)
    if q.contested is not None:
        conds.append(_I.contested == q.contested)
    if q.min_confidence:
        conds.append(_I.confidence >= q.min_confidence)
    if q.min_killed is not None:
        conds.append(_I.killed_best >= q.min_killed)
    if q.q:
        needle = q.q.lower()
        if store.text_index == "fts5" and len(needle) >= 3 and not walk:
            # a phrase of trigrams is a substring: the FTS index answers without reading the incidents' rows. The
            # unary + keeps SQLite from fetching each match's row by rowid: it checks the rowids while it walks an
            # index instead (a count, or the sort order's index up to the page), which stays within one index scan
            conds.append(literal_column("+incidents.rowid").in_(select(_FTS.c.rowid).where(_matches(needle))))
        elif store.text_index:
            # the narrow copy of the search text (store/text_index.py), looked up by id: PostgreSQL's pg_trgm index
            # serves the LIKE, and neither a match nor a walk in the list's order reads the wide incident rows
            s = text_index.search_table.c
            conds.append(select(1).where(s.id == _I.id, s.search.like(f"%{_escape_like(needle)}%", escape="\\"))
                         .exists())
        else:   # no text index: every row's text is read
            conds.append(_I.search.like(f"%{_escape_like(needle)}%", escape="\\"))
    return conds


_FTS = table(text_index.FTS, column("rowid"))


def _matches(needle: str) -> ColumnElement[bool]:
    """The FTS5 rows whose text holds ``needle`` (3 characters or more: a phrase of trigrams is a substring)."""
    return literal_column(text_index.FTS).op("MATCH")('"' + needle.replace('"', '""') + '"')


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _filtered(stmt: Select[Any], q: IncidentQuery, store: Store, walk: bool = False) -> Select[Any]:
    conds = _conditions(q, store, walk)
    return stmt.where(and_(*conds)) if conds else stmt


# A text search's total is counted up to this many and shown as a lower bound past it ("10,000+"): counting every
# match of a common word is what cost (60,000 matches of 182,000 incidents: 17 ms on SQLite's FTS5, 160 ms on
# PostgreSQL), and no reader pages through ten thousand matches. Other filters are counted exactly, off indexes.
TEXT_COUNT_CAP = 10_000


def count(store: Store, q: IncidentQuery = IncidentQuery(), cap: int | None = None) -> int:
    """How many incidents match ``q``'s filters (its order and paging play no part); with ``cap``, counting stops
    past ``cap`` (the answer is then ``cap + 1``: more than ``cap``)."""
    needle = (q.q or "").lower()
    if store.text_index and _text_alone(q):
        # text alone: every incident has one row in the text index and in its narrow copy, so the matches are
        # counted there, without looking each one up among the incidents
        if store.text_index == "fts5" and len(needle) >= 3:
            stmt = select(1).select_from(_FTS).where(_matches(needle))
        else:
            s = text_index.search_table.c
            stmt = select(1).select_from(text_index.search_table).where(
                s.search.like(f"%{_escape_like(needle)}%", escape="\\"))
    else:
        stmt = _filtered(select(1).select_from(schema.incidents), q, store)
    if cap is not None:
        stmt = stmt.limit(cap + 1)
    with store.engine.connect() as cx:
        return cx.execute(select(func.count()).select_from(stmt.subquery())).scalar() or 0


def filters_of(q: IncidentQuery) -> IncidentQuery:
    """``q`` with only what decides which incidents match: names and text lower-cased (they ignore case), the
    order and paging fixed. Equal for two queries that match the same incidents, so a key for cached counts."""
    low = {k: v.lower() for k in ("country", "admin1", "perpetrator", "place", "q") if (v := getattr(q, k))}
    return replace(q, sort="date", descending=False, limit=1, offset=0, after=None, **low)


# Per text index: matches it lists in the time of one row read and searched by walking the list's order. Measured
# on 1M claims (182,120 incidents; /tmp scripts, both plans forced, for 10 words of 1,800 to 60,000 matches).
# FTS5 (file memory-mapped): a walked row 1-3 us, a listed match 0.3-3 us (a phrase's trigram lists are read whatever
# the number of matches, so a rare phrase costs more per match); with 3 the plan picked was the cheaper one for
# every word, with 20 the words of 5,000 to 13,000 matches were listed (5-13 ms) where the walk took 2-3 ms.
# pg_trgm, paging a text search alone in the narrow copy (store/text_index.py): a walked row 1-2.7 us, a listed and
# sorted match 1.4-3.8 us; with 1 the plan picked was the cheaper one for every word (1,800 matches: listed 7 ms,
# walked 11; 3,500: walked 6-7, listed 13).
WALKED_ROW_COST = {"fts5": 3, "pg_trgm": 1}


def text_count_cap(store: Store, q: IncidentQuery, everything: int) -> int:
    """How far to count ``q``'s matches so that one count serves both the page's total (exact up to
    ``TEXT_COUNT_CAP``) and, on FTS5, the choice of plan in ``incidents`` (which needs to know whether there are more
    matches than walking the order until the page is full would read): counted to this cap, ``incidents`` never
    counts again."""
    if not _plans_text(q, store):
        return TEXT_COUNT_CAP
    rows = q.limit if q.after else q.offset + q.limit
    return max(TEXT_COUNT_CAP, _walk_threshold(store, rows, everything) + 1)


def _plans_text(q: IncidentQuery, store: Store) -> bool:
    """Whether a page of ``q`` is read one of two ways, walking the order or listing the text index's matches, and
    ``incidents`` picks one by the count: a text search on FTS5, or one alone in the date order on pg_trgm."""
    return bool(q.q) and (store.text_index == "fts5" or _in_search_copy(q, store))


def _walk_threshold(store: Store, rows: int, everything: int) -> int:
    """Past how many matches walking the order is cheaper than listing them (``_walk_cheaper``)."""
    return math.isqrt(rows * everything * WALKED_ROW_COST[store.text_index or ""])


def _walk_cheaper(store: Store, rows: int, total: int, everything: int) -> bool:
    """Whether reading incidents in the sort order until the page is full, searching each one's text, costs less
    than listing every match from the text index. The walk reads about ``rows`` (offset + limit; limit after a
    cursor, where the walk starts) * everything / total rows (matches are spread through the order); the index
    lists ``total`` matches. A common word's first page: 200 rows read against 60,000 matches listed (1 ms against
    30 ms on 182,000 incidents)."""
    return total > 0 and rows * everything * WALKED_ROW_COST[store.text_index or ""] < total * total


def incidents(store: Store, q: IncidentQuery = IncidentQuery(), total: int | None = None,
              everything: int | None = None, marks: Sequence[After] = ()) -> Page:
    """One page of incidents matching ``q``, as export records, with the total count over all pages
    (``total``: that count when the caller knows it, from a cache, or ``count`` capped: then ``Page.total`` is
    that cap + 1, a lower bound; a text search's total counted to ``text_count_cap`` saves a second count here;
    ``everything``: the count of all incidents,
    likewise, needed for a text search on SQLite). A page is read after ``q.offset`` rows, or after the row of
    ``q.after`` (keyset paging: the index is entered at that row, so a deep page costs what the first one does), or
    after the offset mark before ``q.offset`` (``marks``: ``offset_marks`` of this list) and the rows from it."""
    if total is None:
        total = count(store, q)
    position = q.after.position if q.after else q.offset
    walk = False
    if _plans_text(q, store):
        everything = count(store) if everything is None else everything
        rows = q.limit if q.after else position + q.limit
        known = total
        if total == TEXT_COUNT_CAP + 1 and not _walk_cheaper(store, rows, total, everything):
            # a total capped at TEXT_COUNT_CAP is a lower bound: count on, only as far as the choice needs (a total
            # counted to text_count_cap is exact below it, and past it the walk is cheaper)
            known = count(store, q, cap=_walk_threshold(store, rows, everything) + 1)
        walk = _walk_cheaper(store, rows, known, everything)
    with store.engine.connect() as cx:
        # sort and page on the small columns first (one row more than the page: is there a next one?), then fetch
        # only this page's docs
        start = None
        if marks and q.after is None and q.offset >= OFFSET_MARK_EVERY:   # the last mark at or before the offset
            start = marks[min(q.offset // OFFSET_MARK_EVERY, len(marks)) - 1]
        found = _page_keys(cx, q, store, walk, start, q.offset - start.position if start else 0)
        more, found = len(found) > q.limit, found[:q.limit]
        ids = [r[0] for r in found]
        docs = dict(cx.execute(select(_I.id, _I.doc).where(_I.id.in_(ids))).all()) if ids else {}
        rows = _with_outlets(cx, [from_json(docs[i]) for i in ids])   # pydantic-core's parser: half json's time
    stamped(rows, store)
    nxt = position + len(ids) if more else None
    after = After(q.sort, q.descending, found[-1][1], found[-1][0], nxt) if more and nxt is not None else None
    return Page(rows, total, position, q.limit, nxt, after)


def _page_keys(cx: Connection, q: IncidentQuery, store: Store, walk: bool, start: After | None = None,
               skip: int = 0) -> list[Row[Any]]:
    """(id, sort key) of the page's rows and one more, in the list's order: (key IS NULL), key, id. NULL keys come
    last, spelled the way the sort indexes of store/schema.py hold them, on both backends. ``start``: read after
    this row instead (an offset mark, ``offset_marks``), past ``skip`` rows more."""
    ident, key, stmt, order = _ordered(q, store, walk)
    a = start or q.after
    if a is None:
        return list(cx.execute(stmt.order_by(*order).limit(q.limit + 1).offset(q.offset)).all())
    return _keyset(cx, q, ident, key, stmt, order, a, q.limit + 1 + skip)[skip:]


# An offset mark every this many rows of a list (``offset_marks``): a deep offset reads on from the mark before it
OFFSET_MARK_EVERY = 500


def seeks_offsets(store: Store, q: IncidentQuery) -> bool:
    """Whether a page of ``q`` is worth reading from an offset mark: a deep offset (not a text search) on PostgreSQL,
    which steps over the rows before an offset at 0.1-0.2 us each (1M claims: 19 ms at offset 136,000), where one
    pass numbering the whole list costs 100 ms. SQLite steps over a memory-mapped index for 2 ms and its window
    function took 150-400 ms for that pass, more than a run of deep offsets would save."""
    return (store.engine.dialect.name == "postgresql" and not q.q and q.after is None
            and q.offset >= OFFSET_MARK_EVERY)


def offset_marks(store: Store, q: IncidentQuery) -> list[After]:
    """Cursors at every ``OFFSET_MARK_EVERY``-th row of ``q``'s list (its filters, sort and order; its paging
    ignored), in one pass that numbers the rows in the list's order: the k-th reads on from position k * EVERY."""
    ident, key, stmt, order = _ordered(q, store)
    numbered = stmt.with_only_columns(ident.label("i"), key.label("k"),
                                      func.row_number().over(order_by=order).label("n")).subquery()
    c = numbered.c
    with store.engine.connect() as cx:
        rows = cx.execute(select(c.i, c.k, c.n).where(c.n % OFFSET_MARK_EVERY == 0).order_by(c.n)).all()
    return [After(q.sort, q.descending, k, i, n) for i, k, n in rows]


def _ordered(q: IncidentQuery, store: Store, walk: bool = False) -> tuple[Any, Any, Select[Any], list[Any]]:
    """(id column, sort key column, the filtered select of both, the list's order). A text search alone in the date
    order on PostgreSQL is read from the narrow copy of the search text, which holds the date and has those indexes
    itself (store/text_index.py)."""
    if _in_search_copy(q, store):
        s = text_index.search_table.c
        needle = _escape_like((q.q or "").lower())
        stmt = select(s.id, s.date_from).where(s.search.like(f"%{needle}%", escape="\\"))
        if not walk:   # list every match through the trigram index, then sort them: a fence the planner keeps
            m = stmt.cte("matches").prefix_with("MATERIALIZED")
            stmt = select(m.c.id, m.c.date_from)
        ident, key = stmt.selected_columns
    else:
        ident, key = _I.id, SORTS[q.sort]
        stmt = _filtered(select(_I.id, key), q, store, walk)
    order = [key.desc() if q.descending else key.asc(), ident.asc()]
    if key is not _I.id:
        order.insert(0, key.is_(None))
    return ident, key, stmt, order


def _keyset(cx: Connection, q: IncidentQuery, ident: Any, key: Any, stmt: Select[Any], order: list[Any], a: After,
            n: int) -> list[Row[Any]]:
    """The first ``n`` rows after the row of ``a``, in ``order``."""
    if key is _I.id:
        return list(cx.execute(stmt.where(_I.id < a.id if q.descending else _I.id > a.id).order_by(*order)
                               .limit(n)).all())
    # Keyset paging in up to three parts, each one range of one sort index, read until the page is full: the rows
    # with the cursor's key and a later id (ties: their own range, so a cursor among 9,000 incidents of equal key
    # does not read them all), the rows with a key past it, the rows without a key. The index's first column
    # (key IS NULL) is pinned in the form each planner matches to it (PostgreSQL turns "= false" into IS NOT NULL,
    # which does not match the expression). Each part is given the order that its planner reads off the index
    # (found with EXPLAIN on 182,000 incidents): PostgreSQL the full order; SQLite the full order for ties, the
    # order without the pinned column for the range past the key (given the full order it took the index of the
    # other direction and sorted: 50 ms instead of 0.1), the id order for keyless rows, with "key IS NULL" spelled
    # out so the index's key column is pinned too (else it read them by id and sorted: 230 ms).
    pg = cx.dialect.name == "postgresql"
    absent = key.is_(None)

    def part(where: list[ColumnElement[bool]], has_key: bool, by: list[Any], limit: int) -> list[Row[Any]]:
        pin = absent.is_(not has_key) if pg else absent == (false() if has_key else true())
        return list(cx.execute(stmt.where(pin, *where).order_by(*(order if pg else by)).limit(limit)).all())

    rows: list[Row[Any]] = []
    if a.key is not None:
        rows = part([key == a.key, ident > a.id], True, order, n)
        if len(rows) < n:
            rows += part([key < a.key if q.descending else key > a.key], True, order[1:], n - len(rows))
    if len(rows) < n:
        rows += part([absent, *([] if a.key is not None else [ident > a.id])], False, [ident], n - len(rows))
    return rows


def _in_search_copy(q: IncidentQuery, store: Store) -> bool:
    """Whether ``q`` is a text search alone (no other filter) in the date order on PostgreSQL's text index."""
    return store.text_index == "pg_trgm" and q.sort == "date" and _text_alone(q)


def _text_alone(q: IncidentQuery) -> bool:
    """Whether ``q`` filters by text and nothing else."""
    return bool(q.q) and filters_of(q) == IncidentQuery(q=(q.q or "").lower(), limit=1)


def _with_outlets(cx: Connection, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Adds ``outlets``: the outlets that published an incident's reports (as ``tally incidents`` exports)."""
    a = schema.articles.c
    keys = sorted({k for r in rows for k in r.get("articles", ())})
    outlet = dict(cx.execute(select(a.key, a.outlet).where(a.key.in_(keys))).all()) if keys else {}
    for r in rows:
        r["outlets"] = sorted({o for k in r.get("articles", ()) if (o := outlet.get(k))})
    return rows


def all_incidents(store: Store, q: IncidentQuery = IncidentQuery()) -> list[dict[str, Any]]:
    """Every incident matching ``q``'s filters (its paging ignored), for downloads and notebooks; paged by cursor,
    so each page is read from where the last one ended."""
    out: list[dict[str, Any]] = []
    page = incidents(store, replace(q, limit=MAX_LIMIT, offset=0, after=None))
    out.extend(page.rows)
    while page.next_after is not None:
        page = incidents(store, replace(q, limit=MAX_LIMIT, offset=0, after=page.next_after), total=page.total)
        out.extend(page.rows)
    return out


def map_points(store: Store, q: IncidentQuery = IncidentQuery()) -> tuple[list[dict[str, Any]], int]:
    """Incidents with coordinates, as small records for a map (columns only, no JSON docs), and how many
    incidents matching ``q`` have no coordinates."""
    cols = (_I.id, _I.lat, _I.lon, _I.date_from, _I.places, _I.admin1, _I.country, _I.killed_best, _I.perpetrator)
    placed = and_(_I.lat.is_not(None), _I.lon.is_not(None))
    with store.engine.connect() as cx:
        rows = cx.execute(_filtered(select(*cols).where(placed), q, store)
                          .order_by(_I.date_from, _I.id)).mappings().all()
    total = count(store, q)
    out = []
    for r in rows:
        places = [p for p in (r["places"] or "").split("|") if p]
        out.append({"id": r["id"], "lat": r["lat"], "lon": r["lon"], "date": _day(r["date_from"]) if r["date_from"]
                    else None, "place": ", ".join(places[:2]) or r["admin1"] or r["country"],
                    "killed": r["killed_best"] or 0, "perpetrator": r["perpetrator"]})
    return out, total - len(out)


def incident(store: Store, ident: str) -> dict[str, Any] | None:
    with store.engine.connect() as cx:
        doc = cx.execute(select(_I.doc).where(_I.id == ident)).scalar()
        return stamped(_with_outlets(cx, [json.loads(doc)]), store)[0] if doc else None


def claims(store: Store, *, incident: str | None = None, article: str | None = None, kind: str | None = None,
           category: str | None = None, stance: str | None = None, scope: str | None = None,
           since: dt.date | None = None, until: dt.date | None = None,
           min_confidence: float = 0.0) -> list[dict[str, Any]]:
    """Claims as export records (with the incident and tally they belong to), in the order they were read."""
    c, ic = schema.claims, schema.incident_claims
    stmt = select(c, ic.c.incident).outerjoin(ic, ic.c.claim == c.c.id)
    conds: list[ColumnElement[bool]] = []
    for col, value in ((ic.c.incident, incident), (c.c.article, article), (c.c.kind, kind),
                       (c.c.category, category), (c.c.stance, stance), (c.c.scope, scope)):
        if value is not None:
            conds.append(col == value)
    if since:
        conds.append(func.coalesce(c.c.date_to, c.c.date_from) >= since)
    if until:
        conds.append(c.c.date_from <= until)
    if min_confidence:
        conds.append(c.c.confidence >= min_confidence)
    if conds:
        stmt = stmt.where(and_(*conds))
    with store.engine.connect() as cx:
        rows = cx.execute(stmt.order_by(c.c.seq)).mappings().all()
    # only tally-scope claims make tallies (stages/reconcile.py): the incident page need not read every tally
    tally_of = ({cl: t["id"] for t in tallies(store) for cl in t["claims"]}
                if any(r["scope"] == "tally" for r in rows) else {})
    reviewed = claim_corrections(store)
    out = []
    for r in rows:
        doc = claim_doc(r)
        doc["tally"] = tally_of.get(doc["id"])
        doc["corrections"] = reviewed.get(doc["id"], [])
        out.append(doc)
    return stamped(out, store)


def tallies(store: Store, *, country: str | None = None, since: dt.date | None = None,
            until: dt.date | None = None) -> list[dict[str, Any]]:
    """Running totals, oldest first; ``since``/``until`` bound the day they were given (``as_of``)."""
    t = schema.tallies.c
    stmt = select(t.doc)
    if country:
        stmt = stmt.where(func.lower(t.country) == country.lower())
    if since:
        stmt = stmt.where(t.as_of >= since)
    if until:
        stmt = stmt.where(t.as_of <= until)
    with store.engine.connect() as cx:
        rows = [json.loads(d) for d in cx.execute(stmt.order_by(t.as_of.asc().nulls_last(), t.id)).scalars()]
    return stamped(rows, store)


def denials(store: Store, articles: Sequence[str]) -> list[dict[str, Any]]:
    """Denials made in the given reports: who denies whose deaths (side None: the event itself), and the quote."""
    d = schema.denials.c
    if not articles:
        return []
    with store.engine.connect() as cx:
        rows = cx.execute(select(d.article, d.denier, d.side, d.quote, d.start, d.end)
                          .where(d.article.in_(list(articles))).order_by(d.article, d.start)).mappings().all()
    return [dict(r) for r in rows]


_REPORT_LIST = ("key", "url", "outlet", "published", "title", "duplicate_of", "similarity", "language")


def reports(store: Store, limit: int = 50, offset: int = 0) -> Page:
    """Reports in arrival order, without their text."""
    a = schema.articles.c
    with store.engine.connect() as cx:
        total = cx.execute(select(func.count()).select_from(schema.articles)).scalar() or 0
        rows = cx.execute(select(*[a[k] for k in _REPORT_LIST]).order_by(a.seq).limit(limit).offset(offset))
        out = [_jsonable(dict(r)) for r in rows.mappings()]
    return Page(out, total, offset, limit, offset + limit if offset + limit < total else None)


def report_heads(store: Store, keys: Sequence[str]) -> list[dict[str, Any]]:
    """Outlet, title, date and link of the given reports, in arrival order."""
    a = schema.articles.c
    if not keys:
        return []
    with store.engine.connect() as cx:
        rows = cx.execute(select(*[a[k] for k in _REPORT_LIST]).where(a.key.in_(list(keys))).order_by(a.seq))
        return [_jsonable(dict(r)) for r in rows.mappings()]


def report(store: Store, key: str) -> dict[str, Any] | None:
    """One report with its cleaned text, what cleaning removed (and why), and its copies."""
    a = schema.articles.c
    cols = [a[k] for k in _REPORT_LIST] + [a.origin, a.published_from, a.text, a.original, a.removed, a.country,
                                            a.admin1]
    with store.engine.connect() as cx:
        row = cx.execute(select(*cols).where(a.key == key)).mappings().first()
        if row is None:
            return None
        copies = cx.execute(select(a.key, a.outlet, a.url, a.similarity).where(a.duplicate_of == key)
                            .order_by(a.seq)).mappings().all()
    doc = _jsonable(dict(row))
    doc["removed"] = json.loads(doc["removed"] or "[]")
    doc["copies"] = [dict(c) for c in copies]
    doc["claims"] = claims(store, article=key)
    return doc


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def stats_per_day(store: Store, q: IncidentQuery = IncidentQuery()) -> list[dict[str, Any]]:
    """Per start day: incidents, and killed (best estimates summed) by category and in total; injured in total."""
    sums = [func.sum(_I[f"killed_{c}"]) for c in CATEGORIES]
    stmt = _filtered(select(_I.date_from, func.count(), *sums, func.sum(_I.killed_best), func.sum(_I.injured_best))
                     .where(_I.date_from.is_not(None)), q, store).group_by(_I.date_from).order_by(_I.date_from)
    with store.engine.connect() as cx:
        rows = cx.execute(stmt).all()
    out = []
    for day, n, *figs in rows:
        killed = dict(zip((*CATEGORIES, "total"), (int(f or 0) for f in figs[:-1])))
        out.append({"date": _day(day), "incidents": n, "killed": killed, "injured": int(figs[-1] or 0)})
    return out


def _day(v: Any) -> str:
    return v.isoformat() if isinstance(v, dt.date) else str(v)[:10]


def stats_per_region(store: Store, q: IncidentQuery = IncidentQuery()) -> list[dict[str, Any]]:
    """Per country and admin region: incidents, killed and injured (best estimates summed), worst first."""
    killed = func.sum(_I.killed_best)
    stmt = _filtered(select(_I.country, _I.admin1, func.count(), killed, func.sum(_I.injured_best),
                            func.min(_I.date_from), func.max(func.coalesce(_I.date_to, _I.date_from))), q, store)
    stmt = stmt.group_by(_I.country, _I.admin1).order_by(killed.desc().nulls_last(), _I.country, _I.admin1)
    with store.engine.connect() as cx:
        rows = cx.execute(stmt).all()
    return [{"country": c, "admin1": a, "incidents": n, "killed": int(k or 0), "injured": int(i or 0),
             "first": _day(lo) if lo else None, "last": _day(hi) if hi else None}
            for c, a, n, k, i, lo, hi in rows]


def facets(store: Store) -> dict[str, list[str]]:
    """The values the filters can take in this ledger (for the list page's choices)."""
    out: dict[str, list[str]] = {}
    with store.engine.connect() as cx:
        for name in ("country", "admin1", "perpetrator", "event_type"):
            col = _I[name]
            if store.engine.dialect.name == "postgresql":
                out[name] = list(cx.execute(_skip_scan(name)).scalars())
            else:   # SQLite skips through the column's index by itself
                out[name] = list(cx.execute(select(col).where(col.is_not(None)).distinct().order_by(col)).scalars())
    return out


def _skip_scan(name: str) -> TextClause:
    """The distinct values of an indexed incidents column, smallest first, in one index probe per value (a
    recursive "next value after this one"): PostgreSQL's DISTINCT would read every row's entry."""
    return text(f"WITH RECURSIVE v(x) AS (SELECT min({name}) FROM incidents UNION ALL "
                f"SELECT (SELECT min({name}) FROM incidents WHERE {name} > v.x) FROM v WHERE v.x IS NOT NULL) "
                "SELECT x FROM v WHERE x IS NOT NULL ORDER BY x")

