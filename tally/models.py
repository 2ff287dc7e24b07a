"""Records passed between pipeline stages: frozen dataclasses, one per stage boundary.

read (sources/) -> RawArticle -> clean -> CleanArticle -> dedupe -> CleanArticle (duplicate_of set)
-> extract -> Claim -> reconcile -> Incident / Tally

Dates are ``datetime.date``; counts are ``int`` or ``None`` for an open bound, never strings.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping

KILLED = "killed"
INJURED = "injured"
KINDS = (KILLED, INJURED)
CATEGORIES = ("civilian", "combatant", "unknown")

EVENT_TYPES = (
    "air_strike", "shelling", "armed_clash", "suicide_bombing", "ied_bomb", "attack", "execution", "other",
)


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One report as read from a file or record, before any cleaning."""

    key: str                      # the record's id, else the file name
    text: str
    origin: str                   # where it came from: "path" or "path:line"
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None   # only when the record itself gives it
    extra: Mapping[str, Any] = field(default_factory=dict)
    outlet: str | None = None          # when the source names it (a web page's site name)


@dataclass(frozen=True, slots=True)
class Removed:
    """A stretch of the original text that cleaning removed, and why."""

    start: int
    end: int
    reason: str                   # e.g. "paywall", "comments", "related-story", "dateline-metadata"
    text: str


@dataclass(frozen=True, slots=True)
class CleanArticle:
    key: str
    origin: str
    text: str                     # the report as a reader sees it (headline first when known)
    original: str                 # exactly what was read
    removed: tuple[Removed, ...] = ()
    url: str | None = None
    title: str | None = None
    published: dt.date | None = None
    published_from: str | None = None   # "record" | "text" | "url" | "copy"
    outlet: str | None = None
    language: str = "en"
    content_hash: str = ""
    duplicate_of: str | None = None
    similarity: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CountRange:
    """A figure as a range; ``None`` is an open bound ("at least 14" -> 14..None)."""

    low: int | None
    high: int | None
    approximate: bool = False

    def __post_init__(self) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"range low {self.low} > high {self.high}")


@dataclass(frozen=True, slots=True)
class Place:
    """A place named in a report, resolved against the gazetteer when possible."""

    name: str                     # as the gazetteer spells it, else as the report does
    mention: str                  # as the report spells it
    country: str | None = None    # English country name
    country_code: str | None = None
    admin1: str | None = None
    lat: float | None = None
    lon: float | None = None
    precision: int = 3            # ACLED geo_precision: 1 town, 2 near a town / district, 3 province or wider
    kind: str = "town"            # "town" | "admin1" | "country" | "unresolved"
    geonameid: int | None = None
    reason: str = ""              # why this resolution was chosen


@dataclass(frozen=True, slots=True)
class Claim:
    """One casualty figure a report attributes to someone, with its evidence."""

    id: str
    article: str
    kind: str                     # killed | injured
    category: str                 # civilian | combatant | unknown
    side: str | None
    figure: CountRange
    date_from: dt.date | None
    date_to: dt.date | None
    places: tuple[Place, ...]
    perpetrator: str | None
    event_type: str
    source: str | None            # who says it
    stance: str                   # asserted | denied
    quote: str
    start: int                    # character offsets of the quote in the cleaned text
    end: int
    scope: str = "incident"       # incident | tally | aggregate (a sum of other claims in the same report)
    parts: tuple[tuple[str, int], ...] = ()   # subsets: (("children", 5),)
    period_from: dt.date | None = None        # tallies: start of the period when known
    period_label: str | None = None           # tallies: "since 10 September"
    number_text: str = ""                     # the words of the figure, e.g. "at least 14"
    number_start: int = 0                     # offsets of the figure in the cleaned text
    number_end: int = 0
    confidence: float = 0.8
    flags: tuple[str, ...] = ()               # e.g. ("date-from-publication", "source-inherited")
    extractor: str = "casualties.rules.v1"


@dataclass(frozen=True, slots=True)
class Denial:
    """A statement in a report that denies deaths of a side, or the event."""

    article: str
    denier: str | None
    side: str | None              # whose deaths are denied (None: the event itself)
    quote: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Rejected:
    """A file or record that could not be used, and why; kept in the rejects table."""

    origin: str                   # "path" or "path:line"
    stage: str                    # read | clean | extract ...
    code: str                     # e.g. "T201"
    reason: str


@dataclass(frozen=True, slots=True)
class Figure:
    """A combined figure of an incident: the range over all its claims and a best estimate."""

    low: int | None
    high: int | None
    best: int | None


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    claims: tuple[str, ...]
    date_from: dt.date | None
    date_to: dt.date | None
    country: str | None
    admin1: str | None
    places: tuple[Place, ...]
    lat: float | None
    lon: float | None
    geo_precision: int | None
    event_type: str
    perpetrator: str | None
    killed: Mapping[str, Figure]
    injured: Mapping[str, Figure]
    victim_sides: Mapping[str, Mapping[str, Figure]]
    sources: tuple[str, ...]
    contested: bool
    contested_by: tuple[str, ...]
    articles: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]
    merge_reasons: tuple[str, ...]
    confidence: float
    grade: str | None = None                  # an analyst's grade (tally.review.GRADES), else None
    corrections: tuple[str, ...] = ()         # ids of the analyst corrections applied to this incident


@dataclass(frozen=True, slots=True)
class Tally:
    """A running total ("414 militants since 10 September"), kept apart from incidents."""

    id: str
    scope: str
    country: str | None
    period_from: dt.date | None
    as_of: dt.date | None
    killed: Mapping[str, Figure]
    injured: Mapping[str, Figure]
    sources: tuple[str, ...]
    articles: tuple[str, ...]
    claims: tuple[str, ...]
    evidence: tuple[tuple[str, str], ...]
