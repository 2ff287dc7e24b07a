"""Event type and perpetrator of a casualty sentence.

Hand-written keyword rules: the event types are the ledger's own coding (CODING_RULES.md "What counts").
"""
from __future__ import annotations

import re

from tally.stages.extract.lexicon import ActorMention

# Most specific first: the first type whose keywords occur in the sentence wins.
_EVENT_KEYWORDS = [
    ("suicide_bombing", r"suicide\s+(?:car\s+|truck\s+|vest\s+)?(?:bomb\w*|attack\w*|blast)|self-immolat\w+|suicide bomber"),
    ("ied_bomb", r"roadside bomb|car bomb\w*|truck bomb|\bIEDs?\b|improvised explosive|explosive device|landmines?|\bmines?\b|bomb blast|blast|explosion|exploded|detonat\w+|bombing"),
    ("air_strike", r"air\s*strikes?|airstrikes?|air raids?|air attacks?|drone strikes?|drone attacks?|warplanes?|fighter jets?|jets|helicopter gunships?|bombard\w* from the air|aerial\w*|\bstrikes?\b|struck"),
    ("shelling", r"shell(?:ing|ed|s)\b|artillery|mortars?|rocket fire|rockets?|missiles?|barrel bombs?|bombardment"),
    ("execution", r"execut\w+|behead\w+|summarily killed|firing squad"),
    ("armed_clash", r"clash\w*|fighting|fight\b|battles?|firefights?|gunfights?|exchange of fire|combat|offensive|counter-?attacks?"),
    ("attack", r"attack\w*|ambush\w*|raids?|assault\w*|gunm[ae]n|opened fire|shot dead|shooting|shot|gunfire|stabb\w+|"
               r"massacre\w*|abduct\w+|kidnap\w+|militants?|insurgents?|jihadists?|rebels?|terroris\w+|violence|"
               r"murder\w*|slain|hack\w* to death|machete"),
]
_EVENT_RE = [(name, re.compile(rf"\b(?:{p})", re.IGNORECASE)) for name, p in _EVENT_KEYWORDS]
GENERIC_EVENTS = ("attack", "other")
# Deaths outside the ledger's scope (CODING_RULES.md "What counts"): accidents, disasters, disease.
_NON_VIOLENT = re.compile(
    r"\b(?:crash\w*|collid\w+|collision|accident\w*|road|traffic|earthquakes?|quakes?|floods?|flooding|landslides?|"
    r"storms?|cyclone|hurricane|typhoon|drown\w*|heatwave|cholera|outbreak|epidemic|pandemic|covid|disease|"
    r"fire broke out|blaze|stampede|building collapse|capsiz\w+|tanker)\b", re.IGNORECASE)
_PERPETRATOR_KINDS = ("armed_group", "state_force", "coalition")


def event_type(sentence: str) -> str:
    for name, rx in _EVENT_RE:
        if rx.search(sentence):
            return name
    return "other"


def out_of_scope(text: str) -> bool:
    """Deaths from accidents, disasters or disease, with no sign of violence in the same text."""
    return bool(_NON_VIOLENT.search(text)) and event_type(text) == "other"


def events_compatible(a: str, b: str) -> bool:
    return a == b or a in GENERIC_EVENTS or b in GENERIC_EVENTS


def perpetrator(actors: list[ActorMention], victim_sides: set[str], excluded: list[tuple[int, int]]) -> str | None:
    """The first fighting actor in the sentence that is not a victim and not inside the attribution."""
    for a in actors:
        if a.kind not in _PERPETRATOR_KINDS or a.name in victim_sides:
            continue
        if any(s <= a.start < e for s, e in excluded):
            continue
        return a.name
    return None
