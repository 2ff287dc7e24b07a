"""Exact list totals and the filters' choices, remembered while the ledger stays the same.

Counting the matches of a broad filter reads tens of thousands of index entries on a large ledger (a common word in
text search matches 70,000 incidents: 49 ms of CPU on SQLite), and every page of the same list counts them again.
The answer depends only on the ledger and the filters, so it is kept in a small LRU keyed by the ledger's state
(``Store.ledger_state``: its revision and the mark each swap of the incidents writes) and the normalized filters.
Any ingest, rebuild or load changes that state, so a total never outlives the ledger it counted.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable

from tally.readout import query
from tally.readout.query import IncidentQuery
from tally.store.db import Store

SIZE = 512   # entries: a key and an int each (the choices: a few short lists), well under a megabyte


class Counts:
    """A bounded LRU of totals (and the filters' choices) for one store; safe to share between worker threads."""

    def __init__(self, store: Store, size: int = SIZE) -> None:
        self.store, self.size = store, size
        self._state: tuple[int, str] | None = None
        self._kept: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()

    def total(self, q: IncidentQuery, cap: int | None = None) -> int:
        """How many incidents match ``q``'s filters in the ledger as it is now: exactly, except that a text search
        is counted up to ``cap`` (default ``query.TEXT_COUNT_CAP``; past it the answer is the cap + 1, meaning
        "more"). A count kept from a higher cap answers a lower one; a lower one is counted again."""
        if not q.q:
            return int(self._get(("total", query.filters_of(q)), lambda: query.count(self.store, q)))
        cap = query.TEXT_COUNT_CAP if cap is None else cap
        key = ("text", query.filters_of(q))
        counted_to, n = self._get(key, lambda: (cap, query.count(self.store, q, cap=cap)))
        if n > counted_to and counted_to < cap:   # "more than counted_to" does not say how many past it
            state = self.store.ledger_state()
            counted_to, n = self._put(key, (cap, query.count(self.store, q, cap=cap)), state)
        return min(n, cap + 1)

    def marks(self, q: IncidentQuery) -> list[query.After]:
        """The offset marks of ``q``'s list (``query.offset_marks``)."""
        key = ("marks", query.filters_of(q), q.sort, q.descending)
        return self._get(key, lambda: query.offset_marks(self.store, q))  # type: ignore[no-any-return]

    def facets(self) -> dict[str, list[str]]:
        """The values the list's filters can take (``query.facets``)."""
        return self._get(("facets",), lambda: query.facets(self.store))  # type: ignore[no-any-return]

    def _get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        state = self.store.ledger_state()   # one small query; a changed ledger drops everything kept
        with self._lock:
            if state != self._state:
                self._kept.clear()
                self._state = state
            if key in self._kept:
                self._kept.move_to_end(key)
                return self._kept[key]
        return self._put(key, compute(), state)

    def _put(self, key: Hashable, value: Any, state: tuple[int, str]) -> Any:
        """Keep ``value``, computed from the ledger in ``state``, unless the ledger has changed since."""
        with self._lock:
            if state == self._state:   # the ledger did not change while counting
                self._kept[key] = value
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return value
