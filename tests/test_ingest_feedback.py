"""What `tally ingest` tells the user: a progress bar on a terminal only, a summary at the end; `-` reads stdin."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tally.pipeline import RunSummary
from tally.progress import ProgressBar

LEAD = ("Gunmen killed seven soldiers and wounded four in an ambush on an army convoy near Maiduguri on "
        "Saturday, the Nigerian army said.")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_counts_and_rate_on_a_terminal() -> None:
    out = _Terminal()
    bar = ProgressBar(out)
    bar(RunSummary(read=150, new=140, copies=10, unchanged=7, rejected=Counter({"T202 empty": 3})))
    bar.close()
    shown = out.getvalue()
    assert "150" in shown and "reports" in shown and "/s" in shown
    assert "new=140" in shown and "copies=10" in shown and "rejected=3" in shown


def test_progress_bar_follows_the_counts_between_batches() -> None:
    out = _Terminal()
    bar = ProgressBar(out)
    summary = RunSummary()
    bar(summary)
    summary.read, summary.new = 42, 42                 # the pipeline stores reports one by one
    time.sleep(1.5)
    shown = out.getvalue()
    bar.close()
    assert "42" in shown and "new=42" in shown


def test_progress_bar_is_quiet_when_output_is_not_a_terminal() -> None:
    out = io.StringIO()
    bar = ProgressBar(out)
    bar(RunSummary(read=5, new=5))
    bar.close()
    assert out.getvalue() == ""


def test_dash_reads_json_lines_from_a_pipe_and_summarises(tmp_path: Path) -> None:
    lines = json.dumps({"id": "p1", "published": "2023-03-12", "text": LEAD}) + "\n\n{oops\n"
    tally = str(Path(sys.executable).with_name("tally"))
    done = subprocess.run([tally, "ingest", "--db", str(tmp_path / "t.db"), "-"], input=lines, text=True,
                          capture_output=True, timeout=300)
    assert done.returncode == 1 and done.stdout == ""
    err = done.stderr.splitlines()
    assert err[0].startswith("rejected <stdin>:3: line 3: not JSON")
    assert "reports read 1: new 1" in err[1]
    assert "rejected 1 (T205 not JSON: 1)" in err[2]
    assert err[3].startswith("claims extracted ") and err[4].startswith("incidents 1 (created 1")
    assert err[5].startswith("time ")
