"""The progress bar of a long ingest (tqdm): counts and rate on a terminal, silent when stderr is not one."""
from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING

from tqdm import tqdm

if TYPE_CHECKING:
    from tally.pipeline import RunSummary


class ProgressBar:
    """Called with the run's summary after each batch; shows reports done, their rate, and what became of them."""

    def __init__(self, stream: IO[str] | None = None, *, force: bool = False) -> None:
        out = stream or sys.stderr
        quiet = not force and not (hasattr(out, "isatty") and out.isatty())
        self._bar = tqdm(desc="ingest", unit=" reports", file=out, disable=quiet, dynamic_ncols=True,
                         mininterval=0.5)

    def __call__(self, summary: RunSummary) -> None:
        done = summary.read + sum(summary.rejected.values())
        self._bar.set_postfix(new=summary.new, copies=summary.copies, unchanged=summary.unchanged,
                              rejected=sum(summary.rejected.values()), refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        self._bar.close()
