"""`python -m bench` end to end on a tiny corpus: every measurement runs and the report and plot are written."""
import subprocess
import sys
from pathlib import Path

import pytest

from bench import corpus

ROOT = Path(__file__).resolve().parents[2]


def test_the_corpus_is_the_same_for_a_seed_and_mixes_what_a_monitor_sees():
    a, b = list(corpus.records(300)), list(corpus.records(300))
    assert a == b and len({r["id"] for r in a}) == 300
    texts = [r["text"] for r in a]
    assert sum("killing at least" in t for t in texts) > 60                  # casualty reports
    assert sum("Central bank" in t or "degrees" in t or "votes" in t or "cup final" in t or "jobs" in t
               for t in texts) > 40                                            # news without casualties
    assert len(set(texts)) < len(texts) or any("says" in t for t in texts)    # copies with edits


@pytest.mark.slow
def test_bench_runs_and_writes_the_report(tmp_path):
    out = tmp_path / "PERFORMANCE.md"
    r = subprocess.run([sys.executable, "-m", "bench", "--sizes", "40", "--workers", "1,2", "--repeats", "1",
                        "--minhash", "300", "--work", str(tmp_path / "work"), "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    report = out.read_text()
    assert "| 40 | 1 | 1 |" in report and "| 40 | 2 | 1 |" in report          # both worker counts measured
    assert "en_core_web_sm" in report and "x |" in report                     # the baseline, side by side
    assert "## Time per stage" in report and "extract" in report
    assert "## MinHash deduplication" in report and "| 300 | 2 |" in report
    assert (tmp_path / "performance.png").stat().st_size > 1000


def test_a_baseline_only_run_merges_into_the_rows_already_measured():
    from bench.run import _merge_sizes, _minhash_section

    results = {"sizes": {"100": {"pipeline": {"2": [{"seconds": 1.0}]}}}}
    _merge_sizes(results, {"100": {"pipeline": {}, "baseline": [{"seconds": 9.0}]}})
    _merge_sizes(results, {"100": {"pipeline": {"1": [{"seconds": 2.0}]}}})
    assert results["sizes"]["100"] == {"pipeline": {"2": [{"seconds": 1.0}], "1": [{"seconds": 2.0}]},
                                       "baseline": [{"seconds": 9.0}]}
    runs = {str(n): {"seconds": n / 100, "cpu_seconds": n / 50, "peak_rss": n * 1000, "copy_pairs": 1,
                     "candidates": n, "workers": 2} for n in (1000, 4000)}
    text = "\n".join(_minhash_section({"minhash_sizes": runs}))
    # rows measured before copyroots.py (all confirmed pairs counted) stay readable, marked with an asterisk
    assert "| 4000* | 2 |" in text and "size^1.00" in text and "about 20000 CPU s" in text
