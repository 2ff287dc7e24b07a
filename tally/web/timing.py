"""A ``Server-Timing`` header on every answer: time spent in database queries (and how many) and in all, so a
load generator can tell query time from rendering (bench/loadgen.py reads it; browsers show it in their tools)."""
from __future__ import annotations

import contextvars
import time
from typing import Any

from sqlalchemy import Engine, event

from tally.web.responses import AddHeaders

# [seconds in queries, queries]: one list per request, shared with the worker thread that runs the view
_SPENT: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("tally_db_time", default=None)


def watch(engine: Engine) -> None:
    """Count the time of every statement ``engine`` runs into the current request's total."""
    if event.contains(engine, "before_cursor_execute", _before):
        return
    event.listen(engine, "before_cursor_execute", _before)
    event.listen(engine, "after_cursor_execute", _after)


def _before(conn: Any, *_args: Any) -> None:
    conn.info.setdefault("tally_started", []).append(time.perf_counter())


def _after(conn: Any, *_args: Any) -> None:
    started = conn.info["tally_started"].pop()
    spent = _SPENT.get()
    if spent is not None:
        spent[0] += time.perf_counter() - started
        spent[1] += 1


class ServerTiming(AddHeaders):
    """Adds ``Server-Timing: db;dur=MS;desc="N queries", total;dur=MS`` to every response."""

    def begin(self) -> tuple[list[float], contextvars.Token[list[float] | None], float]:
        spent = [0.0, 0.0]
        return spent, _SPENT.set(spent), time.perf_counter()

    def headers(self, state: Any) -> list[tuple[bytes, bytes]]:
        spent, _token, started = state
        total = (time.perf_counter() - started) * 1000
        return [(b"server-timing",
                 f'db;dur={spent[0] * 1000:.2f};desc="{int(spent[1])} queries", total;dur={total:.2f}'.encode())]

    def end(self, state: Any) -> None:
        _SPENT.reset(state[1])
