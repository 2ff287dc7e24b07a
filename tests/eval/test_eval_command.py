import json

from click.testing import CliRunner

from tally.cli import main


def test_a_report_is_written_from_an_earlier_runs_results(tmp_path, shared_dir):
    res = [{"set": "acled-dev", "reports": 2, "rejected": 0, "claims": 1, "incidents": 1, "seconds": 0.5,
            "reports_per_second": 4.0,
            "per_report": {"killed": {"gold": 2, "right": 1, "accuracy": 0.5, "nonzero_gold": 1, "nonzero_right": 1,
                                      "nonzero_accuracy": 1.0, "mae": 0.5, "reports_missing": 0,
                                      "wrong": ["acled-1: want 0 got 3"]}}}]
    src = tmp_path / "r.json"
    src.write_text(json.dumps({"commit": "abc1234", "split": "dev", "results": res}))
    out = tmp_path / "ACC.md"
    r = CliRunner().invoke(main, ["eval", "--set", "acled", "--from-json", str(src), "--report", str(out),
                                  "--shared", str(shared_dir)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "`abc1234`" in text and "| acled-dev | 2 | killed.accuracy | 0.500 |" in text
    assert "figure where gold has none" in text
