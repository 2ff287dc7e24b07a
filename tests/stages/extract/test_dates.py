import datetime as dt

from tally.stages.extract.dates import find_dates

SUNDAY = dt.date(2023, 3, 12)


def one(sentence, pub=SUNDAY):
    refs = find_dates(sentence, pub)
    assert len(refs) == 1, refs
    return refs[0]


def test_weekday_is_most_recent_on_or_before_publication():
    r = one("Shelling hit the market on Saturday.")
    assert (r.date_from, r.date_to, r.tally) == (dt.date(2023, 3, 11), dt.date(2023, 3, 11), False)
    assert one("Gunmen struck on Sunday.").date_from == SUNDAY


def test_weekday_pair_and_since_weekday_are_ranges():
    r = one("Raids on Thursday and Friday killed nine.")
    assert (r.date_from, r.date_to) == (dt.date(2023, 3, 9), dt.date(2023, 3, 10))
    r = one("Since Tuesday, 20 fighters have died.")
    assert (r.date_from, r.date_to, r.tally) == (dt.date(2023, 3, 7), SUNDAY, False)


def test_last_week_is_the_previous_calendar_week():
    r = one("Troops withdrew last week.")
    assert (r.date_from, r.date_to) == (dt.date(2023, 2, 27), dt.date(2023, 3, 5))


def test_explicit_date_without_year_takes_the_publication_year_and_never_the_future():
    assert one("The blast on March 3 killed four.").date_from == dt.date(2023, 3, 3)
    assert one("The attack on 28 December killed four.", dt.date(2023, 1, 4)).date_from == dt.date(2022, 12, 28)


def test_long_periods_make_tallies():
    r = one("The militia has lost 300 men since 1 January.")
    assert r.tally and r.period_from == dt.date(2023, 1, 1)
    assert one("Some 500 people have died since the war began in 2011.").period_from == dt.date(2011, 1, 1)
    assert one("In almost two months of fighting, 90 soldiers died.").tally
    assert one("Another 40 civilians died in that period.").tally


def test_dates_in_a_who_clause_are_not_the_events():
    assert find_dates("Five rebels died in clashes with the army, which began its push last month.", SUNDAY) == []
