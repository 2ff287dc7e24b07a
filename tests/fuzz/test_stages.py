"""Fuzzing the cleaner (tally/stages/clean.py) and extraction (numbers, dates, claims) with generated report-like
text full of markup, scripts, odd Unicode and figures. Zero crashes: the cleaner returns a report or raises a
TallyError/ValueError with a reason (which ``ingest`` stores as a reject); extraction always returns valid claims."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from hypothesis import given, settings, strategies as st

from fuzz_strategies import texts
from tally.errors import TallyError
from tally.models import RawArticle
from tally.stages.clean import clean
from tally.stages.extract.claims import extract
from tally.stages.extract.dates import find_dates
from tally.stages.extract.numbers import find_quantities
from trust_log import scaled

dates = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))


@settings(max_examples=scaled(2500))
@given(text=texts, title=st.one_of(st.none(), texts), published=dates)
def test_the_cleaner_keeps_its_promises_on_any_text(fuzz_cases: Counter[str], text: str, title: str | None,
                                                    published: dt.date | None) -> None:
    raw = RawArticle(key="fuzz", text=text, origin="fuzz.jsonl:1", title=title, published=published)
    fuzz_cases["cleaner"] += 1
    try:
        art = clean(raw)
    except (TallyError, ValueError) as exc:
        assert str(exc).strip()
        return
    assert art.original == text and art.key == "fuzz"
    for r in art.removed:
        assert 0 <= r.start <= r.end <= len(text) and r.reason


@settings(max_examples=scaled(3500))
@given(text=texts)
def test_figures_are_found_in_any_text_without_crashing(fuzz_cases: Counter[str], text: str) -> None:
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text
    fuzz_cases["extract: figures"] += 1


@settings(max_examples=scaled(2500))
@given(text=texts, published=dates)
def test_dates_are_found_in_any_text_without_crashing(fuzz_cases: Counter[str], text: str,
                                                      published: dt.date | None) -> None:
    for r in find_dates(text, published):
        assert r.date_from is None or r.date_to is None or r.date_from <= r.date_to
    fuzz_cases["extract: dates"] += 1


@settings(max_examples=scaled(400))
@given(text=texts, published=dates)
def test_claims_from_any_cleaned_text_quote_the_text(fuzz_cases: Counter[str], text: str,
                                                     published: dt.date | None) -> None:
    fuzz_cases["extract: claims"] += 1
    try:
        art = clean(RawArticle(key="fuzz", text=text, origin="fuzz.txt", published=published))
    except (TallyError, ValueError):
        return
    result = extract(art)
    for c in result.claims:
        assert art.text[c.start:c.end] == c.quote, c
        assert c.figure.low is None or c.figure.low >= 0
