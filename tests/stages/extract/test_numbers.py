import pytest

from tally.models import CountRange
from tally.stages.extract.numbers import find_quantities, parse_figure, word_to_int


@pytest.mark.parametrize("text,low,high", [
    ("14", 14, 14), ("fourteen", 14, 14), ("twenty-eight", 28, 28), ("three hundred and five", 305, 305),
    ("at least 14", 14, None), ("no fewer than fourteen", 14, None), ("more than 820", 821, None),
    ("over 1,100", 1101, None), ("up to 60", None, 60), ("as many as 60", None, 60), ("nearly 700", None, 700),
    ("almost 700", None, 700), ("close to 100", None, 100), ("a dozen", 12, 12), ("dozens", 12, None),
    ("tens", 10, None), ("scores", 20, None), ("hundreds", 100, None), ("thousands", 1000, None),
    ("several", 3, None), ("a number of", 3, None), ("a few", 2, None), ("between 10 and 15", 10, 15),
    ("1.5 million", 1_500_000, 1_500_000), ("fewer than 10", None, 9),
])
def test_figures_follow_the_coding_rules(text, low, high):
    fig = parse_figure(text)
    assert (fig.low, fig.high) == (low, high)


def test_about_is_exact_but_marked_approximate():
    assert parse_figure("about 50") == CountRange(50, 50, approximate=True)


def test_word_numbers():
    assert word_to_int("Twelve") == 12
    assert word_to_int("ninety-nine") == 99
    assert word_to_int("360,000") == 360000
    assert word_to_int("not a number") is None


def test_offsets_point_at_the_figure():
    text = "Medics said at least 9 people died and some 20 were hurt."
    found = find_quantities(text)
    assert [text[q.start:q.end] for q in found] == ["at least 9", "some 20"]


def test_ages_are_never_figures():
    texts = [q.text for q in find_quantities("A 24-year-old man, a boy aged 3 years old and a 6-month-old baby; two wounded")]
    assert texts == ["two"]


def test_clock_times_are_never_figures():
    texts = [q.text for q in find_quantities("[Update 11:56 ET] Two suspects died; at 3 p.m. police said 9 were hurt")]
    assert texts == ["Two", "9"]
