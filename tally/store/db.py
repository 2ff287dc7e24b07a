"""The ledger database behind one small interface (SQLAlchemy 2; SQLite by default, ``tally.db``).

Each report is written in its own transaction, so a run stopped at any moment loses nothing already stored;
the derived ledger (incidents, tallies) is replaced in one transaction at the end of a run.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict
from typing import Any, Iterable, Sequence

from sqlalchemy import Engine, create_engine, delete, event, func, insert, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from tally.errors import StoreError
from tally.models import Claim, CleanArticle, CountRange, Denial, Incident, Place, Rejected, Tally
from tally.store import schema
from tally.store.serialize import claim_row, incident_doc, row_claim, tally_doc

DEFAULT_DB = "tally.db"


def database_url(db: str | None) -> str:
    db = db or os.environ.get("TALLY_DB") or DEFAULT_DB
    return db if "://" in db else f"sqlite:///{db}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


class Store:
    def __init__(self, db: str | None = None) -> None:
        self.url = database_url(db)
        try:
            self.engine: Engine = create_engine(self.url)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", _sqlite_pragmas)
            schema.metadata.create_all(self.engine)
            self._stamp_version()
        except (OperationalError, SQLAlchemyError) as exc:
            raise StoreError(f"cannot open the database {self.url!r}: {exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0]} (check the path exists and is writable)") from exc

    def _stamp_version(self) -> None:
        with self.engine.begin() as cx:
            have = cx.execute(select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")).scalar()
            if have is None:
                cx.execute(insert(schema.meta).values(key="schema_version", value=str(schema.SCHEMA_VERSION)))
            elif int(have) > schema.SCHEMA_VERSION:
                raise StoreError(f"{self.url} was written by a newer Tally (schema {have}); upgrade Tally")

    # ------------------------------------------------------------------ articles and claims
    def article_hashes(self) -> dict[str, str]:
        with self.engine.connect() as cx:
            return dict(cx.execute(select(schema.articles.c.key, schema.articles.c.content_hash)).all())

    def signatures(self) -> list[tuple[str, bytes | None, dt.date | None, str | None, str, str | None]]:
        a = schema.articles.c
        with self.engine.connect() as cx:
            rows = cx.execute(select(a.key, a.signature, a.published, a.published_from, a.text, a.duplicate_of)
                              .order_by(a.seq)).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]

    def save_report(self, art: CleanArticle, signature: bytes | None, region: tuple[str | None, str | None],
                    claims: Sequence[Claim], denials: Sequence[Denial]) -> None:
        """Store one report with its claims in one transaction, replacing an earlier version of it."""
        a = schema.articles
        with self.engine.begin() as cx:
            seq = cx.execute(select(a.c.seq).where(a.c.key == art.key)).scalar()
            if seq is None:
                seq = (cx.execute(select(func.max(a.c.seq))).scalar() or 0) + 1
            cx.execute(delete(schema.claims).where(schema.claims.c.article == art.key))
            cx.execute(delete(schema.denials).where(schema.denials.c.article == art.key))
            cx.execute(delete(a).where(a.c.key == art.key))
            cx.execute(insert(a).values(**article_row(art, seq, signature, region)))
            base = (cx.execute(select(func.max(schema.claims.c.seq))).scalar() or 0) + 1
            if claims:
                cx.execute(insert(schema.claims), [claim_row(c, base + i) for i, c in enumerate(claims)])
            if denials:
                cx.execute(insert(schema.denials), [denial_row(d) for d in denials])

    def save_reports(self, reports: Sequence[tuple[CleanArticle, bytes | None, tuple[str | None, str | None],
                                                  Sequence[Claim], Sequence[Denial]]]) -> None:
        """Store a batch of reports with their claims in one transaction (bulk inserts), replacing earlier
        versions of them and clearing their rejects; the same rows as ``save_report`` one by one."""
        if not reports:
            return
        a, c, d = schema.articles, schema.claims, schema.denials
        keys = list(dict.fromkeys(art.key for art, *_rest in reports))
        with self.engine.begin() as cx:
            seqs: dict[str, int] = {}
            for chunk in _chunks(keys):
                seqs.update((k, s) for k, s in cx.execute(select(a.c.key, a.c.seq).where(a.c.key.in_(chunk))))
                cx.execute(delete(c).where(c.c.article.in_(chunk)))
                cx.execute(delete(d).where(d.c.article.in_(chunk)))
                cx.execute(delete(a).where(a.c.key.in_(chunk)))
            next_seq = (cx.execute(select(func.max(a.c.seq))).scalar() or 0) + 1
            next_claim = (cx.execute(select(func.max(c.c.seq))).scalar() or 0) + 1
            latest = {art.key: (art, *rest) for art, *rest in reports}   # a key given twice: the last wins
            rows, claim_rows, denial_rows = [], [], []
            for art, signature, region, claims, denials in latest.values():
                if art.key not in seqs:
                    seqs[art.key], next_seq = next_seq, next_seq + 1
                rows.append(article_row(art, seqs[art.key], signature, region))
                claim_rows += [claim_row(x, next_claim + i) for i, x in enumerate(claims)]
                next_claim += len(claims)
                denial_rows += [denial_row(x) for x in denials]
            cx.execute(insert(a), rows)
            if claim_rows:
                cx.execute(insert(c), claim_rows)
            if denial_rows:
                cx.execute(insert(d), denial_rows)
            for chunk in _chunks(list(dict.fromkeys(art.origin for art, *_ in reports))):
                cx.execute(delete(schema.rejects).where(schema.rejects.c.origin.in_(chunk)))

    def add_reject(self, r: Rejected) -> None:
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        t = schema.rejects
        with self.engine.begin() as cx:
            seen = cx.execute(select(t.c.seen).where(t.c.origin == r.origin)).scalar()
            cx.execute(delete(t).where(t.c.origin == r.origin))
            cx.execute(insert(t).values(origin=r.origin, stage=r.stage, code=r.code, reason=r.reason,
                                        seen=(seen or 0) + 1, last_seen=now))

    def clear_reject(self, origin: str) -> None:
        with self.engine.begin() as cx:
            cx.execute(delete(schema.rejects).where(schema.rejects.c.origin == origin))

    def all_claims(self) -> tuple[list[Claim], dict[str, int]]:
        with self.engine.connect() as cx:
            rows = cx.execute(select(schema.claims).order_by(schema.claims.c.seq)).mappings().all()
        return [row_claim(r) for r in rows], {r["id"]: r["seq"] for r in rows}

    def all_denials(self) -> list[Denial]:
        with self.engine.connect() as cx:
            rows = cx.execute(select(schema.denials)).mappings().all()
        return [Denial(r["article"], r["denier"], r["side"], r["quote"], r["start"], r["end"]) for r in rows]

    def article_meta(self) -> tuple[dict[str, dt.date | None], dict[str, tuple[str | None, str | None]]]:
        a = schema.articles.c
        with self.engine.connect() as cx:
            rows = cx.execute(select(a.key, a.published, a.country, a.admin1)).all()
        return {r[0]: r[1] for r in rows}, {r[0]: (r[2], r[3]) for r in rows}

    # ------------------------------------------------------------------ the derived ledger
    def replace_ledger(self, incidents: Iterable[Incident], tallies: Iterable[Tally]) -> tuple[int, int]:
        """Swap in a new ledger; returns (incidents created, incidents updated or kept)."""
        with self.engine.begin() as cx:
            old = set(cx.execute(select(schema.incidents.c.id)).scalars())
            cx.execute(delete(schema.incident_claims))
            cx.execute(delete(schema.incidents))
            cx.execute(delete(schema.tallies))
            new = 0
            for inc in incidents:
                new += inc.id not in old
                cx.execute(insert(schema.incidents).values(**incident_row(inc)))
                if inc.claims:
                    cx.execute(insert(schema.incident_claims), [{"incident": inc.id, "claim": c} for c in inc.claims])
            for t in tallies:
                cx.execute(insert(schema.tallies).values(**tally_row(t)))
            total = cx.execute(select(func.count()).select_from(schema.incidents)).scalar() or 0
        return new, total - new

    # ------------------------------------------------------------------ reading
    def incident_docs(self) -> list[dict[str, Any]]:
        i = schema.incidents.c
        with self.engine.connect() as cx:
            docs = cx.execute(select(i.doc).order_by(i.date_from, i.id)).scalars().all()
        return [json.loads(d) for d in docs]

    def tally_docs(self) -> list[dict[str, Any]]:
        t = schema.tallies.c
        with self.engine.connect() as cx:
            docs = cx.execute(select(t.doc).order_by(t.as_of, t.id)).scalars().all()
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
            return [dict(r) for r in cx.execute(select(schema.rejects).order_by(schema.rejects.c.origin)).mappings()]


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
