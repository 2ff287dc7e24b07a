"""Sort wrong per-report figures into kinds, and each kind by the cue in the report that most likely caused it.

The examples in the report are described in our own words (a report id and a pattern), never quoted: the sets
are licensed for evaluation only.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

# (family, description, pattern). First match wins; patterns look at the report's text.
_CUES: list[tuple[str, str, re.Pattern[str]]] = [
    ("one-victim", 'one victim described without a number ("a 25-year-old man died after being shot")',
     re.compile(r"\b(?:a|an|the)\s+(?:[\w-]+\s+){0,3}(?:man|woman|teen(?:ager)?|boy|girl|victim|male|female|person|"
                r"child|juvenile|mother|father|son|daughter|officer)\b[^.]{0,80}?\b(?:died|dead|killed|shot|wounded|"
                r"injured|hospitali[sz]ed)", re.I)),
    ("named-victim", 'a named victim and a casualty verb ("Smith, 26, was shot and killed")',
     re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+,?\s+(?:\d{1,2},\s+)?(?:was|has|had|died|is)\b[^.]{0,40}?\b(?:died|dead|"
                r"killed|shot|wounded|injured)", re.S)),
    ("people-count", 'a count of people as a word or numeral ("two men were wounded", "3 dead")',
     re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|both)\s+(?:[\w-]+\s+){0,2}?(?:people|persons|"
                r"men|women|children|victims|brothers|teens|others|officers|dead|killed|wounded|injured)\b", re.I)),
    ("suspect", "a shooter or suspect killed or wounded", re.compile(r"\b(?:gunman|shooter|suspect)\b[^.]{0,60}?"
                                                                     r"\b(?:killed|dead|shot|wounded)", re.I)),
]


def kind_of(want: int, got: int | None) -> str:
    g = got or 0
    if want > 0 and g == 0:
        return "missed"
    if want == 0:
        return "figure where gold has none"
    return "too high" if g > want else "too low"


def analyse(wrong: list[str], texts: dict[str, str]) -> list[dict[str, Any]]:
    """``wrong`` is score_articles' list ("id: want 2 got None"); returns kinds, commonest first."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    examples: dict[tuple[str, str], list[str]] = defaultdict(list)
    for line in wrong:
        m = re.match(r"(.+?): want (\d+) got (\S+)", line)
        if not m:
            continue
        key, want, got = m.group(1), int(m.group(2)), None if m.group(3) == "None" else int(m.group(3))
        kind = kind_of(want, got)
        family = next((f for f, _, rx in _CUES if rx.search(texts.get(key, ""))), "other")
        kinds[kind][family] += 1
        if len(examples[(kind, family)]) < 3:
            examples[(kind, family)].append(f"{key} (gold {want}, Tally {got if got is not None else 'none'})")
    described = {f: d for f, d, _ in _CUES} | {"other": "none of the cues above"}
    out = []
    for kind, fam in sorted(kinds.items(), key=lambda kv: -sum(kv[1].values())):
        out.append({"kind": kind, "count": sum(fam.values()), "by_cue": [
            {"cue": f, "description": described[f], "count": n, "examples": examples[(kind, f)]}
            for f, n in fam.most_common()]})
    return out
