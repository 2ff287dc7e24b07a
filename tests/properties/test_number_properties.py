"""Properties of figure parsing (tally/stages/extract/numbers.py): words, digits, separators, modifiers, vague
quantities. Every figure found is a valid range whose text is a slice of the input."""
from __future__ import annotations

from hypothesis import given, strategies as st

from tally.stages.extract.numbers import find_quantities, parse_figure, word_to_int

_UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
          "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def spell(n: int) -> str:
    """Our own speller (0..999,999), to check the parser against: 'three hundred and five thousand ...'."""
    if n < 20:
        return _UNITS[n]
    if n < 100:
        return _TENS[n // 10] + ("-" + _UNITS[n % 10] if n % 10 else "")
    if n < 1000:
        return _UNITS[n // 100] + " hundred" + (" and " + spell(n % 100) if n % 100 else "")
    return spell(n // 1000) + " thousand" + (" " + spell(n % 1000) if n % 1000 else "")


def grouped(n: int) -> str:
    return f"{n:,}"


counts = st.integers(min_value=0, max_value=999_999)


@given(counts)
def test_digits_with_and_without_thousands_separators_read_the_same(n: int) -> None:
    assert word_to_int(str(n)) == n
    assert word_to_int(grouped(n)) == n


@given(st.integers(min_value=0, max_value=999))
def test_spelled_numbers_read_as_their_value(n: int) -> None:
    assert word_to_int(spell(n)) == n


@given(st.integers(min_value=1, max_value=999))
def test_spelled_figures_are_exact_ranges(n: int) -> None:
    fig = parse_figure(spell(n))
    assert fig is not None and (fig.low, fig.high) == (n, n)


@given(counts, st.sampled_from(["at least", "no fewer than", "not less than", "a minimum of"]))
def test_at_least_is_open_above(n: int, mod: str) -> None:
    fig = parse_figure(f"{mod} {grouped(n)}")
    assert fig is not None and (fig.low, fig.high) == (n, None)


@given(counts, st.sampled_from(["more than", "over", "upwards of", "in excess of"]))
def test_more_than_starts_one_above(n: int, mod: str) -> None:
    fig = parse_figure(f"{mod} {n}")
    assert fig is not None and (fig.low, fig.high) == (n + 1, None)


@given(counts, st.sampled_from(["up to", "as many as", "at most", "no more than", "nearly", "almost"]))
def test_up_to_is_open_below(n: int, mod: str) -> None:
    fig = parse_figure(f"{mod} {n}")
    assert fig is not None and (fig.low, fig.high) == (None, n)


@given(counts, st.sampled_from(["fewer than", "less than", "under"]))
def test_fewer_than_ends_one_below_and_never_negative(n: int, mod: str) -> None:
    fig = parse_figure(f"{mod} {n}")
    assert fig is not None and fig.low is None and fig.high == max(n - 1, 0)


@given(counts, st.sampled_from(["about", "around", "roughly", "approximately", "some"]))
def test_about_is_an_approximate_point(n: int, mod: str) -> None:
    fig = parse_figure(f"{mod} {n}")
    assert fig is not None and (fig.low, fig.high, fig.approximate) == (n, n, True)


@given(counts, counts)
def test_ranges_keep_their_order_or_are_refused(a: int, b: int) -> None:
    for text in (f"between {a} and {b}", f"{a}-{b}", f"{a} to {b}"):
        fig = parse_figure(text)
        if a <= b:
            assert fig is not None and (fig.low, fig.high) == (a, b), text
        else:
            assert fig is None, text


@given(st.sampled_from(["dozens", "hundreds", "thousands", "scores", "several", "a few", "tens"]))
def test_vague_plurals_are_open_above(word: str) -> None:
    fig = parse_figure(word)
    assert fig is not None and fig.low is not None and fig.low >= 2 and fig.high is None


@given(st.integers(min_value=1, max_value=99), st.integers(min_value=1, max_value=99))
def test_ages_are_never_figures(age: int, n: int) -> None:
    text = f"{spell(n).capitalize()} people were killed, among them a {age}-year-old boy."
    figures = [q.figure.low for q in find_quantities(text)]
    assert figures == [n]


@given(st.text(max_size=300))
def test_any_text_gives_valid_ranges_that_quote_the_input(text: str) -> None:
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text
        lo, hi = q.figure.low, q.figure.high
        assert lo is None or lo >= 0
        assert lo is None or hi is None or lo <= hi
