"""Who says a figure ("the Observatory said", "told AFP", "according to state TV") and who denies it.

Hand-written patterns over the sentence; generic mentions ("the monitor", "he added") resolve to the most
recent named claimant of the report (a small coreference step no library here offers for this case).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from tally.stages.extract.lexicon import ActorTable

_SAY = r"(?:said|says|say|reported|reports|added|adds|claimed|claims|announced|confirmed|stated|estimated|estimates|documented|counted|recorded|tallied)"
_PATTERNS = [
    re.compile(r"\baccording to\s+(?P<who>[^,.;\"“”]{2,80})", re.IGNORECASE),
    re.compile(rf",\s*[\"”’]?\s*(?P<who>[^,;\"“”]{{2,90}}?)\s+{_SAY}\b[^,;]{{0,40}}[.]?\s*$", re.IGNORECASE),
    re.compile(r"(?:^|[,;\"“”]\s*)(?P<who>[^,;\"“”]{2,80}?)\s+told\s+(?:the\s+)?[A-Z][\w.]*"),
    re.compile(rf"^\s*(?P<who>[^,;\"“”]{{2,90}}?)\s+{_SAY}\b", re.IGNORECASE),
    re.compile(rf"[\"”’]\s*,?\s*(?P<who>[^,;\"“”]{{2,90}}?)\s+{_SAY}\b", re.IGNORECASE),
]
_GENERIC_MONITOR = re.compile(r"\b(?:monitor|watchdog|observatory)\b", re.IGNORECASE)
_PRONOUN = re.compile(r"^(?:he|she|they|it|the group|the spokesman|the official)$", re.IGNORECASE)
_DENY = re.compile(
    r"\b(?:denied|denies|deny|denying|refuted|rejected (?:the|these|those) (?:claims?|reports?)|"
    r"(?:is|are|was|were) (?:not true|untrue|false|baseless|fabricated|lies)|no (?:soldiers|fighters|members|troops|one) "
    r"(?:had|have|has)? ?(?:been )?(?:was |were )?killed)\b",
    re.IGNORECASE,
)
_OWN_SIDE = re.compile(r"\b(?:his|her|its|their|our|my)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Attribution:
    source: str | None
    start: int
    end: int
    inherited: bool = False


def find_attribution(sentence: str, table: ActorTable, last_source: str | None,
                     last_monitor: str | None) -> Attribution:
    """The claimant of a sentence's figures; falls back to the report's last claimant (flagged)."""
    for rx in _PATTERNS:
        m = rx.search(sentence)
        if not m:
            continue
        who = m.group("who").strip(" '\"“”’")
        if len(who.split()) > 12:
            continue
        return Attribution(_resolve(who, table, last_source, last_monitor), m.start("who"), m.end("who"))
    return Attribution(last_source, 0, 0, inherited=True)


def _resolve(who: str, table: ActorTable, last_source: str | None, last_monitor: str | None) -> str | None:
    named = [a for a in table.find(who)]
    if named:
        return named[-1].name if named[-1].kind in ("monitor", "official", "media") else named[0].name
    if _GENERIC_MONITOR.search(who):
        return last_monitor or who
    if _PRONOUN.match(who):
        return last_source
    return re.sub(r"^(?:the|a|an)\s+", "", who, flags=re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class DenialHit:
    denier: str | None
    side: str | None
    start: int
    end: int


def find_denial(sentence: str, table: ActorTable) -> DenialHit | None:
    """A denial of deaths: who denies, and whose deaths (their own side when they say "his alliance")."""
    m = _DENY.search(sentence)
    if not m:
        return None
    before = table.find(sentence[: m.start()])
    after = table.find(sentence[m.end():])
    denier = before[-1].name if before else None
    side = after[0].name if after else None
    if side is None and denier and _OWN_SIDE.search(sentence[m.end():]):
        side = denier
    if side is None and denier:
        side = denier
    return DenialHit(denier, side, m.start(), m.end())
