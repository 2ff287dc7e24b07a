"""Date expressions in a sentence, resolved against the report's publication date (CODING_RULES.md).

Hand-written because the rules are the monitors' own: a weekday is the most recent such day on or before
publication, "since Tuesday" is a range up to publication, "last week" is the previous calendar week, and a
period longer than a week ("since 10 September", "in almost three months", "since 2011") makes a running
total (a tally), not an incident. dateparser reads the explicit dates ("November 3", "10 September 2018").
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import dateparser

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WD = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_EXPLICIT = rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?)"
_NUMWORD = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a few)"
_UNIT = r"(?:days?|weeks?|months?|years?)"
# A period long enough to make a running total: more than a week.
TALLY_MIN_DAYS = 8

_PATTERNS = [
    ("since_explicit", rf"\bsince\s+(?:(?:the\s+)?[\w' -]{{0,60}}?\s+(?:on|in)\s+)?(?:{_WD},?\s+)?(?P<d>{_EXPLICIT})"),
    ("since_year", r"\bsince\s+(?:(?:the\s+)?[\w' -]{0,60}?\s+in\s+)?(?P<y>(?:19|20)\d\d)\b"),
    ("since_weekday", rf"\bsince\s+(?:last\s+)?(?P<w>{_WD})\b"),
    ("since_start", r"\bsince\s+(?:the\s+)?(?:start|beginning|launch|outbreak)\s+of\b|\bsince\s+(?:the|it|they|its)\b[\w' -]{0,40}?\b(?:began|begun|erupted|started|launched)\b"),
    ("duration", rf"\b(?:in|over|during|for)\s+(?:the\s+(?:past|last)\s+)?(?:almost|nearly|more than|over|about|around|some)?\s*{_NUMWORD}\s+{_UNIT}\b(?:\s+of\s+(?:fighting|battle|war|clashes|conflict))?"),
    ("anaphoric", r"\b(?:in|during|over)\s+(?:that|this|the same)\s+period\b|\bin\s+total\b|\bso far this year\b|\bto date\b|\bthis year\b|\blast (?:month|year)\b"),
    ("explicit", rf"(?:\b{_WD},?\s+)?\b(?P<d>{_EXPLICIT})"),
    ("weekday_pair", rf"\b(?P<w1>{_WD})\s+and\s+(?P<w2>{_WD})\b"),
    ("last_weekday", rf"\blast\s+(?P<w>{_WD})\b"),
    ("weekday", rf"\b(?P<w>{_WD})(?:'s)?\b"),
    ("last_week", r"\blast\s+week\b"),
    ("this_week", r"\b(?:earlier\s+)?this\s+week\b"),
    ("yesterday", r"\byesterday\b|\blast\s+night\b|\bovernight\b"),
    ("today", r"\btoday\b|\bthis\s+(?:morning|afternoon|evening)\b|\btonight\b"),
]
_COMPILED = [(name, re.compile(p, re.IGNORECASE)) for name, p in _PATTERNS]
_RELATIVE_CLAUSE = re.compile(r",\s+(?:who|which|whose)\b[^,;]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DateRef:
    start: int
    end: int
    text: str
    date_from: dt.date | None
    date_to: dt.date | None
    tally: bool = False            # the figure it governs is a running total
    period_from: dt.date | None = None


def _weekday_on_or_before(pub: dt.date, name: str, strictly_before: bool = False) -> dt.date:
    delta = (pub.weekday() - WEEKDAYS.index(name.lower())) % 7
    if strictly_before and delta == 0:
        delta = 7
    return pub - dt.timedelta(days=delta)


def _explicit(text: str, pub: dt.date | None) -> dt.date | None:
    base = dt.datetime.combine(pub, dt.time()) if pub else None
    settings = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base:
        settings["RELATIVE_BASE"] = base
    parsed = dateparser.parse(re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", text), languages=["en"], settings=settings)
    if not parsed:
        return None
    day = parsed.date()
    if pub and not re.search(r"\d{4}", text) and day > pub + dt.timedelta(days=7):
        day = day.replace(year=day.year - 1)
    return day


def _period(start: dt.date | None, pub: dt.date | None, m: re.Match[str]) -> DateRef:
    if start and pub and (pub - start).days < TALLY_MIN_DAYS and start <= pub:
        return DateRef(m.start(), m.end(), m.group(0), start, pub)
    return DateRef(m.start(), m.end(), m.group(0), None, pub, tally=True, period_from=start)


def _resolve(name: str, m: re.Match[str], pub: dt.date | None) -> DateRef | None:
    g = m.groupdict()
    if name == "since_explicit":
        return _period(_explicit(g["d"], pub), pub, m)
    if name == "since_year":
        return DateRef(m.start(), m.end(), m.group(0), None, pub, tally=True, period_from=dt.date(int(g["y"]), 1, 1))
    if name in ("since_start", "duration", "anaphoric"):
        return DateRef(m.start(), m.end(), m.group(0), None, pub, tally=True)
    if name == "explicit":
        day = _explicit(g["d"], pub)
        return DateRef(m.start(), m.end(), m.group(0), day, day) if day else None
    if pub is None:
        return None
    if name == "since_weekday":
        return _period(_weekday_on_or_before(pub, g["w"], strictly_before=True), pub, m)
    if name == "weekday_pair":
        a, b = sorted((_weekday_on_or_before(pub, g["w1"]), _weekday_on_or_before(pub, g["w2"])))
        return DateRef(m.start(), m.end(), m.group(0), a, b)
    if name in ("weekday", "last_weekday"):
        day = _weekday_on_or_before(pub, g["w"], strictly_before=name == "last_weekday")
        return DateRef(m.start(), m.end(), m.group(0), day, day)
    if name == "last_week":
        monday = pub - dt.timedelta(days=pub.weekday() + 7)
        return DateRef(m.start(), m.end(), m.group(0), monday, monday + dt.timedelta(days=6))
    if name == "this_week":
        return DateRef(m.start(), m.end(), m.group(0), pub - dt.timedelta(days=pub.weekday()), pub)
    if name == "yesterday":
        return DateRef(m.start(), m.end(), m.group(0), pub - dt.timedelta(days=1), pub - dt.timedelta(days=1)
                       if m.group(0).lower() == "yesterday" else pub)
    return DateRef(m.start(), m.end(), m.group(0), pub, pub)  # today


def mask_relative_clauses(sentence: str) -> str:
    """Blank out ", who/which ..." clauses (same length): their dates are not the event's date."""
    return _RELATIVE_CLAUSE.sub(lambda m: " " * len(m.group(0)), sentence)


def find_dates(sentence: str, published: dt.date | None) -> list[DateRef]:
    """Date expressions in one sentence, earliest first; overlapping matches keep the first pattern's."""
    taken: list[tuple[int, int]] = []
    out = []
    for name, matches in _matches(sentence):
        for m in matches:
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            ref = _resolve(name, m, published)
            if ref is not None:
                taken.append((m.start(), m.end()))
                out.append(ref)
    return sorted(out, key=lambda r: r.start)


@functools.lru_cache(maxsize=16384)   # copies and boilerplate repeat sentences; the dates resolve per report
def _matches(sentence: str) -> tuple[tuple[str, tuple[re.Match[str], ...]], ...]:
    """Each pattern's matches in the sentence (its relative clauses blanked), in pattern order."""
    text = mask_relative_clauses(sentence)
    return tuple((name, tuple(rx.finditer(text))) for name, rx in _COMPILED)
