"""Publication date and outlet of a report, from its labelled header lines, its markers and its URL.

Only *labelled* dates count ("Published ...", "Last update:", "Posted on ...", a byline "By AFP - Dec 06,2018"): a
date inside a body sentence is usually the incident's date, not the report's. Outlets come from
``tally/data/outlets.tsv`` (name, domains, aliases), loaded on first use.
"""
from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import re
from dataclasses import dataclass
from typing import Iterator
from urllib.parse import urlsplit

import dateparser

HEADER_LINES = 15
MIN_YEAR, MAX_YEAR = 1990, 2035

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d{2}"
_WEEKDAY = r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?"
_TIME = r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?"
_ZONE = r"(?:utc|gmt|(?-i:[A-Z]{2,4}T)|[+-]\d{2}:?\d{2})"

DATE_RE = re.compile(
    rf"\b{_YEAR}-\d{{1,2}}-\d{{1,2}}\b"
    rf"|\b{_DAY}\s+{_MONTH},?\s*{_YEAR}\b"
    rf"|\b{_MONTH}\s*{_DAY},?\s*{_YEAR}\b"
    rf"|\b\d{{1,2}}[/.]\d{{1,2}}[/.]{_YEAR}\b",
    re.IGNORECASE,
)
# What may stand between a label and its date, or around a date on a line of its own.
_FILLER = re.compile(rf"^(?:[\s,.:|/–—-]|{_TIME}|{_WEEKDAY}|{_ZONE}\b|at\b|on\b)*$", re.IGNORECASE)
LABEL_RE = re.compile(
    r"^\W*(?P<label>(?:first\s+)?published|posted|last\s+updated?|updated?|date)\b"
    r"(?:\s+(?:on|at))?\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^\s*by\s+(?P<who>[^-–—|\n]{1,80}?)\s*[-–—|]\s*(?P<rest>.*)$", re.IGNORECASE)
# A leading " date 2018-11-04 " token that some scrapers prepend to the first line.
DATE_PREFIX = re.compile(rf"^\s*date\s*:?\s*{_YEAR}-\d{{2}}-\d{{2}}(?:[T ]\d{{2}}:\d{{2}}(?::\d{{2}})?Z?)?\s+",
                         re.IGNORECASE)
# A trailing " – Example.com" credit at the end of a report.
TRAILING_OUTLET = re.compile(
    r"\s+[-–—]\s*(?P<site>(?:www\.)?[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,6})\s*$")

_URL_YMD = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=/|$|[-_.])")
_URL_COMPACT = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})")
_PARSE_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "STRICT_PARSING": True,
                   "REQUIRE_PARTS": ["day", "month", "year"]}

# Label kinds, best first: when the report was first put out beats when it was last touched.
_PUBLISHED, _UPDATED, _DATE_LINE = 0, 1, 2


def publication_date(text: str, url: str | None) -> tuple[dt.date | None, str | None]:
    """Return (date, how) with how "text" or "url"; (None, None) when neither gives a labelled date."""
    found = _text_date(text)
    if found is not None:
        return found, "text"
    found = url_date(url) if url else None
    if found is not None:
        return found, "url"
    return None, None


def _text_date(text: str) -> dt.date | None:
    lines = _header_lines(text)
    candidates = sorted(_date_candidates(lines), key=lambda c: (c[0], c[1]))
    for _kind, _index, phrase in candidates:
        parsed = parse_date(phrase)
        if parsed is not None:
            return parsed
    return None


def _header_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][:HEADER_LINES]


def _date_candidates(lines: list[str]) -> Iterator[tuple[int, int, str]]:
    """Yield (kind, line index, date phrase) for each labelled date in the header lines."""
    for index, line in enumerate(lines):
        byline = _BYLINE.match(line)
        label = LABEL_RE.match(line)
        if byline:
            phrase = leading_date(byline.group("rest"))
            if phrase:
                yield _PUBLISHED, index, phrase
        if label:
            kind = _UPDATED if "updat" in label.group("label").lower() else _PUBLISHED
            rest = label.group("rest")
            if not rest.strip() and index + 1 < len(lines):
                rest = lines[index + 1]             # "Last update:" with the date on the next line
            phrase = leading_date(rest)
            if phrase:
                yield kind, index, phrase
        elif is_date_line(line):
            found = DATE_RE.search(line)
            if found:
                yield _DATE_LINE, index, found.group(0)


def leading_date(rest: str) -> str | None:
    """The date right after a label, if only a time, weekday or punctuation stands before it."""
    match = DATE_RE.search(rest)
    if match and _FILLER.match(rest[: match.start()]):
        return match.group(0)
    return None


def is_date_line(line: str) -> bool:
    """True when the line holds one date and nothing but weekday, time, zone and punctuation around it."""
    matches = list(DATE_RE.finditer(line))
    if len(matches) != 1:
        return False
    match = matches[0]
    return bool(_FILLER.match(line[: match.start()]) and _FILLER.match(line[match.end():]))


def parse_date(phrase: str) -> dt.date | None:
    """Parse one date phrase (English, day-month-year all present) within the plausible years."""
    parsed = dateparser.parse(phrase, languages=["en"], settings=_PARSE_SETTINGS)
    if parsed is None or not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    return parsed.date()


def url_date(url: str) -> dt.date | None:
    """A date in a URL path: /2018/10/28/, /2018-10-28/, or a segment starting 20181028 (e.g. an article id)."""
    path = urlsplit(url).path if "://" in url else url
    match = _URL_YMD.search(path)
    if match:
        found = _valid_date(*match.groups())
        if found:
            return found
    for segment in path.split("/"):
        match = _URL_COMPACT.match(segment)
        if match:
            found = _valid_date(*match.groups())
            if found:
                return found
    return None


def _valid_date(year: str, month: str, day: str) -> dt.date | None:
    try:
        found = dt.date(int(year), int(month), int(day))
    except ValueError:
        return None
    return found if MIN_YEAR <= found.year <= MAX_YEAR else None


# --- outlets -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Outlet:
    name: str
    domains: tuple[str, ...]
    aliases: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def outlets() -> tuple[Outlet, ...]:
    """The outlet table from tally/data/outlets.tsv, read once on first use."""
    table = importlib.resources.files("tally").joinpath("data", "outlets.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line.strip() and not line.startswith("#")]
    return tuple(
        Outlet(name.strip(), _split_list(domains.lower()), _split_list(aliases) + (name.strip(),))
        for name, domains, aliases in rows[1:]       # rows[0] is the header
    )


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


def outlet_by_domain(host: str) -> str | None:
    """The outlet whose domain is ``host`` or a parent of it (www.reuters.com, uk.reuters.com -> Reuters)."""
    host = host.lower().strip().rstrip(".")
    for entry in outlets():
        if any(host == d or host.endswith("." + d) for d in entry.domains):
            return entry.name
    return None


def outlet_by_alias(name: str) -> str | None:
    """The outlet a name refers to; short aliases (AP, AA, RT) must match in case, others need not."""
    wanted = " ".join(name.split())
    for entry in outlets():
        for alias in entry.aliases:
            if alias == wanted or (len(alias) > 3 and alias.casefold() == wanted.casefold()):
                return entry.name
    return None


_SOURCE_TAG = re.compile(r"\[\s*source\s*:\s*(?P<x>[^\]\n]{2,80}?)\s*\]", re.IGNORECASE)
_NO_JOURNALIST = re.compile(r"\bNo\s+(?P<x>[^\n]{2,60}?)\s+(?:journalist|staff)s?\s+(?:was|were)\s+involved",
                            re.IGNORECASE)
_AND_AGENCIES = re.compile(r"^\s*(?P<x>[^\n]{2,60}?)\s+and\s+agencies\b", re.IGNORECASE)
_PICTURE = re.compile(r"^\s*(?P<x>[^\n]{2,60}?)(?:'s|’s)\s+picture\s*$", re.IGNORECASE)
_BY = re.compile(r"^\s*by\s+(?P<x>[^\n]{2,80})$", re.IGNORECASE)


def outlet(text: str, url: str | None) -> str | None:
    """The outlet that published the report: its URL's domain, else a marker in the text."""
    host = urlsplit(url).hostname if url and "://" in url else None
    if host:
        found = outlet_by_domain(host)
        if found:
            return found
    return _explicit_outlet(text) or _header_outlet(_header_lines(text))


def _explicit_outlet(text: str) -> str | None:
    """Markers that name the outlet outright, known to the table or not."""
    for pattern in (_SOURCE_TAG, _NO_JOURNALIST):
        match = pattern.search(text)
        if match:
            return outlet_by_alias(match.group("x")) or match.group("x").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    match = TRAILING_OUTLET.search(lines[-1]) if lines else None
    if match:
        site = match.group("site")
        return outlet_by_domain(site) or site
    return None


def _header_outlet(lines: list[str]) -> str | None:
    """Credits in the header ("MEE and agencies", "Reuters's picture", "By AFP"): only names the table knows."""
    for line in lines:
        for pattern in (_AND_AGENCIES, _PICTURE):
            match = pattern.match(line)
            found = outlet_by_alias(match.group("x")) if match else None
            if found:
                return found
    for line in lines:
        match = _BY.match(line)
        if match:
            for part in re.split(r"\s*[-–—|,/]\s*|\s+and\s+", match.group("x")):
                found = outlet_by_alias(part)
                if found:
                    return found
    return None
