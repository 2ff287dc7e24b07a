"""Saved web pages: main text and metadata with trafilatura and htmldate, encodings, the raw page's hash."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from tally.cli import main
from tally.models import RawArticle, Rejected
from tally.sources import codes
from tally.sources.files import read_paths
from tally.sources.html import read_page

PAGES = Path(__file__).parents[1] / "fixtures" / "pages"

FRENCH = """<html><head><meta charset="windows-1252"><title>Cinq morts à Alep</title></head><body>
<nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
<article><h1>Cinq morts à Alep</h1>
<p>Les combats ont fait cinq morts à Alep samedi, a déclaré l'Observatoire syrien des droits de l'homme,
qui a précisé que trois civils figuraient parmi les victimes des bombardements sur le quartier est.</p>
<p>Des témoins ont décrit des scènes de panique près de l'hôpital, où les blessés étaient soignés dans les
couloirs faute de place, selon un médecin joint par téléphone.</p></article></body></html>"""


def read(*paths: Path) -> list[RawArticle | Rejected]:
    return list(read_paths([str(p) for p in paths]))


def test_page_gives_main_text_title_date_outlet_and_canonical_url() -> None:
    [page] = read(PAGES / "convoy.html")
    assert isinstance(page, RawArticle)
    assert page.key == page.url == "https://lakechad-monitor.example/2023/03/12/convoy-ambush"
    assert page.title == "Seven soldiers killed in convoy ambush"
    assert page.published == dt.date(2023, 3, 12)
    assert page.outlet == "Lake Chad Monitor"
    assert "Gunmen killed seven soldiers" in page.text
    for furniture in ("Subscribe", "Most read", "Football results", "All rights reserved", "newsletter"):
        assert furniture not in page.text
    assert len(page.extra["page_sha256"]) == 64
    assert page.origin == str(PAGES / "convoy.html")


def test_page_without_canonical_url_is_keyed_by_file_name_and_dated_from_meta() -> None:
    [page] = read(PAGES / "market.html")
    assert isinstance(page, RawArticle)
    assert page.key == "market.html" and page.url is None
    assert page.published == dt.date(2023, 3, 11)
    assert page.text.startswith("Shells hit market in Aden")


def test_page_in_a_declared_legacy_encoding_is_decoded_and_noted(tmp_path: Path) -> None:
    path = tmp_path / "alep.htm"
    path.write_bytes(FRENCH.encode("cp1252"))
    [page] = read(path)
    assert isinstance(page, RawArticle)
    assert "Les combats ont fait cinq morts à Alep" in page.text
    assert page.extra["encoding"] == "windows-1252"


def test_page_with_no_report_text_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "menu.html"
    path.write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    [item] = read(path)
    assert isinstance(item, Rejected) and item.code == codes.NO_TEXT
    assert "no report text" in item.reason


def test_binary_data_named_html_is_rejected() -> None:
    item = read_page(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "x.html", "x.html")
    assert isinstance(item, Rejected) and item.code == codes.BINARY


def test_saved_page_without_html_suffix_is_recognised(tmp_path: Path) -> None:
    path = tmp_path / "saved-page"
    path.write_bytes((PAGES / "market.html").read_bytes())
    [page] = read(path)
    assert isinstance(page, RawArticle)
    assert page.extra["format"] == "html" and "<div" not in page.text


def test_jsonl_record_may_carry_the_page_in_html(tmp_path: Path) -> None:
    rec = {"id": "p1", "url": "https://example.org/market", "html": (PAGES / "market.html").read_text(),
           "section": "yemen"}
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps(rec) + "\n")
    [page] = read(path)
    assert isinstance(page, RawArticle)
    assert page.key == "p1" and page.url == "https://example.org/market"
    assert page.title == "Shells hit market in Aden" and page.published == dt.date(2023, 3, 11)
    assert page.extra["section"] == "yemen" and "page_sha256" in page.extra


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_same_page_seen_twice_is_recognised_and_stored_once(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(PAGES / "market.html", folder / "market.html")
    shutil.copy(PAGES / "market.html", folder / "market-again.html")
    db = str(tmp_path / "t.db")
    out = _cli("ingest", "--db", db, str(folder))
    assert "new 1" in out and "pages seen before 1" in out
    again = _cli("ingest", "--db", db, str(PAGES / "market.html"))
    assert "new 0" in again and "pages seen before 1" in again


def test_page_not_in_english_is_stored_and_shown_but_not_extracted(tmp_path: Path) -> None:
    path = tmp_path / "alep.html"
    path.write_bytes(FRENCH.encode("cp1252"))
    db = str(tmp_path / "t.db")
    out = _cli("ingest", "--db", db, str(path), str(PAGES / "market.html"))
    assert "not English 1" in out
    rows = [json.loads(x) for x in _cli("articles", "--db", db, "--format", "jsonl").splitlines()]
    french = next(r for r in rows if r["key"] == "alep.html")
    assert french["language"] == "fr" and french["extracted"] is False and french["claims"] == 0
    assert "fr" in _cli("articles", "--db", db)
