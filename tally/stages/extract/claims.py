"""extract(CleanArticle) -> Extraction: every casualty claim of one report, with its evidence sentence.

Reads the report sentence by sentence, keeping a little context (the last event date, claimant and monitor)
so that "At least 9 militants were killed in the raids, he added" gets the date and claimant of the lead.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import Iterator, Sequence

from tally.models import CleanArticle, Claim, CountRange, Denial, Place
from tally.stages.extract import lexicon
from tally.stages.extract.lexicon import ActorMention
from tally.stages.extract.attribution import DenialHit, find_attribution, find_denial
from tally.stages.extract.dates import DateRef, find_dates
from tally.stages.extract.events import event_type, out_of_scope, perpetrator
from tally.stages.extract.mentions import Mention, find_mentions, implicit_mentions
from tally.stages.extract.geo import PlaceFinder
from tally.stages.extract.persons import count_persons, prime

EXTRACTOR = "casualties.rules.v1"
_PRESENT_PERFECT = re.compile(r"\b(?:has|have)\s+(?:now\s+|so far\s+|also\s+)?(?:been\s+)?(?:killed|died|wounded|injured)\b",
                              re.IGNORECASE)
_SINGLE_EVENT = re.compile(r"\b(?:in|during|by|after|following)\s+(?:a|an|the|this|that|one)\s+(?:[\w-]+\s+){0,3}?(?:attack|"
                           r"strike|raid|bombing|blast|explosion|ambush|shooting|clash|assault|incident|massacre|robbery|"
                           r"carjacking|stabbing|home invasion|fight|dispute|altercation|argument|standoff|gunfight|"
                           r"shootout)\b", re.IGNORECASE)
_ANAPHORIC = re.compile(r"\b(?:that|this|the same) period\b", re.IGNORECASE)
_AGO = re.compile(r"\b(?:years|decades|a decade|a year)\s+ago\b|\blast year\b", re.IGNORECASE)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_UPDATE = re.compile(r"\b(?:rose|risen|climbed|increased|jumped|grew|reached)\s+to\b|\bnow\s+stands\s+at\b", re.IGNORECASE)
_EARLIER = re.compile(r"\b(?:earlier|initially|previously|first)\s+(?:said|reported|put|gave)\b", re.IGNORECASE)


_SOURCE_REACH = 2  # a figure with no claimant of its own takes the one named at most this many sentences before


def _mask(sentence: str, mentions: list[Mention]) -> str:
    """The sentence with the victims' own words blanked ("three suicide bombers" is not the event)."""
    chars = list(sentence)
    for m in mentions:
        chars[m.start:m.end] = " " * (m.end - m.start)
    return "".join(chars)


@dataclass(frozen=True, slots=True)
class Extraction:
    claims: tuple[Claim, ...]
    denials: tuple[Denial, ...]


@dataclass(slots=True)
class _Context:
    date: DateRef | None = None
    tally: DateRef | None = None
    source: str | None = None
    source_age: int = 0           # sentences since the claimant was last named
    monitor: str | None = None
    nonviolent: bool = False      # the report is about an accident or disaster


@dataclass(slots=True)
class _Draft:
    """A claim being built; dates may still be pending until the whole report is read."""

    mention: Mention
    sentence_start: int
    sentence: str
    date: DateRef | None
    scope: str
    source: str | None
    places: tuple[Place, ...]
    perpetrator: str | None
    event: str
    stance: str
    flags: list[str] = field(default_factory=list)
    parts: list[tuple[str, int]] = field(default_factory=list)
    category: str = ""


@functools.lru_cache(maxsize=1)
def _sentencizer():  # type: ignore[no-untyped-def]
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentences(text: str) -> Iterator[tuple[int, str]]:
    """(offset, sentence) for every sentence; paragraphs and lines never run together."""
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            for start, s in _line_sentences(line):
                yield pos + start, s
        pos += len(line) + 1


@functools.lru_cache(maxsize=8192)
def _line_sentences(line: str) -> tuple[tuple[int, str], ...]:
    """The sentences of one line, with their offsets in it (cached: boilerplate and copies repeat lines)."""
    out = []
    for sent in _sentencizer()(line).sents:
        s = sent.text.strip()
        if s:
            out.append((sent.start_char + (len(sent.text) - len(sent.text.lstrip())), s))
    return tuple(out)


def _nearest_date(dates: list[DateRef], m: Mention) -> DateRef | None:
    if not dates:
        return None
    ref = min(dates, key=lambda d: min(abs(d.start - m.end), abs(d.end - m.start)))
    if ref.tally and ref.period_from is None:  # "in total ... since 10 September": the dated period says more
        ref = next((d for d in dates if d.tally and d.period_from), ref)
    return ref


def _long_before(ref: DateRef, published: dt.date | None) -> bool:
    """An event dated more than a year before the report is background (an anniversary, a trial), never a new
    incident at the report's date (CODING_RULES.md "What counts")."""
    return bool(published and ref.date_to and (published - ref.date_to).days > 365)


def _scope_and_date(m: Mention, sentence: str, dates: list[DateRef], ctx: _Context,
                    published: dt.date | None) -> tuple[str, DateRef | None, list[str]]:
    ref = _nearest_date(dates, m)
    if ref is not None and not ref.tally and _long_before(ref, published):
        return "tally", replace(ref, tally=True, period_from=ref.date_from), ["historic-date"]
    if ref is not None:
        return ("tally", ref, []) if ref.tally else ("incident", ref, [])
    if _AGO.search(sentence) and published:  # "two others died in a fire years ago"
        return "tally", DateRef(0, 0, "years ago", None, published, True, None), ["historic-ago"]
    past = [int(y) for y in _YEAR.findall(sentence) if published and int(y) < published.year]
    if past:  # "broke out in 2012 ... killing thousands": a toll over years, never an incident of today
        return "tally", DateRef(0, 0, f"since {min(past)}", None, published, True, dt.date(min(past), 1, 1)), ["historic-year"]
    if _PRESENT_PERFECT.search(sentence) and not _SINGLE_EVENT.search(sentence) and m.person is None:
        return "tally", None, ["tally-from-tense"]
    if ctx.date is not None:
        if _long_before(ctx.date, published):
            return "tally", replace(ctx.date, tally=True, period_from=ctx.date.date_from), ["historic-date"]
        return "incident", ctx.date, ["date-from-context"]
    return "incident", None, []


# Copies and boilerplate repeat sentences, so what a sentence says on its own (without the report around it) is
# kept for the next report that has it; every cached value is immutable.
_SEEN = 16384


@dataclass(frozen=True, slots=True)
class _Reading:
    """What one sentence says on its own: its casualty mentions, a denial in it, and the sentence with the
    victims' own words blanked."""

    mentions: tuple[Mention, ...]
    denial: DenialHit | None
    masked: str


@functools.lru_cache(maxsize=_SEEN)
def _read(sentence: str) -> _Reading:
    table, nouns = lexicon.actors(), lexicon.victim_nouns()
    counted = find_mentions(sentence, nouns, table)
    mentions = counted + [m for m in implicit_mentions(sentence) if not _overlaps(m, counted)]
    return _Reading(tuple(mentions), find_denial(sentence, table), _mask(sentence, mentions))


_event_type = functools.lru_cache(maxsize=_SEEN)(event_type)
_out_of_scope = functools.lru_cache(maxsize=_SEEN)(out_of_scope)
_attribution = functools.lru_cache(maxsize=_SEEN)(find_attribution)


@functools.lru_cache(maxsize=_SEEN)
def _actors(sentence: str) -> tuple[ActorMention, ...]:
    return tuple(lexicon.actors().find(sentence))


def _sentence_drafts(offset: int, sentence: str, art: CleanArticle, ctx: _Context, finder: PlaceFinder | None) -> tuple[list[_Draft], Denial | None]:
    table = lexicon.actors()
    reading = _read(sentence)
    mentions, hit, masked = list(reading.mentions), reading.denial, reading.masked
    denial = Denial(art.key, hit.denier, hit.side, sentence, offset, offset + len(sentence)) if hit else None
    ctx.source_age += 1
    recent = ctx.source if ctx.source_age <= _SOURCE_REACH else None
    attribution = _attribution(sentence, table, recent, ctx.monitor)
    if not attribution.inherited and attribution.source:
        ctx.source, ctx.source_age = attribution.source, 0
        if table.kind_of(attribution.source) == "monitor":
            ctx.monitor = attribution.source
    if not mentions and _event_type(sentence) != "other":
        # "Warplanes dropped gas on the town on 16 March 1988." sets the date the next sentence's toll belongs to
        dated = [d for d in find_dates(sentence, art.published) if not d.tally and d.date_from]
        if len(dated) == 1:
            ctx.date = dated[0]
    if not mentions or _out_of_scope(masked) or (ctx.nonviolent and _event_type(masked) == "other"):
        return [], denial
    dates = find_dates(sentence, art.published)
    actors = list(_actors(sentence))
    sides = {m.side for m in mentions if m.side}
    perp = perpetrator(actors, sides, [(attribution.start, attribution.end)])
    places = tuple(p for _s, _e, p in finder.find(sentence)) if finder else ()
    event = _event_type(masked)
    drafts = []
    for m in mentions:
        scope, ref, flags = _scope_and_date(m, sentence, dates, ctx, art.published)
        if scope == "tally" and ref is not None and _ANAPHORIC.search(ref.text) and ctx.tally is not None:
            ref = ctx.tally  # "in that period": the period of the report's last running total
        drafts.append(_Draft(m, offset, sentence, ref, scope, attribution.source, places, perp, event,
                             "denied" if hit else "asserted", flags + (["source-inherited"] if attribution.inherited else []),
                             category=m.category))
    _update_context(drafts, ctx)
    return drafts, denial


def _overlaps(m: Mention, others: list[Mention]) -> bool:
    return any(o.start < m.end and m.start < o.end for o in others)


def _update_context(drafts: list[_Draft], ctx: _Context) -> None:
    for d in drafts:
        if d.scope == "incident" and d.date is not None and "date-from-context" not in d.flags:
            ctx.date = d.date
        if d.scope == "tally" and d.date is not None:
            ctx.tally = d.date
        if "historic-date" in d.flags and d.date is not None:
            # "X was found shot on 3 May 2014. He died at a hospital.": the death belongs to that old event too
            ctx.date = replace(d.date, tally=False, period_from=None)


def _attach_parts(drafts: list[_Draft]) -> list[_Draft]:
    """"14 civilians, including five children": the part is noted on its head, never added to it. A part in
    another category than a generic head ("35 people, including 20 civilians") becomes its own claim and
    the head a total."""
    out: list[_Draft] = []
    index: dict[int, _Draft] = {}
    by_sentence: dict[int, list[_Draft]] = {}
    for d in drafts:
        by_sentence.setdefault(d.sentence_start, []).append(d)
    for group in by_sentence.values():
        for i, d in enumerate(group):
            index[i] = d
            if d.mention.part_of is None:
                out.append(d)
                continue
            head = index.get(d.mention.part_of)
            if head is None:
                continue
            if head.category == "unknown" and d.category != "unknown":
                head.category = "total"
                d.flags.append("part-of-total")
                out.append(d)
            elif d.mention.figure.low is not None:
                head.parts.append((d.mention.noun or d.category, d.mention.figure.low))
    return out


def _resolve_pending(drafts: list[_Draft], art: CleanArticle) -> None:
    """A claim with no date of its own (often the headline) takes the date of the same figure elsewhere in the
    report, else the report's first dated claim, else the publication date as the latest possible day."""
    dated = [d for d in drafts if d.scope == "incident" and d.date is not None]
    for d in drafts:
        if d.scope != "incident" or d.date is not None:
            continue
        same = [o for o in dated if o.mention.figure == d.mention.figure and o.mention.kind == d.mention.kind]
        if same or dated:
            d.date = (same or dated)[0].date
            d.flags.append("date-from-report")
        elif art.published:
            pub = art.published
            d.date = DateRef(0, 0, "", pub - dt.timedelta(days=1), pub)
            d.flags.append("date-from-publication")


def _claim_id(art: str, d: _Draft) -> str:
    raw = f"{art}|{d.sentence_start + d.mention.start}|{d.mention.kind}|{d.category}|{d.mention.side}"
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


def _confidence(d: _Draft) -> float:
    c = 0.9
    for flag, cost in (("source-inherited", 0.1), ("date-from-context", 0.05), ("date-from-report", 0.1),
                       ("people-counted", 0.1),
                       ("date-from-publication", 0.2), ("tally-from-tense", 0.2)):
        if flag in d.flags:
            c -= cost
    if d.source is None:
        c -= 0.1
    return round(max(c, 0.1), 2)


def _build(art: CleanArticle, d: _Draft) -> Claim:
    m, ref = d.mention, d.date
    start, end = d.sentence_start, d.sentence_start + len(d.sentence)
    return Claim(
        id=_claim_id(art.key, d), article=art.key, kind=m.kind or "killed", category=d.category, side=m.side,
        figure=m.figure, date_from=ref.date_from if ref else None, date_to=ref.date_to if ref else None,
        places=d.places, perpetrator=d.perpetrator, event_type=d.event, source=d.source, stance=d.stance,
        quote=d.sentence, start=start, end=end, scope=d.scope, parts=tuple(d.parts),
        period_from=ref.period_from if ref and d.scope == "tally" else None,
        period_label=ref.text if ref and d.scope == "tally" else None,
        number_text=d.sentence[m.start:m.end], number_start=start + m.start, number_end=start + m.end,
        confidence=_confidence(d), flags=tuple(d.flags), extractor=EXTRACTOR,
    )


def _supersede(drafts: list[_Draft]) -> list[_Draft]:
    """"The toll rose to 63": earlier, lower figures of the same kind in the report are no longer claims."""
    updates = [d for d in drafts if _UPDATE.search(d.sentence) and d.mention.figure.low is not None]
    out = []
    for d in drafts:
        if _EARLIER.search(d.sentence[: d.mention.start]) and len(drafts) > 1:
            continue
        newer = [u for u in updates if u is not d and u.mention.kind == d.mention.kind and u.scope == d.scope
                 and u.category in (d.category, "total", "unknown") and (d.mention.figure.low or 0) < (u.mention.figure.low or 0)]
        if not newer:
            out.append(d)
    return out


def _count_people(drafts: list[_Draft]) -> list[_Draft]:
    """Victims described one by one become claims of how many different people the report says were killed,
    and injured, on each day. A figure the report gives in another sentence counts them already ("two people
    were shot ... a 25-year-old man died"); one beside them in the same sentence does not ("killing two
    soldiers and a civilian driver"). "No one was hurt" never undoes a victim the report names."""
    numbers = [d for d in drafts if d.mention.person is None and d.scope == "incident" and (d.mention.figure.low or 0) > 0]
    counted = {d.mention.kind for d in numbers}
    beside = {(d.sentence_start, d.mention.kind) for d in numbers}
    out = [d for d in drafts if d.mention.person is None or d.scope != "incident"]
    people = [d for d in drafts if d.mention.person is not None and d.scope == "incident"]
    groups: dict[tuple[str, object], list[_Draft]] = {}
    named: set[str] = set(counted)
    for ind in count_persons([d.mention.person for d in people]):  # type: ignore[misc]
        mine = [people[m] for m in ind.mentions]
        next_to = [d for d in mine if (d.sentence_start, ind.kind) in beside]
        if next_to:  # one more person beside a figure in the same sentence
            d = next_to[0]
            d.mention = replace(d.mention, kind=ind.kind)
            out.append(d)
            continue
        if ind.kind in counted:
            continue
        named.add(ind.kind)
        dated = next((d for d in mine if d.date is not None), people[ind.decided])
        when = (dated.date.date_from, dated.date.date_to) if dated.date else None
        groups.setdefault((ind.kind, when), []).append(people[ind.decided])
    out = [d for d in out if not (d.mention.figure.high == 0 and d.mention.kind in named)]
    for (kind, _when), group in groups.items():
        first = min(group, key=lambda d: (d.sentence_start, d.mention.start))
        n = len(group)
        first.mention = replace(first.mention, figure=CountRange(n, n), kind=kind)
        if first.date is None:
            first.date = next((d.date for d in group if d.date is not None), None)
        first.flags.append("people-counted")
        out.append(first)
    return sorted(out, key=lambda d: (d.sentence_start, d.mention.start))


_SHOT = re.compile(r"^[^.;]{0,40}?\bshot\b(?!\s+(?:dead|and killed|to death))", re.IGNORECASE)


def _shot_not_killed(drafts: list[_Draft]) -> list[_Draft]:
    """"Three people were shot, one fatally": the injured are those shot who did not die (two), as the coding
    rules move someone who died of wounds from injured to killed."""
    for d in drafts:
        if d.mention.kind != "injured" or d.mention.person is not None or d.mention.figure.low is None:
            continue
        if not _SHOT.match(d.sentence[d.mention.end:]):
            continue
        dead = [k for k in drafts if k.sentence_start == d.sentence_start and k.mention.kind == "killed"
                and k.mention.start > d.mention.start and k.mention.figure.low is not None]
        died = sum(k.mention.figure.low or 0 for k in dead)
        if dead and 0 < died <= d.mention.figure.low:
            fig = d.mention.figure
            d.mention = replace(d.mention, figure=CountRange(fig.low - died, None if fig.high is None else fig.high - died,
                                                             fig.approximate))
            d.flags.append("shot-minus-killed")
    return [d for d in drafts if not (d.mention.figure.high == 0 and "shot-minus-killed" in d.flags)]


def prepare(arts: Sequence[CleanArticle]) -> list[list[tuple[int, str]]]:
    """The sentences of each report, after parsing the candidate sentences of all of them in one batch (one
    ``nlp.pipe`` over many reports costs less than one per report; each sentence parses the same either way).
    Pass each report's sentences to ``extract``."""
    splits = [list(sentences(art.text)) for art in arts]
    prime(s for art, split in zip(arts, splits) if art.language == "en" for _o, s in split)
    return splits


def extract(art: CleanArticle, finder: PlaceFinder | None = None,
            split: list[tuple[int, str]] | None = None) -> Extraction:
    """Every claim and denial of one report; ``split``: its sentences from ``prepare`` (parsed already)."""
    primed = split is not None
    split = list(sentences(art.text)) if split is None else split
    ctx = _Context(nonviolent=out_of_scope(" ".join(s for _o, s in split[:3])))
    drafts: list[_Draft] = []
    denials: list[Denial] = []
    if art.language != "en":
        return Extraction((), ())
    if not primed:
        prime(s for _o, s in split)
    for offset, sentence in split:
        new, denial = _sentence_drafts(offset, sentence, art, ctx, finder)
        drafts += new
        if denial:
            denials.append(denial)
    drafts = _shot_not_killed(_count_people(_supersede(_attach_parts(drafts))))
    _resolve_pending(drafts, art)
    claims = [_build(art, d) for d in drafts]
    return Extraction(tuple(_dedupe_ids(claims)), tuple(denials))


def _dedupe_ids(claims: list[Claim]) -> list[Claim]:
    seen: dict[str, int] = {}
    out = []
    for c in claims:
        n = seen.get(c.id, 0)
        seen[c.id] = n + 1
        out.append(c if n == 0 else replace(c, id=f"{c.id}-{n}"))
    return out
