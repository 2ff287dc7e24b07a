"""Casualty mentions in one sentence: a figure, the people it counts, and whether they were killed or injured.

Decide-then-build, as spaCy's SpanRuler does: this module only finds spans ("14 civilians ... were killed");
``claims.py`` turns them into Claim records. Hand-written patterns: the figure must count people (a noun from
``victims.tsv``), and a casualty word must govern it directly ("killed 12 fighters", "12 fighters were
killed", "and 20 wounded"); a blocking verb in between ("remain", "fled") means the figure is not a casualty.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from tally.models import INJURED, KILLED, CountRange
from tally.stages.extract.lexicon import ActorTable, VictimNouns
from tally.stages.extract.numbers import find_quantities, word_to_int
from tally.stages.extract.persons import Person, find_persons

_KILLED_WORDS = (r"killed|killing|kills|kill|dead|died|die|dies|deaths?|slain|massacred|executed|perished|"
                 r"lost their lives|shot dead|shot and killed|shot to death|gunned down|struck down|fatalities|"
                 r"fatally (?:shot|wounded|injured)|fatally|mortally wounded")
_INJURED_WORDS = r"wounded|wounding|injured|injuring|injuries|hurt|maimed|hospitali[sz]ed|shot"  # "shot": hit, not killed
_KIND_WORD = re.compile(rf"\b(?:(?P<k>{_KILLED_WORDS})|(?P<i>{_INJURED_WORDS}))\b", re.IGNORECASE)
_LEFT_VERB = re.compile(
    rf"\b(?:(?P<k>killed|killing|kills|kill|claimed the lives of|(?:death\s+)?toll\s+(?:\w+\s+){{0,3}}?(?:to|at|of|reached|hit))|"
    rf"(?P<i>wounded|wounding|injured|injuring))\s+(?:a total of\s+|an estimated\s+)?$",
    re.IGNORECASE,
)
_BLOCKERS = re.compile(
    r"\b(?:said|says|told|according|remain\w*|fled|flee\w*|displaced|evacuated|arrested|detained|captured|"
    r"abducted|kidnapped|held|freed|released|rescued|returned|joined|surrendered|deployed|stationed|trained|"
    r"recruited|arrived|live|lived|living|voted|escaped|missing|hostages?|after|when|while|but|because|if|"
    r"say|invaded|entered|opened|fired|attacked|stormed|robbed|broke|charged|accused|they|he|she)\b|[;:]",
    re.IGNORECASE,
)
_PART_BEFORE = re.compile(r"(?:including|among them|among whom|of whom|incl\.)\s*$", re.IGNORECASE)
_OF_THEM = re.compile(r"\s+of\s+(?:them|whom)\s+(?:were\s+|being\s+)?", re.IGNORECASE)
_NP_TAIL = re.compile(r"(?:\s*\([^)]{1,30}\)|\s+of\s+(?:the\s+|his\s+|their\s+|its\s+)?[A-Z][\w'’-]*"
                      r"(?:\s+(?:[A-Z][\w'’-]*|army|forces|militia|police|group|alliance|rebels|troops|movement)){0,5}"
                      r"(?:\s*\([^)]{1,20}\))?)")
_STOP_TOKEN = re.compile(
    r"^(?:in|on|at|were|was|have|has|had|are|is|be|been|and|or|of|to|from|by|with|for|since|who|that|which|"
    r"killed|wounded|injured|dead|died|this|last|the)$",
    re.IGNORECASE,
)
_NOBODY = re.compile(r"\b(?:no one|nobody|no-one|none|no people|no civilians)\s+(?:else\s+)?(?:was|were|had been|has been)\s+"
                     r"(?:reported\s+)?(?P<verb>killed|hurt|injured|wounded|harmed)\b|\bno (?P<cas>casualties|injuries|deaths)\b",
                     re.IGNORECASE)


# Patterns used for every figure, compiled once.
_WORDS = re.compile(r"\S+")
_ENDS_CLAUSE = re.compile(r"[,.;:!?\"“”]$")
_NOT_A_WORD = re.compile(r"[^\w'’-]")
_N_OF = re.compile(r"\b\d+\s+of\s+$")                    # "Image 1 of 2"
_A_YEAR = re.compile(r"(?:19|20)\d\d")
_NO_BEFORE = re.compile(r"\bno\s+$", re.I)
_AUX_AFTER = re.compile(r"\s+(?:were|was|are|have been|had been)\s+")
_RELATIVE_END = re.compile(r"\b(?:who|that|which)\s+$")
_JOINED = re.compile(r"[\s,]*(?:and|as well as|plus)?[\s,]*(?:another\s+)?")


@dataclass(frozen=True, slots=True)
class Mention:
    start: int                 # the figure's start in the sentence
    number_end: int
    end: int                   # end of the noun phrase
    figure: CountRange
    noun: str | None
    category: str
    side: str | None
    part_of: int | None = None  # index of the mention this one is a subset of
    kind: str | None = None
    person: Person | None = None  # one person described, not counted ("a 25-year-old man died")


def _noun_after(sentence: str, pos: int, nouns: VictimNouns) -> tuple[int, str, str] | None:
    prev = ""
    for i, tok in enumerate(_WORDS.finditer(sentence[pos:])):
        if i >= 6:
            return None
        hit = nouns.match_at(sentence, pos + tok.start())
        if hit:
            return hit
        word = tok.group(0)
        in_name = word == "of" and prev[:1].isupper()  # "State of Sinai militants"
        if (_STOP_TOKEN.match(word) and not word.isupper() and not in_name) or _ENDS_CLAUSE.search(word):
            return None
        prev = word
    return None


_AUX_KIND = re.compile(rf"\s*(?:(?:were|was|are|is|have been|has been|had been|got|being)\s+)?(?:{_KILLED_WORDS}|{_INJURED_WORDS})\b",
                       re.IGNORECASE)
_NOT_PEOPLE_WORD = re.compile(r"^(?:days?|weeks?|months?|years?|hours?|minutes?|times?|km|kilometres?|kilometers?|miles?|"
                              r"houses?|homes?|buildings?|vehicles?|cars?|rounds?|shots?|bullets?|rockets?|shells?|"
                              r"villages?|towns?|points?|percent|per|dollars?|later|earlier|ago|more|other|others)$",
                              re.IGNORECASE)


_CONNECTIVE = re.compile(r"^(?:\d.*|\w+ly|before|after|when|while|since|until|as|because|he|she|they|it|we|you|i|"
                         r"his|her|their|its|him|them|who|whom|whose|where|then|than|also|not|never|once)$", re.IGNORECASE)


def _unknown_noun(sentence: str, pos: int) -> int | None:
    """"Two army conscripts were killed": a noun phrase we do not know, right before the casualty verb, still
    counts people; up to four words, none of them a number, a stop word or a thing."""
    words = list(_WORDS.finditer(sentence[pos:]))[:4]
    for i, w in enumerate(words):
        word = w.group(0)
        if _NOT_A_WORD.search(word) or _NOT_PEOPLE_WORD.match(word) or _CONNECTIVE.match(word) or (
                _STOP_TOKEN.match(word) and word.lower() != "of") or word_to_int(word) is not None:
            return None
        end = pos + w.end()
        if i >= 0 and _AUX_KIND.match(sentence, end):
            return end
    return None


def _mention(sentence: str, q, nouns: VictimNouns, table: ActorTable, prev: Mention | None) -> Mention | None:
    if _N_OF.search(sentence[max(0, q.start - 12):q.start]):
        return None  # "Image 1 of 2", "page 3 of 5"
    if _A_YEAR.fullmatch(q.text) or _NO_BEFORE.search(sentence[max(0, q.start - 4):q.start]):
        return None
    of_them = _OF_THEM.match(sentence, q.end)
    noun = _noun_after(sentence, of_them.end() if of_them else q.end, nouns)
    if noun:
        end, word, category = noun
        tail = _NP_TAIL.match(sentence, end)
        end = tail.end() if tail else end
    elif (_KIND_WORD.match(sentence, q.end + 1) or _LEFT_VERB.search(sentence[max(0, q.start - 60):q.start])
          or _AUX_AFTER.match(sentence[q.end:])):
        end, word = q.end, None
        category = prev.category if prev else "unknown"
    elif (unknown_end := _unknown_noun(sentence, q.end)) is not None:
        end, word, category = unknown_end, None, "unknown"
    else:
        return None
    sides = [a for a in table.find(sentence[q.start:end]) if a.kind not in ("monitor", "media", "official")]
    side = sides[0].name if sides else (prev.side if prev and word is None else None)
    if side and category == "unknown" and word in ("members", "men", "people"):
        category = "combatant" if table.kind_of(side) != "official" else category
    part_of = None
    if prev is not None and (of_them or _PART_BEFORE.search(sentence[prev.end:q.start])):
        part_of = -1  # resolved by the caller to the head's index
    return Mention(q.start, q.end, end, q.figure, word, category, side, part_of)


_PASSIVE_END = re.compile(r"(?:^\s*|\b(?:were|was|been|are|is|got|being)\s+(?:\w+ly\s+)?)$", re.IGNORECASE)


def _kind_right(sentence: str, end: int) -> str | None:
    rest = sentence[end:end + 110]
    m = _KIND_WORD.search(rest)
    if not m:
        return None
    filler = rest[: m.start()]
    if _BLOCKERS.search(filler) or len(filler.split()) > 12 or "." in filler:
        return None
    if _RELATIVE_END.search(filler):
        return None  # "three troopers who shot him": the figure counts the shooters
    if m.group("i") and m.group("i").lower() == "shot" and not _PASSIVE_END.search(filler):
        return None  # "shot" counts the hit only as a passive ("were shot") or a headline ("2 shot")
    return KILLED if m.group("k") else INJURED


def _kind_left(sentence: str, start: int) -> str | None:
    m = _LEFT_VERB.search(sentence[max(0, start - 60): start])
    if not m:
        return None
    return KILLED if m.group("k") else INJURED


def _groups(sentence: str, mentions: list[Mention]) -> list[list[int]]:
    """Mentions joined by "and", commas or "including" share one casualty verb."""
    groups: list[list[int]] = []
    for i, m in enumerate(mentions):
        if groups:
            gap = sentence[mentions[groups[-1][-1]].end: m.start]
            if m.part_of is not None or _JOINED.fullmatch(gap):
                groups[-1].append(i)
                continue
        groups.append([i])
    return groups


def find_mentions(sentence: str, nouns: VictimNouns, table: ActorTable) -> list[Mention]:
    """Every casualty figure in the sentence with its kind; figures that count no one are left out."""
    raw: list[Mention] = []
    head: int | None = None
    for q in find_quantities(sentence):
        m = _mention(sentence, q, nouns, table, raw[-1] if raw else None)
        if m is None:
            continue
        if m.part_of is not None and head is not None:
            m = replace(m, part_of=head)
        else:
            m = replace(m, part_of=None)
            head = len(raw)
        raw.append(m)
    out: list[Mention] = []
    for group in _groups(sentence, raw):
        group_kind = _kind_left(sentence, raw[group[0]].start) or _kind_right(sentence, raw[group[-1]].end)
        for i in group:
            own = _kind_right(sentence, raw[i].end) if raw[i].noun is None else _kind_left(sentence, raw[i].start)
            # parts ("including five children") take their head's kind below
            kind = None if raw[i].part_of is not None else own or group_kind
            out.append(replace(raw[i], kind=kind))
    return [_with_head_kind(m, out) for m in out if m.kind or m.part_of is not None]


def _with_head_kind(m: Mention, all_mentions: list[Mention]) -> Mention:
    if m.part_of is not None and m.kind is None:
        return replace(m, kind=all_mentions[m.part_of].kind)
    return m


def implicit_mentions(sentence: str) -> list[Mention]:
    """Figures with no number: each person described ("a man was shot dead" -> one killed, see persons.py),
    and "no one was hurt" -> none injured."""
    out = [Mention(p.start, p.end, p.end, CountRange(1, 1), p.noun or p.name, p.category, None, None,
                   INJURED if p.kind == "shot" else p.kind, p) for p in find_persons(sentence)]
    for m in _NOBODY.finditer(sentence):
        word = (m.group("verb") or m.group("cas") or "").lower()
        kinds = [KILLED] if word in ("killed", "deaths") else [INJURED] if word in ("hurt", "injured", "wounded", "injuries") else [KILLED, INJURED]
        out += [Mention(m.start(), m.end(), m.end(), CountRange(0, 0), None, "unknown", None, None, k) for k in kinds]
    return out
