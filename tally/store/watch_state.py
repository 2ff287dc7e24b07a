"""What `tally watch` remembers across restarts: each source's ETag / Last-Modified and the items it has taken in."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import Engine, delete, insert, select

from tally.store import schema


@dataclass(frozen=True, slots=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None


class WatchState:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def validators(self, source: str) -> Validators:
        t = schema.watch_sources.c
        with self.engine.connect() as cx:
            row = cx.execute(select(t.etag, t.last_modified).where(t.source == source)).first()
        return Validators(row[0], row[1]) if row else Validators()

    def save_validators(self, source: str, found: Validators) -> None:
        t = schema.watch_sources
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.engine.begin() as cx:
            cx.execute(delete(t).where(t.c.source == source))
            cx.execute(insert(t).values(source=source, etag=found.etag, last_modified=found.last_modified,
                                        last_poll=now))

    def seen(self, source: str) -> set[str]:
        t = schema.watch_seen.c
        with self.engine.connect() as cx:
            return set(cx.execute(select(t.item).where(t.source == source)).scalars())

    def mark_seen(self, source: str, items: Iterable[str]) -> None:
        t = schema.watch_seen
        known = self.seen(source)
        fresh = sorted(set(items) - known)
        if fresh:
            with self.engine.begin() as cx:
                cx.execute(insert(t), [{"source": source, "item": i} for i in fresh])
