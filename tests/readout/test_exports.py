"""Every export, from `tally ingest` to the file, opened the way a user would open it (pandas, csv, json,
pyarrow), on every backend (`db_url`)."""
import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from tally.cli import main
from tally.errors import ConfigError
from tally.readout import formats
from tally.readout.exports.ucdp import priogrid

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "ledger" / "reports.jsonl"
# ACLED renamed or dropped these columns of its older exports (the shared benchmark sample is one).
ACLED_LEGACY = {"": "pandas index", "data_id": "dropped", "event_id_no_cnty": "dropped",
                "ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2", "gwno": "iso"}


@pytest.fixture
def db(db_url):
    result = CliRunner().invoke(main, ["ingest", "--db", db_url, str(CORPUS)])
    assert result.exit_code == 1 and "reports.jsonl:6" in result.output  # the empty record is rejected
    return db_url


def _run(*args: str) -> bytes:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def _incidents(db: str) -> list[dict]:
    return [json.loads(line) for line in _run("incidents", "--db", db, "--format", "jsonl").splitlines()]


def _by_place(rows, column: str, name: str):
    return next(r for r in rows if name in str(r[column]))


def test_jsonl_and_csv_keep_the_contract(db):
    incidents = _incidents(db)
    assert len(incidents) == 3
    sarmin = _by_place(incidents, "places", "Sarm")
    assert sarmin["killed"]["civilian"] == {"min": 11, "max": None, "best": 11}
    assert set(sarmin["articles"]) == {"k1", "k2"} and sarmin["outlets"] == ["Reuters"]
    rows = list(csv.DictReader(io.StringIO(_run("incidents", "--db", db, "--format", "csv").decode())))
    assert [r["id"] for r in rows] == [i["id"] for i in incidents]
    assert _by_place(rows, "places", "Sarm")["killed_civilian_min"] == "11"


def test_geojson_is_a_feature_collection_of_points(db):
    incidents = _incidents(db)
    collection = json.loads(_run("incidents", "--db", db, "--format", "geojson"))
    assert collection["type"] == "FeatureCollection"
    assert [f["id"] for f in collection["features"]] == [i["id"] for i in incidents]
    for feature, incident in zip(collection["features"], incidents):
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert (lat, lon) == (incident["lat"], incident["lon"]) and -90 <= lat <= 90 and -180 <= lon <= 180
        assert all(not isinstance(v, (dict, list)) for v in feature["properties"].values())  # attribute table
    sarmin = _by_place(collection["features"], "properties", "Sarm")["properties"]
    assert sarmin["killed_civilian_min"] == 11 and sarmin["killed_civilian_max"] is None
    assert sarmin["event_type"] == "air_strike" and sarmin["reports"] == 2
    table = pd.json_normalize(collection["features"])  # as an analyst flattens it
    assert len(table) == 3 and "properties.killed_total_best" in table


def test_acled_csv_reads_in_pandas_with_acled_columns(db):
    frame = pd.read_csv(io.BytesIO(_run("incidents", "--db", db, "--format", "acled")))
    assert list(frame.columns[:3]) == ["event_id_cnty", "event_date", "year"]
    sarmin = frame[frame.location.str.contains("Sarm", na=False)].iloc[0]
    assert (sarmin.event_type, sarmin.sub_event_type) == ("Explosions/Remote violence", "Air/drone strike")
    assert (sarmin.fatalities, sarmin.fatalities_min, sarmin.fatalities_best) == (11, 11, 11)
    assert pd.isna(sarmin.fatalities_max)  # "at least 11": open-ended
    assert (sarmin.actor2, sarmin.inter2, sarmin.iso, sarmin.country) == ("Civilians (Syria)", 7, 760, "Syria")
    assert sarmin.event_date == "2023-05-06" and sarmin.time_precision == 1 and sarmin.source == "Reuters"
    ambush = frame[frame.actor1 == "Boko Haram"].iloc[0]
    assert (ambush.event_type, ambush.inter1) == ("Battles", 2)
    taiz = frame[frame.country == "Yemen"].iloc[0]
    assert taiz.tags.startswith("contested: Houthis")


def test_acled_columns_cover_the_benchmark_header(shared_dir):
    from tally.readout.exports.acled import COLUMNS

    sample = next((shared_dir / "benchmarks" / "acled-sample").glob("*.csv"))
    with sample.open(newline="") as fh:
        header = next(csv.reader(fh))
    missing = [c for c in header if c not in COLUMNS and c not in ACLED_LEGACY]
    assert missing == []
    assert all(new in COLUMNS for new in ACLED_LEGACY.values() if new not in ("dropped", "pandas index"))


def test_ucdp_csv_adds_up_as_ged_does(db):
    frame = pd.read_csv(io.BytesIO(_run("incidents", "--db", db, "--format", "ucdp")))
    for name in ("best", "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
                 "where_prec", "date_prec", "date_start", "date_end", "side_a", "side_b", "type_of_violence"):
        assert name in frame
    parts = frame.deaths_a + frame.deaths_b + frame.deaths_civilians + frame.deaths_unknown
    assert (parts == frame.best).all() and (frame.low <= frame.best).all() and (frame.best <= frame.high).all()
    sarmin = frame[frame.where_coordinates.str.contains("Sarm", na=False)].iloc[0]
    assert (sarmin.type_of_violence, sarmin.side_b, sarmin.deaths_civilians, sarmin.best) == (3, "Civilians", 11, 11)
    assert (sarmin.where_prec, sarmin.date_prec, sarmin.number_of_sources) == (1, 1, 2)
    assert sarmin.priogrid_gid == priogrid(sarmin.latitude, sarmin.longitude)
    taiz = frame[frame.country == "Yemen"].iloc[0]
    assert (taiz.side_b, taiz.deaths_b, taiz.event_clarity) == ("Houthis", 30, 2)  # contested: unclear


def test_priogrid_numbers_cells_from_the_south_west():
    assert priogrid(-89.9, -179.9) == 1 and priogrid(-89.9, 179.9) == 720 and priogrid(89.9, 179.9) == 259200


def test_parquet_reads_in_pandas_with_real_types(db, tmp_path):
    out = tmp_path / "incidents.parquet"
    result = CliRunner().invoke(main, ["incidents", "--db", db, "--format", "parquet", "--output", str(out)])
    assert result.exit_code == 0 and "wrote 3 incidents" in result.output
    schema = pq.read_schema(out)
    assert str(schema.field("date_from").type) == "date32[day]"
    assert str(schema.field("killed_civilian_min").type) == "int64"
    assert schema.field("places").type.value_type == "string"  # a list of names
    frame = pd.read_parquet(out)
    assert sorted(frame.id) == sorted(i["id"] for i in _incidents(db))
    sarmin = frame[frame.places.map(lambda p: any("Sarm" in x for x in p))].iloc[0]
    assert sarmin.killed_civilian_min == 11 and json.loads(sarmin.evidence)[0]["article"] in ("k1", "k2")
    claims = tmp_path / "claims.parquet"
    _run("claims", "--db", db, "--format", "parquet", "-o", str(claims))
    assert len(pd.read_parquet(claims)) == len(_run("claims", "--db", db, "--format", "jsonl").splitlines())


def test_parquet_is_not_written_to_a_terminal(tmp_path):
    parent, child = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "tally.cli", "incidents", "--db", str(tmp_path / "t.db"),
                               "--format", "parquet"], stdout=child, stderr=subprocess.PIPE, timeout=120,
                              env={**os.environ, "TALLY_DB": ""})
    finally:
        os.close(child)
        os.close(parent)
    assert proc.returncode != 0 and b"--output FILE.parquet" in proc.stderr


def test_a_format_that_does_not_fit_the_records_says_which_do(db):
    result = CliRunner().invoke(main, ["tallies", "--db", db, "--format", "geojson"])
    assert result.exit_code != 0 and "incidents only" in result.output and "parquet" in result.output
    bad = CliRunner().invoke(main, ["incidents", "--db", db, "--format", "csv", "-o", "/nonexistent/dir/x.csv"])
    assert bad.exit_code != 0 and "cannot write /nonexistent/dir/x.csv" in bad.output


def test_the_registry_serves_every_format_to_the_api():
    rows = [{"id": "inc-1", "date_from": "2023-05-06", "date_to": "2023-05-06", "places": [], "lat": None,
             "lon": None, "killed": {}, "injured": {}, "articles": [], "evidence": []}]
    for name, export in formats.EXPORTS.items():
        assert export.media_type and export.extension and name in formats.FORMATS
        data = formats.render(name, rows, "incidents")
        assert isinstance(data, bytes) and data
    assert json.loads(formats.render("geojson", rows))["features"][0]["geometry"] is None  # kept, unplaced
    with pytest.raises(ConfigError, match="choose one of"):
        formats.render("shapefile", rows)
    with pytest.raises(ConfigError, match="for claims use jsonl, csv, parquet"):
        formats.render("acled", rows, "claims")
