from __future__ import annotations

import datetime as dt

import pytest

from tally.stages.metadata import (
    is_date_line, outlet, outlet_by_alias, outlet_by_domain, outlets, publication_date, url_date,
)

D = dt.date


# --- publication date from the text ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    (" date 2019-07-14 Car bomb kills eight near checkpoint, officials say.\n\nBody.", D(2019, 7, 14)),
    ("Car bomb kills eight\n\nPublished 11:44 PM, July 14, 2019\n\nA car bomb killed eight.", D(2019, 7, 14)),
    ("Car bomb kills eight\n\nBy Reuters - Jul 14,2019 - Last updated at Jul 15,2019\n\nBody.", D(2019, 7, 14)),
    ("Car bomb kills eight\nLast update: \nSunday 14 July 2019 10:00 UTC\n\nBody.", D(2019, 7, 14)),
    ("Car bomb kills eight\nLast update: Sunday 14 July 2019 10:00 UTC\n\nBody.", D(2019, 7, 14)),
    ("Car bomb kills eight\nUpdated: 14 July 2019\n\nBody.", D(2019, 7, 14)),
    ("Car bomb kills eight\nPosted on July 14, 2019 at 9:15 am\n\nBody.", D(2019, 7, 14)),
    ("Car bomb kills eight\nFirst published on 2019-07-14\n\nBody.", D(2019, 7, 14)),
    ("Car bomb kills eight\n14 July 2019\n\nA car bomb killed eight.", D(2019, 7, 14)),
])
def test_labelled_dates_in_the_header(text: str, expected: dt.date) -> None:
    assert publication_date(text, None) == (expected, "text")


def test_published_beats_updated() -> None:
    text = "Strike kills two\nUpdated: 16 July 2019\nPublished: 14 July 2019\n\nBody."
    assert publication_date(text, None) == (D(2019, 7, 14), "text")


def test_an_unlabelled_date_in_the_body_is_not_the_publication_date() -> None:
    text = ("Strike kills 14\n\nFourteen civilians were killed Saturday, November 3, 2018, in air strikes on "
            "the town, a monitor said.\n\nThe toll was confirmed on 4 November 2018 by local officials.")
    assert publication_date(text, None) == (None, None)


def test_label_words_inside_a_sentence_do_not_count() -> None:
    text = "Updated figures released on 3 November 2018 showed the toll had risen, officials said."
    assert publication_date(text, None) == (None, None)


def test_dates_outside_plausible_years_are_ignored() -> None:
    assert publication_date("Published: 4 November 1911\n\nBody.", None) == (None, None)


def test_only_the_first_lines_are_searched() -> None:
    text = "\n".join(f"Paragraph {i} says something." for i in range(20)) + "\nPublished: 4 November 2018"
    assert publication_date(text, None) == (None, None)


# --- publication date from the URL ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.com/news/2018/10/28/strikes-kill-ten/", D(2018, 10, 28)),
    ("https://example.com/news/2018/10/28", D(2018, 10, 28)),
    ("https://example.com/world/2018-10-28/strikes-kill-ten", D(2018, 10, 28)),
    ("https://example.com/middleeast/201810281069331234-strikes-kill-ten/", D(2018, 10, 28)),
    ("https://example.com/a/20181028/strikes.html", D(2018, 10, 28)),
    ("https://example.com/a/20181399/strikes.html", None),           # not a valid date
    ("https://example.com/a/18801028/strikes.html", None),           # before 1990
    ("https://example.com/a/2018/10/strikes.html", None),            # no day
    ("https://2018-10-28.example.com/strikes", None),                # only the path counts
])
def test_url_dates(url: str, expected: dt.date | None) -> None:
    assert url_date(url) == expected


def test_text_date_wins_over_url_date_and_url_is_the_fallback() -> None:
    url = "https://example.com/news/2018/10/28/strikes/"
    assert publication_date("Strike\nPublished: 27 October 2018\n\nBody.", url) == (D(2018, 10, 27), "text")
    assert publication_date("Strike kills two.\n\nTwo died.", url) == (D(2018, 10, 28), "url")


def test_is_date_line() -> None:
    assert is_date_line("Sunday 21 October 2018 10:00 UTC")
    assert is_date_line("Oct 21, 2018")
    assert not is_date_line("Clashes on 21 October 2018 killed four")
    assert not is_date_line("Nothing here")


# --- outlets ---------------------------------------------------------------------------------------------------------

def test_outlet_table_loads_with_names_domains_and_aliases() -> None:
    table = outlets()
    assert len(table) >= 40
    names = {o.name for o in table}
    assert {"Reuters", "AFP", "Associated Press", "Al Jazeera", "Middle East Eye", "Xinhua"} <= names
    assert all(o.domains for o in table)


@pytest.mark.parametrize(("url", "expected"), [
    ("https://www.rudaw.net/english/middleeast/syria/28102018", "Rudaw"),
    ("https://uk.reuters.com/article/us-mideast-crisis", "Reuters"),
    ("https://www.aa.com.tr/en/middle-east/story/123", "Anadolu Agency"),
    ("https://www.bbc.co.uk/news/world-123", "BBC News"),
])
def test_outlet_from_url_domain(url: str, expected: str) -> None:
    assert outlet("Two killed.", url) == expected


def test_unknown_domain_falls_back_to_text_markers() -> None:
    assert outlet("Body.\n\n[Source: Rudaw]", "https://mirror.example.net/x") == "Rudaw"
    assert outlet("Body.", "https://mirror.example.net/x") is None


def test_domain_must_match_whole_labels() -> None:
    assert outlet_by_domain("notreuters.com") is None
    assert outlet_by_domain("WWW.Reuters.com.") == "Reuters"


@pytest.mark.parametrize(("text", "expected"), [
    ("Five killed in clashes.\n\nThe toll may rise.\n\n[Source: Garowe Online]\n", "Garowe Online"),
    ("Five killed in clashes.\n\n[Source: Some Local Radio]", "Some Local Radio"),
    ("Five killed in clashes. – Kurdistan24.net", "Kurdistan24"),
    ("Five killed in clashes.\n\nThe toll may rise. - Example-News.com\n", "Example-News.com"),
    ("Five killed.\nDisclaimer: No Dawn Journalist was involved in creation of this content", "Dawn"),
    ("Clashes kill five\nAl Jazeera and agencies\n\nFive fighters were killed.", "Al Jazeera"),
    ("Clashes kill five\nTRT World's picture\n\nFive fighters were killed.", "TRT World"),
    ("Clashes kill five\n\nBy Reuters - Jul 14,2019\n\nFive fighters were killed.", "Reuters"),
    ("Clashes kill five\n\nBy Jane Doe, Associated Press\n\nFive fighters were killed.", "Associated Press"),
])
def test_outlet_from_text_markers(text: str, expected: str) -> None:
    assert outlet(text, None) == expected


def test_credits_that_are_not_known_outlets_are_ignored() -> None:
    assert outlet("Clashes kill five\nBy Jane Doe\nSomebody and agencies\n\nFive fighters were killed.", None) is None


def test_alias_lookup_is_case_sensitive_only_for_short_aliases() -> None:
    assert outlet_by_alias("AP") == "Associated Press"
    assert outlet_by_alias("ap") is None
    assert outlet_by_alias("al  jazeera") == "Al Jazeera"
