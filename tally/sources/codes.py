"""Reject codes of the readers (T2xx, see errors.py), and the short label each one has in a run's summary."""
from __future__ import annotations

MISSING = "T201"
EMPTY = "T202"
BINARY = "T203"
TOO_LARGE = "T204"
NOT_JSON = "T205"
NO_TEXT = "T206"
BAD_FIELD = "T207"
UNREADABLE = "T208"
UNSUPPORTED = "T209"
FETCH_FAILED = "T210"
ROBOTS = "T211"
NOT_A_FEED = "T212"
TRUNCATED = "T213"
NO_COLUMN = "T214"
BAD_URL = "T215"
REDIRECTS = "T216"

LABELS = {
    MISSING: "missing", EMPTY: "empty", BINARY: "binary", TOO_LARGE: "too large", NOT_JSON: "not JSON",
    NO_TEXT: "no text", BAD_FIELD: "bad field", UNREADABLE: "unreadable", UNSUPPORTED: "unsupported type",
    FETCH_FAILED: "fetch failed", ROBOTS: "robots.txt", NOT_A_FEED: "not a feed", TRUNCATED: "truncated",
    NO_COLUMN: "no such column", BAD_URL: "bad URL", REDIRECTS: "too many redirects",
}


def label(code: str) -> str:
    """``T202 empty``: how a reject is counted in the summary."""
    return f"{code} {LABELS[code]}" if code in LABELS else code
