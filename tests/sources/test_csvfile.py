"""CSV exports of news tools, with a column mapping from the command line or a config file."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tally.cli import main
from tally.errors import ConfigError
from tally.models import RawArticle, Rejected
from tally.sources import codes
from tally.sources.csvfile import CsvMapping
from tally.sources.files import read_paths
from tally.sources.options import ReadOptions

EXPORT = (
    "guid,headline,body,link,date,desk\n"
    'n1,Convoy ambushed,"Gunmen killed seven soldiers and wounded four in an ambush near Maiduguri on Saturday, '
    'the army said.",https://wire.example/n1,2023-03-12,africa\n'
    "n2,Empty row,,https://wire.example/n2,2023-03-12,africa\n"
    'n3,Market shelled,"At least 12 civilians were killed on Friday when shells hit a market in Aden, '
    'officials said.",https://wire.example/n3,11 March 2023,mideast\n'
)
MAPPING = "id=guid,title=headline,text=body,url=link,published=date"


def read(path: Path, mapping: CsvMapping) -> list[RawArticle | Rejected]:
    return list(read_paths([str(path)], options=ReadOptions(csv=mapping)))


def test_rows_become_reports_through_the_mapping(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    first, empty, third = read(path, CsvMapping.parse(MAPPING))
    assert isinstance(first, RawArticle) and isinstance(third, RawArticle)
    assert (first.key, first.title, first.url) == ("n1", "Convoy ambushed", "https://wire.example/n1")
    assert first.published == dt.date(2023, 3, 12) and first.extra == {"desk": "africa"}
    assert first.origin == f"{path}:2"
    assert third.published == dt.date(2023, 3, 11)
    assert isinstance(empty, Rejected) and empty.code == codes.NO_TEXT and empty.origin == f"{path}:3"
    assert "row at line 3" in empty.reason


def test_mapping_from_a_toml_file(tmp_path: Path) -> None:
    config = tmp_path / "newsdesk.toml"
    config.write_text('[csv]\nid = "guid"\ntitle = "headline"\ntext = "body"\nurl = "link"\npublished = "date"\n')
    assert CsvMapping.load(config) == CsvMapping.parse(MAPPING)


@pytest.mark.parametrize("spec", ["body", "words=body", "text="])
def test_bad_mapping_says_how_to_write_one(spec: str) -> None:
    with pytest.raises(ConfigError, match="FIELD=COLUMN"):
        CsvMapping.parse(spec)


def test_missing_text_column_rejects_the_file_naming_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    [item] = read(path, CsvMapping())
    assert isinstance(item, Rejected) and item.code == codes.NO_COLUMN
    assert "no column 'text'" in item.reason and "guid, headline, body" in item.reason and "--csv-map" in item.reason


def test_legacy_encoding_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    text = ("Les combats ont fait cinq morts à Alep, a déclaré l'Observatoire syrien des droits de l'homme. "
            "Des témoins ont décrit des scènes de panique près de l'hôpital, où les blessés étaient soignés.")
    rows = f'id,text\nf1,"{text}"\nf2,"{text} Un deuxième récit."\n'

    path.write_bytes(rows.encode("cp1252"))
    item, _second = read(path, CsvMapping())
    assert isinstance(item, RawArticle) and "morts à Alep" in item.text and "témoins" in item.text


def test_tab_separated_export(tmp_path: Path) -> None:
    path = tmp_path / "export.tsv"
    path.write_text("id\ttext\nt1\tTwo people were killed in a raid.\n")
    [item] = read(path, CsvMapping())
    assert isinstance(item, RawArticle) and item.key == "t1"


def test_cli_csv_map_and_folder_rule(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "export.csv").write_text(EXPORT)
    db = str(tmp_path / "t.db")
    skipped = CliRunner().invoke(main, ["ingest", "--db", db, str(folder)])
    assert "reports read 0" in skipped.output            # without a mapping, a CSV in a folder is a data file
    r = CliRunner().invoke(main, ["ingest", "--db", db, "--csv-map", MAPPING, str(folder)])
    assert r.exit_code == 1 and "export.csv:3" in r.output and "T206 no text: 1" in r.output
    rows = CliRunner().invoke(main, ["articles", "--db", db, "--format", "jsonl"]).output.splitlines()
    assert sorted(json.loads(x)["key"] for x in rows) == ["n1", "n3"]
