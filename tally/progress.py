"""The progress bar of a long ingest (tqdm): counts and rate on a terminal, silent when stderr is not one.

The pipeline hands the bar its live ``RunSummary`` at the start and after each batch; a small thread redraws the
bar from it twice a second, so the counts move report by report and not only batch by batch.
"""
from __future__ import annotations

import sys
import threading
from typing import IO, TYPE_CHECKING

from tqdm import tqdm

if TYPE_CHECKING:
    from tally.pipeline import RunSummary

REDRAW_SECONDS = 0.5


class ProgressBar:
    """Called with the run's summary; shows reports done (stored, unchanged or rejected), their rate, and what
    became of them."""

    def __init__(self, stream: IO[str] | None = None, *, force: bool = False) -> None:
        out = stream or sys.stderr
        quiet = not force and not (hasattr(out, "isatty") and out.isatty())
        self._bar = tqdm(desc="ingest", unit=" reports", file=out, disable=quiet, dynamic_ncols=True,
                         mininterval=REDRAW_SECONDS)
        self._summary: RunSummary | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None if quiet else threading.Thread(target=self._redraw, name="progress", daemon=True)

    def __call__(self, summary: RunSummary) -> None:
        self._summary = summary
        if self._thread is not None and not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()
        self._show(summary)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join()
        if self._summary is not None:
            self._show(self._summary)
        self._bar.close()

    def _redraw(self) -> None:
        while not self._stop.wait(REDRAW_SECONDS):
            if self._summary is not None:
                self._show(self._summary)

    def _show(self, summary: RunSummary) -> None:
        try:
            rejected = sum(list(summary.rejected.values()))
        except RuntimeError:        # the pipeline added a reason at this instant: next redraw
            return
        with self._lock:
            self._bar.set_postfix(new=summary.new, copies=summary.copies, unchanged=summary.unchanged,
                                  rejected=rejected, refresh=False)
            done = summary.new + summary.updated + summary.unchanged + summary.pages_seen + rejected
            self._bar.update(done - self._bar.n)
