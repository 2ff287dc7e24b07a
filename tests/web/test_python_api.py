"""tally.open(): typed records from a ledger, and their pandas and Arrow forms."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pyarrow as pa
import pytest

import tally
from tally.errors import ConfigError, StoreError
from tally.readout import ledger


def test_incidents_come_back_typed_and_filtered(demo_db: str) -> None:
    led = tally.open(demo_db)
    every = led.incidents()
    assert len(every) == len(ledger.incidents(led.store)) and isinstance(every[0], tally.IncidentRecord)
    syria = led.incidents(country="Syria", since="2023-03-01", until=dt.date(2023, 3, 31))
    assert syria and all(r.country == "Syria" and r.date_from <= dt.date(2023, 3, 31) for r in syria)
    assert all(isinstance(r.date_from, dt.date) and isinstance(r.places, tuple) for r in syria)
    worst = led.incidents(sort="killed", descending=True)[0]
    assert worst.killed_best == max(r.killed_best or 0 for r in every)
    contested = led.incidents(contested=True)
    assert contested and led.incident(contested[0].id) == contested[0]


def test_records_convert_to_pandas_and_arrow(demo_db: str) -> None:
    led = tally.open(demo_db)
    frame = led.incidents().to_pandas()
    assert len(frame) == len(led.incidents()) and frame["id"].is_unique
    assert pd.api.types.is_datetime64_any_dtype(frame["date_from"])
    assert frame.groupby("country")["killed_best"].sum().loc["Syria"] > 0
    table = led.incidents(country="Syria").to_arrow()
    assert isinstance(table, pa.Table) and table.num_rows == len(led.incidents(country="Syria"))
    assert table.schema.field("date_from").type == pa.date32() and table.column("places").type == pa.list_(pa.string())
    assert led.incidents(country="Atlantis").to_arrow().num_rows == 0
    assert list(led.incidents(country="Atlantis").to_pandas().columns)[:2] == ["id", "date_from"]


def test_tallies_and_claims(demo_db: str) -> None:
    led = tally.open(demo_db)
    tallies = led.tallies()
    assert tallies and all(isinstance(t, tally.TallyRecord) for t in tallies)
    assert len(led.tallies(country="Iraq")) == sum(1 for t in tallies if t.country == "Iraq")
    killed = led.claims(kind="killed")
    assert killed and all(c.kind == "killed" and c.quote for c in killed)
    inc = led.incidents(contested=True)[0]
    mine = led.claims(incident=inc.id)
    assert {c.id for c in mine} == set(inc.claims)
    frame = led.claims(stance="asserted").to_pandas()
    assert set(frame["stance"]) == {"asserted"} and "quote" in frame.columns
    assert led.tallies().to_arrow().num_rows == len(tallies)


def test_bad_arguments_say_what_is_wrong(demo_db: str) -> None:
    led = tally.open(demo_db)
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        led.incidents(since="last week")
    with pytest.raises(ConfigError, match="use one of"):
        led.incidents(sort="size")


def test_opening_a_missing_file_is_an_error_not_an_empty_ledger(tmp_path) -> None:
    with pytest.raises(StoreError, match="no ledger at"):
        tally.open(str(tmp_path / "typo.db"))
    assert not (tmp_path / "typo.db").exists()


def test_the_public_surface() -> None:
    assert set(tally.__all__) == {"open", "Ledger", "Records", "IncidentRecord", "TallyRecord", "ClaimRecord"}
