"""Figures in report wording -> CountRange, following CODING_RULES.md ("One figure").

Hand-written: no library turns "no fewer than fourteen" or "dozens of" into a coded casualty range with
the monitors' conventions (open bounds, "more than 820" -> 821..open, "nearly 700" -> ..700).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from tally.models import CountRange

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

# vague quantities: (low, high)
_VAGUE = {
    "a dozen": (12, 12), "dozens": (12, None), "tens": (10, None), "scores": (20, None),
    "hundreds": (100, None), "thousands": (1000, None), "several": (3, None), "a number of": (3, None),
    "a few": (2, None), "a handful of": (2, None), "a couple of": (2, 2), "a pair of": (2, 2),
    "a score of": (20, 20),
}

# modifiers: name -> how the bound is read
_MODIFIERS = [
    (r"no fewer than|not less than|no less than|at least|a minimum of|at the very least", "min"),
    (r"more than|over|upwards of|in excess of|above", "above"),
    (r"up to|as many as|at most|no more than|a maximum of", "max"),
    (r"fewer than|less than|under", "below"),
    (r"nearly|almost|close to|just under|nearing|approaching", "max"),
    (r"about|around|some|roughly|approximately|an estimated|estimated|nearly about|circa|perhaps", "approx"),
]

_MODIFIER_RES = [(re.compile(p), how) for p, how in _MODIFIERS]

_WORD = "|".join(sorted(list(_UNITS) + list(_TENS), key=len, reverse=True))
_WORD_NUMBER = rf"(?:(?:{_WORD})(?:[- ](?:{_WORD}))?(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?(?:{_WORD})(?:[- ](?:{_WORD}))?)?)?)"
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s+(?:million|thousand))?"
_CORE = rf"(?:{_DIGITS}|{_WORD_NUMBER})"
_MOD = "|".join(f"(?:{m})" for m, _ in _MODIFIERS)
_VAGUE_RE = "|".join(re.escape(v) for v in sorted(_VAGUE, key=len, reverse=True))
_RANGE = (rf"(?:between\s+(?P<r1>{_CORE})\s+and\s+(?P<r2>{_CORE})|(?P<r3>{_DIGITS})\s*(?:-|–)\s*(?P<r4>{_DIGITS})"
          rf"|(?P<r5>{_CORE})\s+to\s+(?P<r6>{_CORE}))")

_QUANTITY = re.compile(
    rf"\b(?:(?P<mod>{_MOD})\s+)?(?:{_RANGE}|(?P<vague>{_VAGUE_RE})|(?P<core>{_CORE}))\b(?:\s+of\b)?",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Quantity:
    start: int
    end: int
    text: str
    figure: CountRange


@functools.lru_cache(maxsize=8192)   # the same words are read again and again
def word_to_int(text: str) -> int | None:
    """'twenty-eight' -> 28, 'three hundred and five' -> 305, '1,100' -> 1100, '1.5 million' -> 1500000."""
    t = text.lower().replace(",", "").strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(?:\s+(million|thousand))?", t)
    if m:
        value = float(m.group(1)) * (_SCALES[m.group(2)] if m.group(2) else 1)
        return int(round(value))
    total = current = 0
    seen = False
    for tok in re.split(r"[\s-]+", t):
        if tok == "and":
            continue
        if tok in _UNITS:
            current += _UNITS[tok]
        elif tok in _TENS:
            current += _TENS[tok]
        elif tok in _SCALES:
            current = max(current, 1) * _SCALES[tok]
            if _SCALES[tok] >= 1000:
                total, current = total + current, 0
        else:
            return None
        seen = True
    return total + current if seen else None


def _apply_modifier(mod: str | None, n: int) -> CountRange:
    if not mod:
        return CountRange(n, n)
    m = mod.lower()
    for pattern, how in _MODIFIER_RES:
        if pattern.fullmatch(m):
            if how == "min":
                return CountRange(n, None)
            if how == "above":
                return CountRange(n + 1, None)
            if how == "max":
                return CountRange(None, n)
            if how == "below":
                return CountRange(None, max(n - 1, 0))
            return CountRange(n, n, approximate=True)
    return CountRange(n, n)


def _figure(m: re.Match[str]) -> CountRange | None:
    mod = m.group("mod")
    if m.group("vague"):
        lo, hi = _VAGUE[m.group("vague").lower()]
        return CountRange(lo, hi) if not mod else _apply_modifier(mod, lo)
    pair = next(((m.group(a), m.group(b)) for a, b in (("r1", "r2"), ("r3", "r4"), ("r5", "r6")) if m.group(a)),
                (None, None))
    if pair[0]:
        lo, hi = word_to_int(pair[0]), word_to_int(pair[1])
        if lo is None or hi is None or lo > hi:
            return None
        return CountRange(lo, hi)
    n = word_to_int(m.group("core"))
    return None if n is None else _apply_modifier(mod, n)


_AGE_AFTER = re.compile(r"[\s-]*(?:years?|yrs?|months?|weeks?|days?)[\s-]*old\b|-year\b|-month\b", re.IGNORECASE)


_CLOCK_AFTER = re.compile(r":\d\d|\s*(?:a\.m\.|p\.m\.|am\b|pm\b|o'clock|hours? GMT|GMT|UTC|ET\b|EST\b|PST\b|CST\b)",
                          re.IGNORECASE)


_POSSESSIVE = re.compile(r"['’]?s\b")          # "the 1990s", "2's"
_AFTER_DIGIT = re.compile(r"\d[:.]$")           # "10:30", "3.5"
_TRAILING_OF = re.compile(r"\s+of$", re.IGNORECASE)


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in ``text`` with its offsets; the caller decides which ones count people.
    An age ("a 24-year-old man", "aged 3 months old") is never a figure."""
    out = []
    for m in _QUANTITY.finditer(text):
        fig = _figure(m)
        if fig is None or _AGE_AFTER.match(text, m.end()) or _CLOCK_AFTER.match(text, m.end()) or \
                _POSSESSIVE.match(text[m.end():m.end() + 3]) or _AFTER_DIGIT.search(text[max(0, m.start() - 3):m.start()]):
            continue
        raw = m.group(0)
        trimmed = _TRAILING_OF.sub("", raw)
        out.append(Quantity(m.start(), m.start() + len(trimmed), trimmed, fig))
    return out


def parse_figure(text: str) -> CountRange | None:
    """The figure that makes up all of ``text`` ("at least 14"), else None."""
    m = _QUANTITY.fullmatch(text.strip())
    return _figure(m) if m else None
