"""A store method whose database connection is lost (the server restarted, an administrator ended the session, a
network cut) runs again, up to ``RETRIES`` times; then it fails with a StoreError (T420) that says so, without
the URL's password. Each store method is one transaction, so running it again is safe: the lost attempt was
rolled back by the server.

Lost connections are SQLSTATE class 08 (connection exception) and 57P (operator intervention: admin shutdown,
crash shutdown, cannot connect now), or any error SQLAlchemy marks as a disconnect.
"""
from __future__ import annotations

import functools
import logging
import time
from typing import Any, Callable, TypeVar

from sqlalchemy.exc import DBAPIError

from tally.errors import StoreError

log = logging.getLogger(__name__)
RETRIES = 3
LOST = "T420"
F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)


def sqlstate(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None) or "")


def connection_lost(exc: BaseException) -> bool:
    if not isinstance(exc, DBAPIError):
        return False
    state = sqlstate(exc)
    return bool(exc.connection_invalidated or state.startswith("08") or state.startswith("57P"))


def retried(method: F) -> F:
    """``method`` of a Store, run again when its connection is lost (see the module docstring)."""
    @functools.wraps(method)
    def run(store: Any, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(RETRIES + 1):
            try:
                return method(store, *args, **kwargs)
            except DBAPIError as exc:
                if not connection_lost(exc):
                    raise
                first = str(exc.orig or exc).strip().splitlines()[0] if str(exc.orig or exc).strip() else ""
                if attempt == RETRIES:
                    times = "once" if RETRIES == 0 else f"{RETRIES + 1} times"
                    raise StoreError(f"lost the connection to {store.shown_url} {times} in "
                                     f"{method.__name__} ({sqlstate(exc) or 'disconnect'}: {first}); nothing of "
                                     "that step was written: check the server and run the same command again",
                                     code=LOST) from None
                log.warning("%s: connection lost in %s (%s); trying again (%d of %d)", store.shown_url,
                            method.__name__, sqlstate(exc) or "disconnect", attempt + 1, RETRIES)
                store.engine.dispose()              # the pool's other connections went with the server's session
                store.relock()                     # a ledger lock held on a lost connection is taken again
                time.sleep(0.05 * 2 ** attempt)
        raise AssertionError("unreachable")

    return run  # type: ignore[return-value]


def retry_public_methods(cls: C) -> C:
    """Apply ``retried`` to every public method of ``cls`` (not properties, not context managers)."""
    for name, value in list(vars(cls).items()):
        if not name.startswith("_") and callable(value) and name not in getattr(cls, "NOT_RETRIED", ()):
            setattr(cls, name, retried(value))
    return cls
