"""Errors Tally shows to users. Every message says what is wrong and, where it can, what to do.

TallyError
 ├── ConfigError     (T1xx) bad option, setting or database URL
 ├── SourceError     (T2xx) a file or record that cannot be read as a report
 ├── StageError      (T3xx) a pipeline stage failed on one report
 ├── StoreError      (T4xx) the database cannot be opened or written
 ├── EvalError       (T5xx) the accuracy harness cannot find or prepare a benchmark set
 └── ReviewError     (T6xx) an analyst correction names an unknown target or a bad value
"""
from __future__ import annotations


class TallyError(Exception):
    code = "T000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"[{self.code}] {self.args[0]}"


class ConfigError(TallyError):
    code = "T100"


class SourceError(TallyError):
    """A file or record that cannot be read; carries where it came from."""

    code = "T200"

    def __init__(self, origin: str, reason: str, *, code: str | None = None) -> None:
        super().__init__(f"{origin}: {reason}", code=code)
        self.origin = origin
        self.reason = reason


class StageError(TallyError):
    code = "T300"


class StoreError(TallyError):
    code = "T400"


class EvalError(TallyError):
    """The accuracy harness cannot find or prepare a benchmark set."""
    code = "T500"


class ReviewError(TallyError):
    """An analyst correction that cannot be made: unknown target, bad value, unknown action (T6xx)."""

    code = "T600"
