"""The Spark job (tally/spark/) in local mode on the demo corpus gives the single-machine ledger."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tally.cli import main
from tally.sources import codes

pytest.importorskip("pyspark", reason="the Spark extra is not installed (pip install 'tally[spark]')")
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH: the Spark job needs one (.ci/run installs openjdk-17-jre-headless)",
                allow_module_level=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
INPUTS = [str(EXAMPLES / "reports.jsonl"), str(EXAMPLES / "txt")]
TALLY = [sys.executable, "-c", "from tally.cli import main; main()"]


def _export(db: Path, what: str) -> list[dict]:
    out = CliRunner().invoke(main, [what, "--db", str(db), "--format", "jsonl"]).output
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def _run_job(inputs: list[str], out: Path, master: str) -> dict:
    job = subprocess.run([*TALLY, "spark", "run", "--master", master, "--out", str(out), *inputs],
                         capture_output=True, text=True, timeout=900)
    assert job.returncode == 0, job.stderr[-3000:]
    return json.loads(job.stdout.splitlines()[-1])


def _load_and_compare(out: Path, loaded: Path, single: Path) -> dict:
    """Load the job's tables and check the ledger equals the single machine's; the articles' summary."""
    r = CliRunner().invoke(main, ["spark", "load", str(out), "--db", str(loaded)])
    assert r.exit_code == 0, r.output
    for what in ("incidents", "tallies", "claims"):
        assert _export(loaded, what) == _export(single, what), f"{what} differ between Spark and one machine"
    arts = {a["key"]: (a["duplicate_of"], a["published"], a["incidents"]) for a in _export(loaded, "articles")}
    assert arts == {a["key"]: (a["duplicate_of"], a["published"], a["incidents"]) for a in _export(single, "articles")}
    return arts


@pytest.mark.parametrize("master", ["local[1]", "local[2]"])   # the ledger does not depend on the executors
def test_spark_ledger_equals_the_single_machine_ledger(tmp_path, master):
    single, loaded, out = tmp_path / "single.db", tmp_path / "spark.db", tmp_path / "parquet"
    r = CliRunner().invoke(main, ["ingest", "--db", str(single), *INPUTS])
    assert r.exit_code == 0, r.output
    assert _run_job(INPUTS, out, master)["reports"] == 29
    for table in ("articles", "claims", "denials", "incidents", "incident_claims", "tallies", "rejects"):
        assert (out / table).is_dir(), f"no Parquet table {table}"
    _load_and_compare(out, loaded, single)
    # loading the same tables again changes nothing
    r = CliRunner().invoke(main, ["spark", "load", str(out), "--db", str(loaded)])
    assert r.exit_code == 0, r.output
    assert _export(loaded, "incidents") == _export(single, "incidents")


def test_load_names_the_missing_table(tmp_path):
    (tmp_path / "empty").mkdir()
    r = CliRunner().invoke(main, ["spark", "load", str(tmp_path / "empty"), "--db", str(tmp_path / "x.db")])
    assert r.exit_code != 0
    assert "no Parquet table 'articles'" in r.output and "tally spark run" in r.output


def test_candidate_pairs_join_into_groups():
    from tally.spark.job import _groups

    assert _groups([(3, 7), (7, 9), (1, 2)]) == {1: 1, 2: 1, 3: 3, 7: 3, 9: 3}


def _build_warc():
    """The WARC builder of the single-machine reader's tests (tests/sources/test_warc.py), not a copy of it."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("warc_source_tests", Path(__file__).parents[1] / "sources" / "test_warc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rejects(db: Path) -> list[tuple]:
    return sorted((r["origin"], r["stage"], r["code"], r["reason"]) for r in _export(db, "rejects"))


def test_spark_reads_warc_as_one_machine_does_and_rejects_a_corrupt_archive(tmp_path):
    from warcio.warcwriter import WARCWriter

    helpers = _build_warc()
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    helpers.build_warc(warcs / "news.warc.gz")
    with open(warcs / "plain.warc", "wb") as out:
        page = (b"<html><head><title>Shelling near the river port</title></head><body><article><p>"
                b"Four civilians were killed and nine wounded when shells struck the river port of Kalvero "
                b"on Tuesday, the regional health office said.</p><p>Officials said the shelling began at dawn "
                b"and lasted for two hours.</p></article></body></html>")
        helpers._response(WARCWriter(out, gzip=False), "https://river-news.example/port-shelling", page)
    full = helpers.build_warc(tmp_path / "full.warc.gz").read_bytes()
    (warcs / "cut.warc.gz").write_bytes(full[: len(full) - 900])           # truncated: its first page, one reject
    (warcs / "fake.warc").write_text("a text file named like an archive\n")  # not a WARC at all: one reject
    inputs = [INPUTS[0], str(warcs)]                                        # positions follow on from the JSONL
    single, loaded, out = tmp_path / "single.db", tmp_path / "spark.db", tmp_path / "parquet"
    r = CliRunner().invoke(main, ["ingest", "--db", str(single), *inputs])
    assert r.exit_code == 1 and "rejected 2 " in r.output, r.output          # ingest exits 1 on rejects
    _run_job(inputs, out, "local[2]")
    arts = _load_and_compare(out, loaded, single)
    assert "https://river-news.example/port-shelling" in arts and "https://news.example/missing" not in arts
    rejects = _rejects(loaded)
    assert rejects == _rejects(single)
    by_file = {Path(origin).name: (code, reason) for origin, _stage, code, reason in rejects if ".warc" in origin}
    assert by_file["cut.warc.gz"][0] == codes.TRUNCATED and "truncated" in by_file["cut.warc.gz"][1]
    assert by_file["fake.warc"][0] == codes.UNREADABLE and "not a WARC file" in by_file["fake.warc"][1]


def test_warc_from_a_uri_is_read_through_spark_not_the_driver(tmp_path):
    """A path with a scheme (file:// here; hdfs:// and s3a:// take the same road) is never read by the driver's
    ``read_paths``: WARC archives go through ``binaryFiles``, named by their URI."""
    from tally.models import RawArticle
    from tally.spark.job import read, session

    _build_warc().build_warc(tmp_path / "news.warc.gz")
    spark = session("local[1]", app="tally-warc-read")
    try:
        rdd, count = read(spark, [f"file://{tmp_path}"])
        items = sorted(rdd.collect(), key=lambda t: t[0])
    finally:
        spark.stop()
    assert count == 2 and [i for i, _a in items] == [0, 1]
    assert all(isinstance(a, RawArticle) and a.origin.startswith(f"file:{tmp_path}/news.warc.gz@") for _i, a in items)
    assert [a.url for _i, a in items] == ["https://lakechad-monitor.example/2023/03/12/convoy-ambush",
                                          "https://aden-daily.example/news/market-shelling"]
