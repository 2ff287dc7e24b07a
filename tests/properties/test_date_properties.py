"""Properties of date resolution (tally/stages/extract/dates.py) against a report's publication date: weekdays,
'since' ranges, last week, explicit days at month ends and across year boundaries."""
from __future__ import annotations

import calendar
import datetime as dt

from hypothesis import assume, given, strategies as st

from tally.stages.extract.dates import WEEKDAYS, find_dates

pubs = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2035, 12, 31))
weekdays = st.sampled_from(WEEKDAYS)


def only(sentence: str, pub: dt.date | None):  # type: ignore[no-untyped-def]
    refs = find_dates(sentence, pub)
    assert len(refs) == 1, (sentence, refs)
    return refs[0]


@given(pubs, weekdays)
def test_a_weekday_is_the_latest_such_day_on_or_before_publication(pub: dt.date, day: str) -> None:
    ref = only(f"Gunmen attacked the market on {day.capitalize()}, officials said.", pub)
    assert ref.date_from == ref.date_to
    assert ref.date_from is not None and ref.date_from.weekday() == WEEKDAYS.index(day)
    assert 0 <= (pub - ref.date_from).days <= 6


@given(pubs, weekdays)
def test_last_weekday_is_strictly_before_publication(pub: dt.date, day: str) -> None:
    ref = only(f"The strike hit the depot last {day.capitalize()}.", pub)
    assert ref.date_from is not None and 1 <= (pub - ref.date_from).days <= 7


@given(pubs, weekdays)
def test_since_a_weekday_is_a_range_ending_at_publication(pub: dt.date, day: str) -> None:
    ref = only(f"Fighting has raged since {day.capitalize()}.", pub)
    assert ref.date_to == pub and ref.date_from is not None
    assert ref.date_from < pub and ref.date_from.weekday() == WEEKDAYS.index(day)
    assert not ref.tally


@given(pubs)
def test_last_week_is_the_previous_calendar_week(pub: dt.date) -> None:
    ref = only("Shelling killed many last week.", pub)
    assert ref.date_from is not None and ref.date_to is not None
    assert ref.date_from.weekday() == 0 and (ref.date_to - ref.date_from).days == 6
    assert ref.date_to < pub and (pub - ref.date_to).days <= 7


@given(pubs)
def test_yesterday_is_the_day_before(pub: dt.date) -> None:
    ref = only("The convoy was hit yesterday.", pub)
    assert ref.date_from == ref.date_to == pub - dt.timedelta(days=1)


@given(st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2035, 12, 31)), st.booleans())
def test_an_explicit_day_with_its_year_is_that_day(day: dt.date, day_first: bool) -> None:
    month = calendar.month_name[day.month]
    text = f"on {day.day} {month} {day.year}" if day_first else f"on {month} {day.day}, {day.year}"
    ref = only(f"The raid took place {text}.", day + dt.timedelta(days=3))
    assert ref.date_from == ref.date_to == day


@given(st.integers(min_value=1996, max_value=2035), st.integers(min_value=1, max_value=12))
def test_month_ends_resolve_including_leap_days(year: int, month: int) -> None:
    last = calendar.monthrange(year, month)[1]
    day = dt.date(year, month, last)
    ref = only(f"Clashes erupted on {calendar.month_name[month]} {last}.", day + dt.timedelta(days=1))
    assert ref.date_from == day


@given(st.integers(min_value=1996, max_value=2035), st.integers(min_value=24, max_value=31),
       st.integers(min_value=1, max_value=6))
def test_a_december_day_read_in_january_is_last_year(year: int, dec: int, jan: int) -> None:
    ref = only(f"The bombing on December {dec} killed many.", dt.date(year, 1, jan))
    assert ref.date_from == dt.date(year - 1, 12, dec)


@given(pubs, st.integers(min_value=8, max_value=400))
def test_since_a_day_more_than_a_week_back_is_a_running_total(pub: dt.date, back: int) -> None:
    start = pub - dt.timedelta(days=back)
    assume(start.year >= 1995)
    ref = only(f"Some 400 fighters have died since {start.day} {calendar.month_name[start.month]} {start.year}.", pub)
    assert ref.tally and ref.period_from == start and ref.date_to == pub


@given(st.text(max_size=200), st.one_of(st.none(), pubs))
def test_any_sentence_gives_ordered_spans_and_ordered_ranges(text: str, pub: dt.date | None) -> None:
    refs = find_dates(text, pub)
    assert [r.start for r in refs] == sorted(r.start for r in refs)
    for r in refs:
        assert 0 <= r.start < r.end <= len(text)
        if r.date_from and r.date_to:
            assert r.date_from <= r.date_to, r
