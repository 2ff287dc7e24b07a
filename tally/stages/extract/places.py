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
import re
from collections import Counter
from dataclasses import dataclass

from tally.models import Place
from tally.stages.extract.gazetteer import ADMIN1, STOPLIST, TOWN, Entry, Gazetteer

__all__ = ["Gazetteer", "article_places_context", "find_places", "strip_dateline"]

KNOWN_TOWN = 15_000    # an uncued town outside the report's country needs this many people...
BIG_TOWN = 100_000     # ...or this many when the report's country is known and it is elsewhere

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
Toward Towards Through Throughout Amid Mr Mrs Ms Dr Gen Lt Col Sgt Maj Capt Sen Rep St
""".split())
# A capitalised span ending in one of these names an organisation, not a place.
ORG_WORDS = frozenset("""
Forces Force Observatory Army Group Groups Party Front Council TV Ministry Agency Brigade Brigades Command Committee
Network Organization Organisation Movement Union Coalition Police Guard Guards Corps Division News Times Post Press
Radio Television Office Authority Authorities Court Company Bank Institute Centre Center Foundation Commission
Government Administration Service Services Unit Units Militia Militias Battalion Regiment Airlines Association
Federation Alliance Rights Watch Cross Crescent Nations Department Embassy Mission Assembly Parliament Congress
Cabinet Journal Gazette Herald Daily Channel Monitor Hospital University School Mosque Church Network Fund Program
Programme Operation Operations Initiative Convention Agreement Treaty
""".split())
_ADJECTIVAL = re.compile(r"-(?:led|backed|based|held|controlled|run|born|made|linked|allied|aligned|style|era|"
                         r"bound|wide|funded|supported|affiliated|occupied|dominated|owned)$")
_CUE = re.compile(
    r"(?:\b(?P<near>near|around|outside|between|close\s+to|outskirts\s+of|(?:north|south|east|west)(?:-?(?:east|west))?"
    r"(?:ern)?\s+of)|\b(?P<town>towns?|villages?|city|cities|hamlets?|settlements?)\s+of"
    r"|\b(?P<admin1>provinces?|governorates?|states?|regions?|oblasts?)\s+of"
    r"|\b(?P<district>districts?|areas?|neighbou?rhoods?|suburbs?|county|counties|municipality|countryside)\s+of"
    r"|\b(?P<in>in|inside|across|throughout))\s+(?:the\s+)?(?:(?:[a-z]+-)?(?:north|south|east|west|central|rural|"
    r"nearby|neighbou?ring|adjacent|restive|besieged|embattled|war-torn|border|held)[a-z]*\s+)*$", re.I)
_DESIGNATOR = re.compile(
    r"(?P<admin1>provinces?|governorates?|oblasts?|regions?|states?)\b|(?P<district>districts?|sub-?districts?|"
    r"county|counties|municipality|area)\b|(?P<near>countryside|outskirts)\b|(?P<town>city|town|village)\b", re.I)
_LIST_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s(?:and|or|&)\s+)(?:the\s+)?$")
_ORG_TAIL = re.compile(r"\s+(?:for|of|of\s+the|for\s+the)\s+$")
_FEATURE = re.compile(r"\s+(?:rivers?|mountains?|sea|lake|desert|valley|canal|gulf|strait)\b", re.I)
_SPEAKER = re.compile(r"\s+(?:said|says|told|added|stated|reported|claimed|announced|wrote|tweeted|confirmed|"
                      r"denied|warned|urged|called)\b")
_DATELINE = re.compile(
    r"[ \t]*(?P<city>[A-Z][A-Z'’.\-]+(?:[ ][A-Z][A-Z'’.\-]+){0,3})(?:,[ ]*[A-Z][\w.]*(?:[ ][\w.]+){0,3}){0,3}"
    r"[ \t]*(?:(?P<agency>\([^()\n]{1,40}\))[ \t]*)?(?P<dash>[—–-]+)?[ \t]*")
_NOT_DATELINES = frozenset("UPDATE UPDATED BREAKING WATCH WARNING EXCLUSIVE ANALYSIS OPINION PHOTOS VIDEO LIVE "
                           "CORRECTION EDITORIAL NOTE COMMENT".split())
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“'‘A-Z])|\n+")


@dataclass(frozen=True, slots=True)
class _Span:
    """A candidate: a capitalised span with what the words around it say about it."""

    start: int
    end: int
    text: str
    cue: str | None          # near | town | admin1 | district | in | list (a list member) | None
    designator: str | None   # admin1 | district | near | town, from the word after the span


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
    found: list[tuple[int, int, Place]] = []
    prev_end, prev_cue, org_end = -1, None, -1
    for start, end in _groups(sentence, dateline.end() if dateline else 0):
        if org_end >= 0 and _ORG_TAIL.fullmatch(sentence[org_end:start]):
            org_end = end       # "Observatory for Human Rights": the tail of an organisation's name
            continue
        if _is_organisation(sentence[start:end]):
            org_end = end
            continue
        listed = prev_end >= 0 and _LIST_SEP.fullmatch(sentence[prev_end:start]) is not None
        span = _span(sentence, start, end, (prev_cue or "list") if listed else None)
        place = _resolve(span, sentence, gaz, country_code, admin1)
        if place is not None:
            found.append((span.start, span.end, place))
            prev_end, prev_cue = span.end, span.cue
    return found


def _groups(sentence: str, offset: int) -> list[tuple[int, int]]:
    """Runs of capitalised tokens joined by single spaces (or by a lowercase Arabic particle: "Ras al Ain")."""
    groups: list[list[int]] = []
    for m in _TOKEN.finditer(sentence, offset):
        start, end = m.start(), _trim_possessive(m.group(), m.end())
        if m.group() in _FUNCTION_WORDS:
            groups.append([])       # ends the run
            continue
        if groups and groups[-1] and _JOIN.fullmatch(sentence[groups[-1][1]:start]):
            groups[-1][1] = end
        else:
            groups.append([start, end])
        if end != m.end():
            groups.append([])       # "Syria's" ends the run too
    return [(g[0], g[1]) for g in groups if g]


def _trim_possessive(token: str, end: int) -> int:
    return end - 2 if token[-2:] in ("'s", "’s") else end


def _is_organisation(text: str) -> bool:
    words = text.split()
    return text in STOPLIST and len(words) > 1 or words[-1] in ORG_WORDS or bool(_ADJECTIVAL.search(words[-1]))


def _span(sentence: str, start: int, end: int, inherited: str | None) -> _Span:
    """The span with its cue (from the words before it) and designator (a place word after it, or its last word:
    "Deir Ezzor Province")."""
    text = sentence[start:end]
    designator = None
    last = text.rsplit(" ", 1)
    if len(last) == 2 and (m := _DESIGNATOR.fullmatch(last[1])):
        designator, end, text = m.lastgroup, start + len(last[0]), last[0]
    elif sentence[end:end + 1] == " " and (m := _DESIGNATOR.match(sentence, end + 1)):
        designator = m.lastgroup
    cue = _CUE.search(sentence[max(0, start - 80):start])
    return _Span(start, end, text, cue.lastgroup if cue else inherited, designator)


def _resolve(span: _Span, sentence: str, gaz: Gazetteer, cc: str | None, admin1: str | None) -> Place | None:
    """The best acceptable gazetteer place for the span, an unresolved place when a cue vouches for it, or None."""
    cued = span.cue is not None or span.designator is not None
    single = " " not in span.text and "-" not in span.text.strip("-")
    if span.text in STOPLIST or (single and not cued and gaz.is_common_word(span.text)):
        return None
    if _FEATURE.match(sentence, span.end) or (not cued and _SPEAKER.match(sentence, span.end)):
        return None             # "the Euphrates river"; "Sousa said": a person
    ranked = gaz.ranked(span.text, cc, admin1)
    kinds = _wanted_kinds(span)
    for wanted in ([kinds, None] if kinds else [None]):     # the kind the cue names, else any kind
        for entry, strong in ranked:
            if (wanted is None or entry.kind in wanted) and _acceptable(entry, strong, cued, cc):
                return _with_precision(gaz.to_place(entry, strong, span.text, cc, admin1), span)
    if cued and not _all_common(span.text, gaz):
        return _unresolved(span, gaz, cc, admin1)
    return None


def _wanted_kinds(span: _Span) -> set[str] | None:
    if "admin1" in (span.cue, span.designator):
        return {ADMIN1}
    if "town" in (span.cue, span.designator) or "district" in (span.cue, span.designator):
        return {TOWN}
    return None


def _acceptable(e: Entry, strong: bool, cued: bool, cc: str | None) -> bool:
    """Whether a gazetteer match is trusted; GeoNames alternate names and far-away small towns need more proof."""
    if e.kind != TOWN:
        return strong
    if cc is not None and e.cc == cc:
        return strong or cued or e.population >= KNOWN_TOWN
    if cc is not None:
        return e.population >= BIG_TOWN     # a report about Syria names a Saudi town only if it is a big one
    if strong:
        return cued or e.population >= KNOWN_TOWN
    return e.population >= BIG_TOWN or (cued and e.population >= KNOWN_TOWN)


def _with_precision(place: Place, span: _Span) -> Place:
    """Towns are precision 1, or 2 when the report says "near X", "outside X" or "X district"."""
    if place.kind == TOWN and ({span.cue, span.designator} & {"near", "district"}):
        why = f"{place.reason}, {span.cue or span.designator} the town"
        return dataclasses.replace(place, precision=2, reason=why)
    return place


def _all_common(text: str, gaz: Gazetteer) -> bool:
    words = [w for w in re.split(r"[\s-]+", text) if w]
    return all(w in STOPLIST or w in _FUNCTION_WORDS or gaz.is_common_word(w) for w in words)


def _unresolved(span: _Span, gaz: Gazetteer, cc: str | None, admin1: str | None) -> Place:
    """A place the gazetteer lacks; it lies in the report's country and admin1, as precise as the cue says."""
    wide = "admin1" in (span.cue, span.designator)
    why = f"not in gazetteer; place word '{span.designator}' after it" if span.designator and not span.cue else \
        f"not in gazetteer; after a place cue ({span.cue})"
    if cc:
        why += "; country" + (" and admin1" if admin1 and not wide else "") + " from context"
    return Place(name=span.text, mention=span.text, country=gaz.country_name(cc), country_code=cc,
                 admin1=None if wide else admin1, precision=3 if wide else 2, kind="unresolved", reason=why)


def article_places_context(text: str, gaz: Gazetteer) -> tuple[str | None, str | None]:
    """The report's dominant country code and admin1: the most frequent among its resolved places (the dateline
    is skipped). Pass them to ``find_places`` so that "Sousa" in a report about Deir ez-Zor is the Syrian village."""
    countries: Counter[str] = Counter()
    admin1s: Counter[tuple[str, str]] = Counter()
    for sentence in _sentences(text):
        for _, _, place in find_places(sentence, gaz):
            if place.kind == "unresolved" or place.country_code is None:
                continue
            countries[place.country_code] += 1
            if place.admin1:
                admin1s[(place.country_code, place.admin1)] += 1
    if not countries:
        return None, None
    cc = countries.most_common(1)[0][0]
    in_country = [(n, a1) for (c, a1), n in admin1s.most_common() if c == cc]
    return cc, in_country[0][1] if in_country else None


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text) if s.strip()]
