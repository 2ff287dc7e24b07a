"""Tally: conflict news reports in, a sourced casualty ledger out. ``tally.open(db)`` reads a ledger from Python."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tally.api import ClaimRecord, IncidentRecord, Ledger, Records, TallyRecord, open

__all__ = ["open", "Ledger", "Records", "IncidentRecord", "TallyRecord", "ClaimRecord"]


def __getattr__(name: str) -> Any:
    """The Python API, imported on first use: `tally --help` and the worker processes do not need the store."""
    if name in __all__:
        from tally import api

        return getattr(api, name)
    raise AttributeError(f"module 'tally' has no attribute {name!r}")
