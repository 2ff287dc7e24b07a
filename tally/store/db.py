"""The ledger database behind one small interface (SQLAlchemy 2; SQLite by default, ``tally.db``, or
PostgreSQL with a ``postgresql://user@host/db`` URL, through psycopg 3).

Each report is written in its own transaction, so a run stopped at any moment loses nothing already stored;
the derived ledger (incidents, tallies) is replaced in one transaction at the end of a run. On PostgreSQL, where
a team shares one database, writers take advisory locks so that concurrent runs take turns (SQLite's own write
lock does the same on one file), and reading orders are spelled out (NULLs first, byte order) so that both
backends list records in the same order.
"""
from __future__ import annotations

import contextlib
import functools
import datetime as dt
import json
import os
import uuid
from dataclasses import asdict
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import Connection, Engine, and_, create_engine, delete, event, func, insert, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from tally.errors import StoreError
from tally.models import Claim, CleanArticle, CountRange, Denial, Incident, Place, Rejected, Tally
from tally.store import schema, text_index
from tally.store.columns import add_missing as add_missing_columns, filter_columns
from tally.store.reconnect import RETRIES, connection_lost, retry_public_methods
from tally.store.serialize import claim_row, incident_doc, row_claim, tally_doc

DEFAULT_DB = "tally.db"
LEDGER_WRITTEN = "ledger_written"    # meta key: a new random mark each time the incidents are swapped
LONGEST_SPAN = "longest_span_days"   # meta key: the most days any incident runs from date_from to date_to
# PostgreSQL advisory lock keys (any two fixed numbers): one for writes, one held while the ledger is rebuilt.
WRITE_LOCK, LEDGER_LOCK = 7_411_001, 7_411_002
MMAP_BYTES = 1 << 34   # SQLite: map up to this much of the database file (see _sqlite_pragmas)


def database_url(db: str | None) -> str:
    db = db or os.environ.get("TALLY_DB") or DEFAULT_DB
    if db.startswith("postgres://"):  # the short scheme many hosts hand out
        db = "postgresql://" + db[len("postgres://"):]
    return db if "://" in db else f"sqlite:///{db}"


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:
        return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, mmap: bool = False) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    # WAL with synchronous=NORMAL: no fsync on every commit (ingest commits every 25 reports). A killed process
    # loses nothing committed and the file is never corrupt; only a power cut may drop the last commits, which
    # resume then stores again (SQLite's documented trade-off for WAL).
    cur.execute("PRAGMA synchronous=NORMAL")
    # Read the file through a memory map rather than a read() per page into the connection's own 2 MB cache: on a
    # large ledger the list's indexes are bigger than that cache, and stepping over them paid a system call and a
    # copy per page (1M claims: a deep offset's index scan 5.0 ms to 1.7, a text search walking the date order 3.0
    # to 0.7). Up to the build's limit (SQLITE_MAX_MMAP_SIZE clamps a larger value); WAL frames are still read.
    # Only for readers (``mmap=True``: the web server, ``api.open_store``): every page mapped counts in the
    # process's memory, and an ingest that rebuilds the ledger reads the whole file (100k reports: 0.7 GB more).
    if mmap:
        cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cur.close()


@retry_public_methods
class Store:
    NOT_RETRIED = ("ledger_lock", "relock")

    def __init__(self, db: str | None = None, *, mmap: bool = False) -> None:
        """``mmap``: SQLite reads the file through a memory map (for serving a large ledger; see _sqlite_pragmas)."""
        self.url = database_url(db)
        self._lock_cx: Connection | None = None      # PostgreSQL: the session holding the ledger lock
        try:
            self.engine: Engine = create_engine(self.url, pool_pre_ping=self.url.startswith("postgresql"))
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", functools.partial(_sqlite_pragmas, mmap=mmap))
            with self.engine.begin() as cx:
                self._serialize(cx)
                schema.metadata.create_all(cx)
                self._stamp_version(cx)
            add_missing_columns(self.engine)  # after the transaction: it opens its own
            with self.engine.begin() as cx:   # a ledger written by an older Tally: its first mark and span
                if cx.execute(select(schema.meta.c.key).where(schema.meta.c.key == LEDGER_WRITTEN)).first() is None:
                    self._serialize(cx)
                    mark_ledger_written(cx)
            self.text_index = text_index.ensure(self.engine)   # "fts5", "pg_trgm" or None
        except ImportError as exc:
            raise StoreError(f"no database driver for {_shown(self.url)!r} ({exc}); Tally supports sqlite:/// "
                             "paths and postgresql:// URLs", code="T401") from exc
        except (OperationalError, SQLAlchemyError) as exc:
            hint = ("check the path exists and is writable" if self.url.startswith("sqlite") else
                    "check the server is running and the URL's user, password, host, port and database")
            raise StoreError(f"cannot open the database {_shown(self.url)!r}: {exc.__class__.__name__}: "
                             f"{str(exc).strip().splitlines()[0]} ({hint})") from exc

    def _serialize(self, cx: Connection, key: int = WRITE_LOCK) -> None:
        """On PostgreSQL, wait for other writers' transactions (released at commit); SQLite locks the file."""
        if self.engine.dialect.name == "postgresql":
            cx.execute(select(func.pg_advisory_xact_lock(key)))

    def _bytewise(self, col: Any) -> ColumnElement[Any]:
        """Order strings by their bytes on every backend (SQLite's default; PostgreSQL follows its locale)."""
        return col.collate("C") if self.engine.dialect.name == "postgresql" else col

    @contextlib.contextmanager
    def ledger_lock(self) -> Iterator[None]:
        """Held from reading the claims to swapping in the new ledger, so that two runs sharing a database
        rebuild in turn and the last one sees every claim the other stored. PostgreSQL: an advisory lock;
        SQLite: an exclusive lock on a `<database>.lock` file beside the database."""
        if self.engine.dialect.name != "postgresql":
            with _file_lock(self.engine.url.database):
                yield
            return
        self._lock_cx = self._take_ledger_lock()
        try:
            yield
        finally:
            cx, self._lock_cx = self._lock_cx, None
            try:
                cx.execute(select(func.pg_advisory_unlock(LEDGER_LOCK)))
                cx.commit()
            except DBAPIError as exc:        # the session went, and its lock with it
                if not connection_lost(exc):
                    raise
            finally:
                cx.close()

    def _take_ledger_lock(self) -> Connection:
        for attempt in range(RETRIES + 1):
            cx = self.engine.connect()
            try:
                cx.execute(select(func.pg_advisory_lock(LEDGER_LOCK)))
                cx.commit()
                return cx
            except DBAPIError as exc:
                cx.close()
                if not connection_lost(exc) or attempt == RETRIES:
                    raise
        raise AssertionError("unreachable")

    def relock(self) -> None:
        """After a lost connection: when the session holding the ledger lock was lost too, take the lock again
        on a new one (waiting for any other run that took it meanwhile), so the rebuild goes on holding it."""
        if self._lock_cx is None:
            return
        try:
            self._lock_cx.execute(select(1))
            self._lock_cx.commit()
            return
        except DBAPIError as exc:
            if not connection_lost(exc):
                raise
            self._lock_cx.close()
        self._lock_cx = self._take_ledger_lock()

    @property
    def shown_url(self) -> str:
        """The database URL without its password, for messages."""
        return _shown(self.url)

    def _stamp_version(self, cx: Connection) -> None:
        have = cx.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar()
        if have is None:
            cx.execute(insert(schema.meta).values(key="schema_version", value=str(schema.SCHEMA_VERSION)))
        elif int(have) > schema.SCHEMA_VERSION:
            raise StoreError(f"{_shown(self.url)} was written by a newer Tally (schema {have}); upgrade Tally")

    # ------------------------------------------------------------------ articles and claims
    def article_hashes(self) -> dict[str, str]:
        with self.engine.connect() as cx:
            return dict(cx.execute(select(schema.articles.c.key, schema.articles.c.content_hash)).all())

    def article_links(self) -> set[str]:
        """Every key, URL and fetched link of the stored reports: a feed entry pointing at one is not fetched."""
        a = schema.articles.c
        links: set[str] = set()
        with self.engine.connect() as cx:
            for key, url, extra in cx.execute(select(a.key, a.url, a.extra)):
                links.update(x for x in (key, url) if x)
                if extra and "link" in extra:
                    doc = json.loads(extra)
                    links.update(str(doc[k]) for k in ("feed_link", "fetched_url") if doc.get(k))
        return links

    def page_hashes(self) -> dict[str, str]:
        """sha256 of every raw web page stored -> the report it became."""
        with self.engine.connect() as cx:
            return dict(cx.execute(select(schema.pages.c.sha256, schema.pages.c.article)).all())

    def signatures(self) -> list[tuple[str, bytes | None, dt.date | None, str | None, str, str | None]]:
        a = schema.articles.c
        with self.engine.connect() as cx:
            rows = cx.execute(select(a.key, a.signature, a.published, a.published_from, a.text, a.duplicate_of)
                              .order_by(a.seq)).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def save_report(self, art: CleanArticle, signature: bytes | None, region: tuple[str | None, str | None],
                    claims: Sequence[Claim], denials: Sequence[Denial]) -> None:
        """Store one report with its claims in one transaction, replacing an earlier version of it. A report the
        database refuses (a value it cannot hold) raises a StoreError naming it; nothing of it is written."""
        a, key = schema.articles, _safe(art.key)
        try:
            with self.engine.begin() as cx:
                self._serialize(cx)
                seq = cx.execute(select(a.c.seq).where(a.c.key == key)).scalar()
                if seq is None:
                    seq = (cx.execute(select(func.max(a.c.seq))).scalar() or 0) + 1
                cx.execute(delete(schema.claims).where(schema.claims.c.article == key))
                cx.execute(delete(schema.denials).where(schema.denials.c.article == key))
                cx.execute(delete(a).where(a.c.key == key))
                cx.execute(insert(a).values(**_text_safe(article_row(art, seq, signature, region))))
                base = (cx.execute(select(func.max(schema.claims.c.seq))).scalar() or 0) + 1
                if claims:
                    cx.execute(insert(schema.claims), [_text_safe(claim_row(c, base + i)) for i, c in enumerate(claims)])
                page = art.extra.get("page_sha256")
                if page:  # the raw web page this report came from: the same page seen again is skipped
                    cx.execute(delete(schema.pages).where(schema.pages.c.sha256 == page))
                    cx.execute(insert(schema.pages).values(sha256=page, article=key))
                if denials:
                    cx.execute(insert(schema.denials), [_text_safe(
                        {"article": d.article, "denier": d.denier, "side": d.side, "quote": d.quote,
                         "start": d.start, "end": d.end}) for d in denials])
        except (DataError, IntegrityError) as exc:
            raise StoreError(f"{art.origin}: report {art.key!r} cannot be stored: "
                             f"{str(exc.orig or exc).strip().splitlines()[0]}", code="T410") from exc

    def save_reports(self, reports: Sequence[tuple[CleanArticle, bytes | None, tuple[str | None, str | None],
                                                  Sequence[Claim], Sequence[Denial]]]) -> None:
        """Store a batch of reports with their claims in one transaction (bulk inserts), replacing earlier
        versions of them and clearing their rejects: the same rows as ``save_report`` then ``clear_reject`` one
        report after the other (a report keeps its sequence number; a new one takes the next; claims follow in
        batch order). A key given twice is refused (ValueError): store such a batch one report at a time. When the
        database refuses a row, a StoreError names the batch and nothing of it is written."""
        if not reports:
            return
        a, c, d = schema.articles, schema.claims, schema.denials
        keys = [_safe(art.key) for art, *_rest in reports]
        if len(set(keys)) != len(keys):
            raise ValueError("save_reports: a report key is given twice in one batch")
        pages = [_safe(art.extra["page_sha256"]) for art, *_rest in reports if art.extra.get("page_sha256")]
        try:
            with self.engine.begin() as cx:
                self._serialize(cx)
                next_seq = (cx.execute(select(func.max(a.c.seq))).scalar() or 0) + 1
                seqs: dict[str, int] = {}
                for chunk in _chunks(keys):
                    seqs.update((k, s) for k, s in cx.execute(select(a.c.key, a.c.seq).where(a.c.key.in_(chunk))))
                    cx.execute(delete(c).where(c.c.article.in_(chunk)))
                    cx.execute(delete(d).where(d.c.article.in_(chunk)))
                    cx.execute(delete(a).where(a.c.key.in_(chunk)))
                for chunk in _chunks(pages):
                    cx.execute(delete(schema.pages).where(schema.pages.c.sha256.in_(chunk)))
                next_claim = (cx.execute(select(func.max(c.c.seq))).scalar() or 0) + 1
                rows, claim_rows, denial_rows, page_rows = [], [], [], []
                for key, (art, signature, region, claims, denials) in zip(keys, reports):
                    if key not in seqs:
                        seqs[key], next_seq = next_seq, next_seq + 1
                    rows.append(_text_safe(article_row(art, seqs[key], signature, region)))
                    claim_rows += [_text_safe(claim_row(x, next_claim + i)) for i, x in enumerate(claims)]
                    next_claim += len(claims)
                    denial_rows += [_text_safe(denial_row(x)) for x in denials]
                    if art.extra.get("page_sha256"):
                        page_rows.append({"sha256": _safe(art.extra["page_sha256"]), "article": key})
                for table, batch in ((a, rows), (c, claim_rows), (schema.pages, page_rows), (d, denial_rows)):
                    _insert_batch(cx, table, batch)
                for chunk in _chunks(list(dict.fromkeys(_safe(art.origin) for art, *_ in reports))):
                    cx.execute(delete(schema.rejects).where(schema.rejects.c.origin.in_(chunk)))
        except (DataError, IntegrityError) as exc:
            raise StoreError(f"a batch of {len(reports)} reports (from {reports[0][0].origin}) cannot be stored: "
                             f"{str(exc.orig or exc).strip().splitlines()[0]}", code="T410") from exc

    def add_reject(self, r: Rejected) -> None:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        t = schema.rejects
        with self.engine.begin() as cx:
            self._serialize(cx)
            seen = cx.execute(select(t.c.seen).where(t.c.origin == _safe(r.origin))).scalar()
            cx.execute(delete(t).where(t.c.origin == _safe(r.origin)))
            cx.execute(insert(t).values(**_text_safe({"origin": r.origin, "stage": r.stage, "code": r.code,
                                                      "reason": r.reason, "seen": (seen or 0) + 1,
                                                      "last_seen": now})))

    def clear_reject(self, origin: str) -> None:
        with self.engine.begin() as cx:
            cx.execute(delete(schema.rejects).where(schema.rejects.c.origin == _safe(origin)))

    def all_claims(self) -> tuple[list[Claim], dict[str, int]]:
        with self.engine.connect() as cx:
            rows = cx.execute(select(schema.claims).order_by(schema.claims.c.seq)).mappings().all()
        return [row_claim(r) for r in rows], {r["id"]: r["seq"] for r in rows}

    def all_denials(self) -> list[Denial]:
        with self.engine.connect() as cx:
            rows = cx.execute(select(schema.denials)).mappings().all()
        return [Denial(r["article"], r["denier"], r["side"], r["quote"], r["start"], r["end"]) for r in rows]

    def article_outlets(self) -> dict[str, str | None]:
        a = schema.articles.c
        with self.engine.connect() as cx:
            return {k: o for k, o in cx.execute(select(a.key, a.outlet)).all()}

    def article_meta(self) -> tuple[dict[str, dt.date | None], dict[str, tuple[str | None, str | None]]]:
        a = schema.articles.c
        with self.engine.connect() as cx:
            rows = cx.execute(select(a.key, a.published, a.country, a.admin1)).all()
        return {r[0]: r[1] for r in rows}, {r[0]: (r[2], r[3]) for r in rows}

    def copy_roots(self) -> dict[str, str]:
        """{copy report: the report it copies} for every stored copy (reconcile counts a copy's figures once)."""
        a = schema.articles.c
        with self.engine.connect() as cx:
            rows = cx.execute(select(a.key, a.duplicate_of).where(a.duplicate_of.is_not(None))).all()
        return {r[0]: r[1] for r in rows}

    # ------------------------------------------------------------------ the derived ledger
    def replace_ledger(self, incidents: Iterable[Incident], tallies: Iterable[Tally]) -> tuple[int, int]:
        """Swap in a new ledger; returns (incidents created, incidents updated or kept)."""
        with self.engine.begin() as cx:
            self._serialize(cx)
            old = set(cx.execute(select(schema.incidents.c.id)).scalars())
            cx.execute(delete(schema.incident_claims))
            cx.execute(delete(schema.incidents))
            cx.execute(delete(schema.tallies))
            new = 0
            rows: list[dict[str, Any]] = []
            links: list[dict[str, Any]] = []
            for inc in incidents:   # executemany in batches: one round trip per thousand incidents, not per row
                new += inc.id not in old
                rows.append({**incident_row(inc), **filter_columns(incident_doc(inc))})
                links += [{"incident": inc.id, "claim": c} for c in inc.claims]
                if len(rows) >= 1000:
                    _insert_batch(cx, schema.incidents, rows)
                    _insert_batch(cx, schema.incident_claims, links)
                    rows, links = [], []
            _insert_batch(cx, schema.incidents, rows)
            _insert_batch(cx, schema.incident_claims, links)
            _insert_batch(cx, schema.tallies, [tally_row(t) for t in tallies])
            mark_ledger_written(cx)
            total = cx.execute(select(func.count()).select_from(schema.incidents)).scalar() or 0
        return new, total - new

    # ------------------------------------------------------------------ reading
    def incident_docs(self) -> list[dict[str, Any]]:
        i = schema.incidents.c
        with self.engine.connect() as cx:
            docs = cx.execute(select(i.doc).order_by(i.date_from.asc().nulls_first(),
                                                     self._bytewise(i.id))).scalars().all()
        return [json.loads(d) for d in docs]

    def tally_docs(self) -> list[dict[str, Any]]:
        t = schema.tallies.c
        with self.engine.connect() as cx:
            docs = cx.execute(select(t.doc).order_by(t.as_of.asc().nulls_first(),
                                                     self._bytewise(t.id))).scalars().all()
        return [json.loads(d) for d in docs]

    def claim_rows(self) -> list[dict[str, Any]]:
        c, ic = schema.claims, schema.incident_claims
        with self.engine.connect() as cx:
            rows = cx.execute(select(c, ic.c.incident).outerjoin(ic, ic.c.claim == c.c.id).order_by(c.c.seq)).mappings().all()
        return [dict(r) for r in rows]

    def article_rows(self) -> list[dict[str, Any]]:
        a = schema.articles
        with self.engine.connect() as cx:
            return [dict(r) for r in cx.execute(select(a).order_by(a.c.seq)).mappings().all()]

    def reject_rows(self) -> list[dict[str, Any]]:
        with self.engine.connect() as cx:
            return [dict(r) for r in cx.execute(select(schema.rejects)
                                                .order_by(self._bytewise(schema.rejects.c.origin))).mappings()]

    # ------------------------------------------------------------------ corrections, audit log, revisions
    def add_correction(self, row: dict[str, Any], audit: dict[str, Any]) -> None:
        """Store one analyst correction and its audit line in one transaction; ``seq`` is assigned here."""
        c = schema.corrections
        with self.engine.begin() as cx:
            self._serialize(cx)
            seq = (cx.execute(select(func.max(c.c.seq))).scalar() or 0) + 1
            cx.execute(insert(c).values(**row, seq=seq))
            cx.execute(insert(schema.audit).values(**audit))

    def add_audit(self, audit: dict[str, Any]) -> None:
        """One audit line on its own (an analyst's note that changes nothing)."""
        with self.engine.begin() as cx:
            self._serialize(cx)
            cx.execute(insert(schema.audit).values(**audit))

    def withdraw_correction(self, cid: str, at: str, audit: dict[str, Any]) -> bool:
        c = schema.corrections
        with self.engine.begin() as cx:
            self._serialize(cx)
            done = cx.execute(update(c).where(c.c.id == cid, c.c.withdrawn_at.is_(None))
                              .values(withdrawn_at=at)).rowcount
            if done:
                cx.execute(insert(schema.audit).values(**audit))
        return bool(done)

    def correction_rows(self, *, active_only: bool = False) -> list[dict[str, Any]]:
        c = schema.corrections
        q = select(c).order_by(c.c.seq)
        if active_only:
            q = q.where(c.c.withdrawn_at.is_(None))
        with self.engine.connect() as cx:
            return [dict(r) for r in cx.execute(q).mappings()]

    def set_correction_status(self, updates: Sequence[dict[str, Any]], audits: Sequence[dict[str, Any]]) -> None:
        c = schema.corrections
        with self.engine.begin() as cx:
            self._serialize(cx)
            for u in updates:
                cx.execute(update(c).where(c.c.id == u["id"]).values(
                    status=u["status"], status_detail=u["status_detail"], applied_to=u["applied_to"]))
            if audits:
                cx.execute(insert(schema.audit), list(audits))

    def audit_rows(self, target: str | None = None) -> list[dict[str, Any]]:
        a = schema.audit
        q = select(a).order_by(a.c.seq)
        if target is not None:
            q = q.where(a.c.target == target)
        with self.engine.connect() as cx:
            return [dict(r) for r in cx.execute(q).mappings()]

    def incident_keys(self) -> dict[str, set[str]]:
        k = schema.incident_keys.c
        out: dict[str, set[str]] = {}
        with self.engine.connect() as cx:
            for inc, key in cx.execute(select(k.incident, k.key)):
                out.setdefault(inc, set()).add(key)
        return out

    def replace_incident_keys(self, keys: dict[str, set[str]]) -> None:
        with self.engine.begin() as cx:
            self._serialize(cx)
            cx.execute(delete(schema.incident_keys))
            rows = [{"incident": i, "key": k} for i, ks in keys.items() for k in sorted(ks)]
            if rows:
                cx.execute(insert(schema.incident_keys), rows)

    def ledger_state(self) -> tuple[int, str]:
        """(revision, write mark): changes whenever the incidents change, for caches of what is read from them.
        The mark changes with the swap itself, before the revision that records it is committed."""
        m = schema.meta.c
        mark = select(m.value).where(m.key == LEDGER_WRITTEN).scalar_subquery()
        with self.engine.connect() as cx:
            rev, written = cx.execute(select(select(func.max(schema.revisions.c.rev)).scalar_subquery(), mark)).one()
        return rev or 0, written or ""

    def longest_span(self) -> int | None:
        """The most days any incident runs (date_to - date_from), as of the last swap of the incidents; None when
        unknown (a ledger written by an older Tally). Bounds where the incidents overlapping a day can start."""
        m = schema.meta.c
        with self.engine.connect() as cx:
            days = cx.execute(select(m.value).where(m.key == LONGEST_SPAN)).scalar()
        return int(days) if days is not None else None

    def current_revision(self) -> int:
        with self.engine.connect() as cx:
            return cx.execute(select(func.max(schema.revisions.c.rev))).scalar() or 0

    def revision_rows(self) -> list[dict[str, Any]]:
        r = schema.revisions
        with self.engine.connect() as cx:
            return [dict(x) for x in cx.execute(select(r).order_by(r.c.rev)).mappings()]

    def open_versions(self) -> dict[str, str]:
        """{incident id: digest} of the incident records in the latest revision."""
        v = schema.incident_versions.c
        with self.engine.connect() as cx:
            return dict(cx.execute(select(v.incident, v.digest).where(v.rev_to.is_(None))).all())

    def commit_revision(self, row: dict[str, Any], docs: dict[str, tuple[str, str]], closed: Sequence[str],
                        audit: dict[str, Any]) -> int:
        """Number the next revision, close the versions of changed and removed incidents, open the new ones and
        record the revision and its audit line, all in one transaction; returns the revision number."""
        v = schema.incident_versions
        with self.engine.begin() as cx:
            self._serialize(cx)
            rev = (cx.execute(select(func.max(schema.revisions.c.rev))).scalar() or 0) + 1
            if closed:
                cx.execute(update(v).where(v.c.incident.in_(list(closed)), v.c.rev_to.is_(None)).values(rev_to=rev))
            if docs:
                cx.execute(insert(v), [{"incident": i, "rev_from": rev, "rev_to": None, "digest": d, "doc": doc}
                                       for i, (d, doc) in docs.items()])
            cx.execute(insert(schema.revisions).values(**row, rev=rev))
            cx.execute(insert(schema.audit).values(**audit, target=f"rev-{rev}", revision=rev))
        return rev

    def incidents_at(self, rev: int) -> dict[str, dict[str, Any]]:
        """{incident id: record} of the ledger as it was at revision ``rev``."""
        v = schema.incident_versions.c
        q = select(v.incident, v.doc).where(v.rev_from <= rev, (v.rev_to.is_(None)) | (v.rev_to > rev))
        with self.engine.connect() as cx:
            return {i: json.loads(doc) for i, doc in cx.execute(q)}

    def incident_history(self, incident: str) -> list[dict[str, Any]]:
        v = schema.incident_versions.c
        q = select(v.rev_from, v.rev_to, v.doc).where(v.incident == incident).order_by(v.rev_from)
        with self.engine.connect() as cx:
            return [{"rev_from": a, "rev_to": b, "doc": json.loads(d)} for a, b, d in cx.execute(q)]


def mark_ledger_written(cx: Connection) -> None:
    """A new write mark (``Store.ledger_state``) and the longest incident's span (``Store.longest_span``), in the
    transaction that changes the incidents."""
    i = schema.incidents.c
    if cx.dialect.name == "postgresql":
        span = func.max(i.date_to - i.date_from)
    else:
        span = func.max(func.julianday(i.date_to) - func.julianday(i.date_from))
    days, unbounded = cx.execute(select(span, func.count().filter(and_(i.date_from.is_(None),
                                                                        i.date_to.is_not(None))))).one()
    cx.execute(delete(schema.meta).where(schema.meta.c.key.in_([LEDGER_WRITTEN, LONGEST_SPAN])))
    cx.execute(insert(schema.meta).values(key=LEDGER_WRITTEN, value=uuid.uuid4().hex))
    if not unbounded:   # an end without a start: no span bounds where such an incident starts
        cx.execute(insert(schema.meta).values(key=LONGEST_SPAN, value=str(int(days or 0))))


@contextlib.contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _safe(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters; U+FFFD takes their place on every backend (one character for
    one, so offsets into the text still hold and both backends store the same thing)."""
    return text.replace("\x00", "\ufffd")


def _text_safe(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _safe(v) if isinstance(v, str) else v for k, v in row.items()}


def incident_row(inc: Incident) -> dict[str, Any]:
    """The ``incidents`` table row of an incident (its links to claims go in ``incident_claims``)."""
    total = inc.killed.get("total")
    return {"id": inc.id, "date_from": inc.date_from, "date_to": inc.date_to, "country": inc.country,
            "admin1": inc.admin1, "event_type": inc.event_type, "perpetrator": inc.perpetrator,
            "killed_total_min": total.low if total else None, "contested": inc.contested,
            "confidence": inc.confidence, "doc": json.dumps(incident_doc(inc))}


def tally_row(t: Tally) -> dict[str, Any]:
    return {"id": t.id, "as_of": t.as_of, "country": t.country, "doc": json.dumps(tally_doc(t))}


def denial_row(d: Denial) -> dict[str, Any]:
    return {"article": d.article, "denier": d.denier, "side": d.side, "quote": d.quote, "start": d.start,
            "end": d.end}


def _insert_batch(cx: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        cx.execute(insert(table), rows)


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    """Slices small enough for an IN (...) list on every backend."""
    for i in range(0, len(items), size):
        yield items[i:i + size]


def article_row(art: CleanArticle, seq: int, signature: bytes | None,
                 region: tuple[str | None, str | None]) -> dict[str, Any]:
    return {
        "key": art.key, "seq": seq, "origin": art.origin, "url": art.url, "title": art.title,
        "published": art.published, "published_from": art.published_from, "outlet": art.outlet,
        "language": art.language, "text": art.text, "original": art.original,
        "removed": json.dumps([asdict(r) for r in art.removed]), "content_hash": art.content_hash,
        "duplicate_of": art.duplicate_of, "similarity": art.similarity, "signature": signature,
        "country": region[0], "admin1": region[1], "extra": json.dumps(dict(art.extra), default=str),
        "extractor": "casualties.rules.v1",
        "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }


__all__ = ["Store", "database_url", "DEFAULT_DB", "CountRange", "Place"]
