"""Tally: conflict news reports in, a sourced casualty ledger out. ``tally.open(db)`` reads a ledger from Python."""
from tally.api import ClaimRecord, IncidentRecord, Ledger, Records, TallyRecord, open

__all__ = ["open", "Ledger", "Records", "IncidentRecord", "TallyRecord", "ClaimRecord"]
