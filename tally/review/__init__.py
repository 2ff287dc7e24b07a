"""The analyst in the loop: corrections that survive re-ingest, consistency checks, the review queue, revisions.

The public interface (the CLI `tally review` and the web pages call only these):

    correct(store, action, target, value, analyst=, note=)   record a correction and rebuild the ledger
    withdraw(store, correction_id, analyst=, note=)          stop applying one (it stays in the audit log)
    review_queue(store) -> [ReviewItem]                      what needs a look, most important first
    act(store, item_id, key, analyst=, note=, value=)        settle a queue item with one key (ACTION_KEYS)
    run_checks(store) -> [Finding]                           the consistency checks
    explain(store, incident_id) / history(store, target)     how a figure came to be; the audit log
    note(store, target, analyst=, note=)                     a note in the audit log that changes nothing
    diff(store, rev1, rev2) -> [Change]; revisions(store)    versioned ledger
"""
from tally.review.checks import CHECKS, run_checks
from tally.review.corrections import correct, withdraw
from tally.review.history import explain, history, note
from tally.review.queue import ACTION_KEYS, act, review_queue
from tally.review.rebuild import load_corrections
from tally.review.records import ACTIONS, GRADES, Correction, Finding, ReviewItem
from tally.review.revisions import Change, diff, revisions

__all__ = ["ACTIONS", "ACTION_KEYS", "CHECKS", "GRADES", "Change", "Correction", "Finding", "ReviewItem", "act",
           "correct", "diff", "explain", "history", "load_corrections", "note", "review_queue", "revisions",
           "run_checks", "withdraw"]
