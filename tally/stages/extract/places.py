"""Places named in a report's sentences, resolved against the offline gazetteer.

Candidates are capitalised spans found by our own scanner ("Hajin", "Deir ez-Zor", "Al-Shaafa", "Ras al-Ain"), not
by spaCy NER, which labels many such villages as persons. A span is a place when the gazetteer resolves it, or when
a place cue comes before it ("the village of", "near", "in") or a place word after it ("province", "district"); an
unresolved span after a cue is kept with the report's country and admin1 (``kind="unresolved"``). Members of a list
("the villages of Hajin, Sousa and Al-Shaafa") share the cue of the first one.

    ctx = article_places_context(text, gaz)            # ("SY", "Deir ez-Zor")
    find_places(sentence, gaz, *ctx)                    # [(start, end, Place), ...]
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass

from tally.models import Place
from tally.stages.extract.gazetteer import ADMIN1, STOPLIST, TOWN, Entry, Gazetteer

__all__ = ["Gazetteer", "article_places_context", "find_places", "strip_dateline"]

# With no report country, a town needs SMALL_TOWN people after a cue ("in X"), else KNOWN_TOWN (BIG_TOWN for one word);
# a town outside the report's country needs BIG_TOWN people after a cue and HUGE_TOWN without one ("George" is a town).
SMALL_TOWN, KNOWN_TOWN, BIG_TOWN, HUGE_TOWN = 1_000, 15_000, 100_000, 500_000

_UPPER = "A-ZÀ-ÖØ-Þ"
_PARTICLE = r"(?:[Aa]l|[Ee]l|[Aa]n|[Aa]r|[Aa]s|[Aa]sh|[Aa]t|[Aa]z|[Aa]d|[Ee]z|[Ee]d|[Ee]s|[Ee]sh|[Uu]l)"
_TOKEN = re.compile(rf"(?<![\w'’‘-])(?:(?:[A-Z]\.){{2,}}|{_PARTICLE}-[{_UPPER}][^\W\d_]*(?:['’‘ʿ][^\W\d_]+)*"
                    rf"(?:-[^\W\d_]+)*|[{_UPPER}][^\W\d_]*(?:['’‘ʿ][^\W\d_]+)*(?:-[^\W\d_]+)*)")
_JOIN = re.compile(r"[ ]+(?:(?:al|el|ad|as|ash|ar|at|az|an|ez|es|ed|bin|ibn|bani|de|del|la|le|du)[ ]+)?$")
# Capitalised words that open a sentence or a clause and are never part of a place name.
_FUNCTION_WORDS = frozenset("""
The A An In On At By For From To Of With Without After Before During Since Until As But And Or If When While Where
Why How What Which Who This That These Those There Here It Its He She They We I You His Her Their Our My Your Some
Any All Both Each Every No Not Also Yet Still Meanwhile However Earlier Later Last Next Another Other Such According
Although Though Despite Near Around Outside Inside Between Among Across Along Over Under Into Upon About Against
Toward Towards Through Throughout Amid Mr Mrs Ms Dr Gen Lt Col Sgt Maj Capt Sen Rep
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August September
October November December
""".split())
# A capitalised span ending in one of these names an organisation, not a place...
ORG_WORDS = frozenset("""
Forces Force Observatory Army Group Groups Party Front Council TV Ministry Agency Brigade Brigades Command Committee
Network Organization Organisation Movement Union Coalition Police Guard Guards Corps Division News Times Post Press
Radio Television Office Authority Authorities Court Company Bank Institute Centre Center Foundation Commission
Government Administration Service Services Unit Units Militia Militias Battalion Regiment Airlines Association
Federation Alliance Rights Watch Cross Crescent Nations Department Embassy Mission Assembly Parliament Congress
Cabinet Journal Gazette Herald Daily Channel Monitor Hospital University School Mosque Church Network Fund Program
Programme Operation Operations Initiative Convention Agreement Treaty Sheriff Lab Laboratory
""".split())
# Nor is one ending in a natural feature or a building, street or facility inside a town.
NOT_PLACE_WORDS = ORG_WORDS | frozenset("""
River Valley Mountains Mountain Sea Lake Desert Canal Gulf Strait Dam Forest Street St Avenue Ave Road Rd Boulevard
Blvd Freeway Highway Drive Lane Interchange Apartments Apartment Complex Restaurant Hotel Mall Stadium Station Bridge
Square Terrace Market Bakery Cafe Bar Club Store Shop Prison Jail
""".split())
_ABBREVIATED = re.compile(r"\b(?:St|Ste|Mt|Ft)$")    # "St. Louis", "Mt. Vernon"
_COMPASS = re.compile(r"(?:North|South|East|West|Central|Upper|Lower)(?:-?(?:east|west|East|West))?(?:ern)?")
_ADJECTIVAL = re.compile(r"-(?:led|backed|based|held|controlled|run|born|made|linked|allied|aligned|style|era|"
                         r"bound|wide|funded|supported|affiliated|occupied|dominated|owned)$")
_CUE = re.compile(
    r"(?:\b(?P<near>near|around|outside|between|close\s+to|outskirts\s+of|(?:north|south|east|west)(?:-?(?:east|west))?"
    r"(?:ern)?\s+of)|\b(?P<town>towns?|villages?|city|cities|hamlets?|settlements?)\s+of"
    r"|\b(?P<admin1>provinces?|governorates?|states?|regions?|oblasts?)\s+of"
    r"|\b(?P<district>districts?|areas?|neighbou?rhoods?|suburbs?|county|counties|municipality|countryside)\s+of"
    r"|\b(?P<in>in|inside|across|throughout))\s+(?:the\s+)?(?:(?:[a-z]+-)?(?:north|south|east|west|central|rural|"
    r"nearby|neighbou?ring|adjacent|restive|besieged|embattled|war-torn|border|held)[a-z]*\s+)*$", re.IGNORECASE)
_DESIGNATOR = re.compile(
    r"(?P<admin1>provinces?|governorates?|oblasts?|regions?|states?)\b|(?P<district>districts?|sub-?districts?|"
    r"county|counties|parish|municipality|area)\b|(?P<near>countryside|outskirts)\b|(?P<town>city|town|village)\b",
    re.IGNORECASE)
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&)\s+)(?:the\s+)?$")
_ORG_TAIL = re.compile(r"\s+(?:for|of|of\s+the|for\s+the)\s+$")
_FEATURE = re.compile(r"\s+(?:rivers?|mountains?|sea|lake|desert|valley|canal|gulf|strait)\b", re.IGNORECASE)
_ADDRESSEE = re.compile(r"\b(?:told|tells|telling|interviewed\s+by|quoted\s+by|speaking\s+to)\s+$", re.IGNORECASE)
_SPEAKER = re.compile(r"\s+(?:said|says|told|added|stated|reported|claimed|announced|wrote|tweeted|confirmed|"
                      r"denied|warned|urged|called)\b")
_DATELINE = re.compile(
    r"[ \t]*(?P<city>[A-Z][A-Z'’.\-]+(?:[ ][A-Z][A-Z'’.\-]+){0,3})(?:,[ ]*[A-Z][\w.]*(?:[ ][\w.]+){0,3}){0,3}"
    r"[ \t]*(?:(?P<agency>\([^()\n]{1,40}\))[ \t]*)?(?P<dash>[—–-]+)?[ \t]*")
_NOT_DATELINES = frozenset("UPDATE UPDATED BREAKING WATCH WARNING EXCLUSIVE ANALYSIS OPINION PHOTOS VIDEO LIVE "
                           "CORRECTION EDITORIAL NOTE COMMENT".split())
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“'‘A-Z])|\n+")

_LONG_WORD = re.compile(r"[^\W\d_]{4,}")

@dataclass(frozen=True, slots=True)
class _Span:
    """A candidate: a capitalised span with what the words around it say about it."""

    start: int
    end: int
    text: str
    cue: str | None          # near | town | admin1 | district | in; a list member inherits the first one's
    designator: str | None   # admin1 | district | near | town, from the word after the span
    word: str = ""           # that word ("province", "area"...)


def strip_dateline(text: str) -> tuple[str | None, int]:
    """The dateline city of a report ("BEIRUT (Reuters) — ..." -> "BEIRUT") and the offset just after the dateline;
    (None, 0) when no line starts with one. The city is returned as written; it is where the report was filed."""
    pos = 0
    for line in text.splitlines(keepends=True):
        m = _dateline_at(text, pos)
        if m is not None:
            return m.group("city"), m.end()
        pos += len(line)
    return None, 0


def _dateline_at(text: str, pos: int) -> re.Match[str] | None:
    m = _DATELINE.match(text, pos)
    if m is None or not (m.group("agency") or m.group("dash")):
        return None
    city = m.group("city")
    if len(city.replace(" ", "")) < 3 or any(w in _NOT_DATELINES for w in city.split()):
        return None
    return m


def find_places(sentence: str, gaz: Gazetteer, country_code: str | None = None,
                admin1: str | None = None) -> list[tuple[int, int, Place]]:
    """Places mentioned in one sentence, as (start, end, Place) with offsets into the sentence.

    ``country_code`` and ``admin1`` are the report's context (see ``article_places_context``): a name that several
    countries share resolves inside them, and an unresolved village after a cue is placed in them.
    """
    dateline = _dateline_at(sentence, 0)
    groups = _groups(sentence, dateline.end() if dateline else 0)
    if _is_title_case(sentence):
        groups = [part for start, end in groups for part in _headline_parts(sentence, start, end, gaz)]
    found: list[tuple[int, int, Place]] = []
    prev_end, prev_cue, org_end = -1, None, -1
    for start, end in groups:
        if org_end >= 0 and _ORG_TAIL.fullmatch(sentence[org_end:start]):
            org_end = end       # "Observatory for Human Rights": the tail of an organisation's name
            continue
        if _is_organisation(sentence[start:end], NOT_PLACE_WORDS):
            org_end = end
            continue
        listed = prev_end >= 0 and _LIST_SEP.fullmatch(sentence[prev_end:start]) is not None
        hit = _place_for_group(sentence, start, end, prev_cue if listed else None, gaz, country_code, admin1)
        if hit is not None:
            span, place = hit
            found.append((span.start, span.end, place))
            prev_end, prev_cue = span.end, span.cue
    return _qualify(found, sentence, gaz)


def _qualify(found: list[tuple[int, int, Place]], sentence: str, gaz: Gazetteer) -> list[tuple[int, int, Place]]:
    """"Birmingham, Alabama", "Aden, Yemen": the region right after a town settles which town it is."""
    out = list(found)
    for i, ((_, end, town), (start, _, region)) in enumerate(itertools.pairwise(found)):
        if town.kind != TOWN or region.kind not in (ADMIN1, "country") or sentence[end:start] != ", ":
            continue
        if town.country_code == region.country_code and (region.kind == "country" or town.admin1 == region.admin1):
            continue
        a1 = region.admin1 if region.kind == ADMIN1 else None
        fits = [p for p in gaz.lookup(town.mention, region.country_code, a1, alternates=False)
                if p.kind == TOWN and p.country_code == region.country_code and (a1 is None or p.admin1 == a1)]
        if fits:
            why = f"{fits[0].reason}, qualified by '{region.mention}'"
            out[i] = (found[i][0], end, dataclasses.replace(fits[0], precision=town.precision, reason=why))
    return out


def _place_for_group(sentence: str, start: int, end: int, inherited: str | None, gaz: Gazetteer, cc: str | None,
                     admin1: str | None) -> tuple[_Span, Place] | None:
    """The place a capitalised run names; "East Syria", which the gazetteer lacks, is tried again as "Syria"."""
    span = _span(sentence, start, end, inherited)
    if span.end < end:      # the run ends in a place word: "Jersey City" may be a name, "Idlib Province" is not
        whole = dataclasses.replace(span, end=end, text=sentence[start:end], designator=None, word="")
        if (place := _resolve(whole, sentence, gaz, cc, admin1)) is not None and place.kind != "unresolved":
            return whole, place
    place = _resolve(span, sentence, gaz, cc, admin1)
    first, _, rest = span.text.partition(" ")
    if (place is None or place.kind == "unresolved") and rest and _COMPASS.fullmatch(first):
        shorter = _span(sentence, start + len(first) + 1, end, inherited or span.cue)
        place = _resolve(shorter, sentence, gaz, cc, admin1) or place
        span = shorter if place is not None and place.mention == shorter.text else span
    return (span, place) if place is not None else None


def _groups(sentence: str, offset: int) -> list[tuple[int, int]]:
    """Runs of capitalised tokens joined by single spaces (or by a lowercase Arabic particle: "Ras al Ain")."""
    groups: list[list[int]] = []
    for m in _TOKEN.finditer(sentence, offset):
        start, end = m.start(), _trim_possessive(m.group(), m.end())
        if m.group() in _FUNCTION_WORDS:
            groups.append([])       # ends the run
            continue
        gap = sentence[groups[-1][1]:start] if groups and groups[-1] else None
        if gap is not None and (_JOIN.fullmatch(gap) or gap == ". " and _ABBREVIATED.search(sentence, 0, start - 2)):
            groups[-1][1] = end
        else:
            groups.append([start, end])
        if end != m.end():
            groups.append([])       # "Syria's" ends the run too
    return [(g[0], g[1]) for g in groups if g]


def _is_title_case(sentence: str) -> bool:
    """A headline in Title Case, where capitals do not mark names."""
    words = _LONG_WORD.findall(sentence)
    return 3 <= len(words) <= 16 and sum(w[0].isupper() for w in words) >= 0.9 * len(words)


def _headline_parts(sentence: str, start: int, end: int, gaz: Gazetteer) -> list[tuple[int, int]]:
    """A Title Case run cut into the longest pieces (of up to 3 words) that the gazetteer knows by a main name;
    "Strikes Hit Hajin Market" -> "Hajin". A run that names an organisation is kept whole, to be skipped."""
    if _is_organisation(sentence[start:end]):
        return [(start, end)]
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", sentence[start:end])]
    parts, i = [], 0
    while i < len(words):
        for n in range(min(3, len(words) - i), 0, -1):
            piece = sentence[words[i][0]:words[i + n - 1][1]]
            if gaz.candidates(piece, alternates=False) and (n > 1 or not _is_common_word(gaz, piece)):
                parts.append((words[i][0], words[i + n - 1][1]))
                break
        else:
            n = 1
        i += n
    return parts


def _trim_possessive(token: str, end: int) -> int:
    return end - 2 if token[-2:] in ("'s", "’s") else end


def _is_organisation(text: str, tails: frozenset[str] = ORG_WORDS) -> bool:
    words = text.split()
    return text in STOPLIST and len(words) > 1 or words[-1] in tails or bool(_ADJECTIVAL.search(words[-1]))


def _span(sentence: str, start: int, end: int, inherited: str | None) -> _Span:
    """The span with its cue (from the words before it) and designator (a place word after it, or its last word:
    "Deir Ezzor Province")."""
    text = sentence[start:end]
    last = text.rsplit(" ", 1)
    m = _DESIGNATOR.fullmatch(last[1]) if len(last) == 2 else None
    if m is not None:
        end, text = start + len(last[0]), last[0]
    elif sentence[end:end + 1] == " ":
        m = _DESIGNATOR.match(sentence, end + 1)
    cue = _CUE.search(sentence[max(0, start - 80):start])
    return _Span(start, end, text, cue.lastgroup if cue else inherited, m.lastgroup if m else None,
                 m.group().lower() if m else "")


def _resolve(span: _Span, sentence: str, gaz: Gazetteer, cc: str | None, admin1: str | None) -> Place | None:
    """The best acceptable gazetteer place for the span, an unresolved place when a cue vouches for it, or None."""
    cued = span.cue is not None or span.designator is not None
    single = " " not in span.text and "-" not in span.text.strip("-")
    if span.text in STOPLIST or (single and not cued and _is_common_word(gaz, span.text)):
        return None
    if _FEATURE.match(sentence, span.end) or (not cued and _is_speaker(sentence, span)):
        return None             # "the Euphrates river"
    ranked = _ranked(gaz, span.text, cc, admin1)
    kinds, local = _wanted_kinds(span), "district" in (span.cue, span.designator)
    for wanted in ([kinds, None] if kinds else [None]):     # the kind the cue names, else any kind
        for entry, strong in ranked:
            if (wanted is None or entry.kind in wanted) and _acceptable(entry, strong, cued, cc, local, not single):
                return _with_precision(gaz.to_place(entry, strong, span.text, cc, admin1), span)
    if cued and not _all_common(span.text, gaz) and not span.text.isupper():     # "AMN": an acronym
        return _unresolved(span, gaz, cc, admin1)
    return None


@functools.lru_cache(maxsize=1 << 16)   # reports name the same places again and again: rank each once
def _ranked(gaz: Gazetteer, mention: str, cc: str | None = None, admin1: str | None = None,
            alternates: bool = True) -> tuple[tuple[Entry, bool], ...]:
    return tuple(gaz.ranked(mention, cc, admin1, alternates=alternates))


@functools.lru_cache(maxsize=1 << 16)
def _is_common_word(gaz: Gazetteer, word: str) -> bool:
    return gaz.is_common_word(word)


def _is_speaker(sentence: str, span: _Span) -> bool:
    """ "Sousa said", "told Al Jazeera": a person or an outlet, not a place."""
    return bool(_SPEAKER.match(sentence, span.end) or _ADDRESSEE.search(sentence[max(0, span.start - 30):span.start]))


def _wanted_kinds(span: _Span) -> set[str] | None:
    if "admin1" in (span.cue, span.designator):
        return {ADMIN1}
    if "town" in (span.cue, span.designator) or "district" in (span.cue, span.designator):
        return {TOWN}
    return None


def _acceptable(e: Entry, strong: bool, cued: bool, cc: str | None, local: bool, multiword: bool) -> bool:
    """Whether a gazetteer match is trusted; GeoNames alternate names and far-away small towns need more proof.
    ``local``: the report says "X district" or "X county", which lies in the report's own country."""
    if e.kind != TOWN:
        return strong
    if cc is not None and e.cc == cc:
        return strong or cued or e.population >= KNOWN_TOWN
    if cc is not None:      # a report about Syria names a Saudi town only if it is a big one, by its main name
        return strong and not local and e.population >= (BIG_TOWN if cued else HUGE_TOWN)
    if not strong:          # no context: main names only; a lone capitalised word may well be a surname
        return False
    return e.population >= (SMALL_TOWN if cued else KNOWN_TOWN if multiword else BIG_TOWN)


def _with_precision(place: Place, span: _Span) -> Place:
    """Towns are precision 1, or 2 when the report says "near X", "outside X" or "X district"."""
    if place.kind == TOWN and ({span.cue, span.designator} & {"near", "district"}):
        near = "near" in (span.cue, span.designator)
        why = f"{place.reason}, " + ("near the town" if near else f"{span.word or 'a district'} of the town")
        return dataclasses.replace(place, precision=2, reason=why)
    return place


def _all_common(text: str, gaz: Gazetteer) -> bool:
    words = [w for w in re.split(r"[\s-]+", text) if w]
    return all(w in STOPLIST or w in _FUNCTION_WORDS or _is_common_word(gaz, w) for w in words)


def _unresolved(span: _Span, gaz: Gazetteer, cc: str | None, admin1: str | None) -> Place:
    """A place the gazetteer lacks; it lies in the report's country and admin1, as precise as the cue says."""
    wide = "admin1" in (span.cue, span.designator)
    why = f"not in gazetteer; place word '{span.word}' after it" if span.designator and not span.cue else \
        f"not in gazetteer; after a place cue ({span.cue})"
    if cc:
        why += "; country" + (" and admin1" if admin1 and not wide else "") + " from context"
    return Place(name=span.text, mention=span.text, country=gaz.country_name(cc), country_code=cc,
                 admin1=None if wide else admin1, precision=3 if wide else 2, kind="unresolved", reason=why)


def article_places_context(text: str, gaz: Gazetteer) -> tuple[str | None, str | None]:
    """The report's dominant country code and admin1, to pass to ``find_places`` so that "Sousa" in a report about
    Deir ez-Zor is the Syrian village.

    Each resolved place votes for its country and admin1; a town name that big towns in several countries share
    ("Birmingham") splits its vote among them. The dateline is not an incident place: it only breaks ties.
    """
    countries: defaultdict[str, float] = defaultdict(float)
    admin1s: defaultdict[tuple[str, str], float] = defaultdict(float)
    for sentence in _sentences(text):
        for cc, admin1, weight in _votes(sentence, gaz):
            countries[cc] += weight
            if admin1:
                admin1s[(cc, admin1)] += weight
    for place in _dateline_places(text, gaz):
        countries[place.country_code or ""] += 0.25
        if place.admin1:
            admin1s[(place.country_code or "", place.admin1)] += 0.25
    if not countries:
        return None, None
    cc = max(countries, key=countries.__getitem__)      # the first one seen wins a tie
    in_country = {a1: n for (c, a1), n in admin1s.items() if c == cc}
    return cc, max(in_country, key=in_country.__getitem__) if in_country else None


@functools.lru_cache(maxsize=16384)
def _votes(sentence: str, gaz: Gazetteer) -> tuple[tuple[str, str | None, float], ...]:
    """The (country code, admin1, weight) each resolved place of one sentence votes with, out of context (cached:
    boilerplate and copies repeat sentences)."""
    return tuple((place.country_code, place.admin1, 1.0 / _namesake_countries(place, gaz))
                 for _, _, place in find_places(sentence, gaz) if place.kind != "unresolved" and place.country_code)


def _namesake_countries(place: Place, gaz: Gazetteer) -> int:
    """How many countries have a place of this name big enough to be meant (1 for a country or province)."""
    if place.kind != TOWN:
        return 1
    big = {e.cc for e, _ in _ranked(gaz, place.mention, alternates=False)
           if e.kind != TOWN or e.population >= KNOWN_TOWN or e.cc == place.country_code}
    return max(1, len(big))


def _dateline_places(text: str, gaz: Gazetteer) -> list[Place]:
    """The dateline's city and the region after it ("BIRMINGHAM, Alabama —"), best guesses without context."""
    city, offset = strip_dateline(text)
    if city is None:
        return []
    start = text.rfind(city, 0, offset)
    names = [city.title()] + re.findall(r",\s*([A-Z][\w.]+(?: [A-Z][\w.]+)*)", text[start + len(city):offset])
    return [hits[0] for name in names if (hits := gaz.lookup(name, alternates=False))]


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]
