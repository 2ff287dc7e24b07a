"""Claims of whole reports (our own sentences): how figures and described victims combine within one report."""
import datetime as dt

from tally.models import RawArticle
from tally.stages.clean import clean
from tally.stages.extract.claims import extract


def figures(text, day=dt.date(2016, 3, 14)):
    art = clean(RawArticle("r1", text, "test", published=day))
    out = {}
    for c in extract(art).claims:
        if c.scope == "incident":
            out.setdefault(c.kind, []).append((c.figure.low, c.figure.high))
    return out


def test_those_shot_who_died_are_killed_not_injured():
    got = figures("Three people were shot, one fatally, outside a bar on Sunday night, police said.")
    assert got == {"injured": [(2, 2)], "killed": [(1, 1)]}


def test_victims_described_one_by_one_are_counted():
    got = figures("A 31-year-old man was shot near the river on Friday, police said. He died at the scene. "
                  "A second man, 27, was taken to a hospital with a wound to his arm.")
    assert got == {"killed": [(1, 1)], "injured": [(1, 1)]}


def test_a_figure_in_the_report_counts_the_people_it_describes():
    got = figures("Two people were killed in a shooting on Saturday, police said. "
                  "One of them, a 40-year-old woman, died at the scene.")
    assert got["killed"] == [(2, 2)]


def test_no_one_hurt_never_undoes_a_named_victim():
    got = figures("A woman was wounded when shots hit her car on Monday. No one else was hurt, police said.")
    assert got == {"injured": [(1, 1)]}
