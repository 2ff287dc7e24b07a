"""Reference data for extraction: actor aliases and victim nouns, read from ``tally/data/*.tsv``.

The tables are data, not code: a new alias or noun is a new line in the file.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class ActorMention:
    start: int
    end: int
    name: str          # canonical
    kind: str          # armed_group | state_force | coalition | monitor | official | media


def _rows(filename: str) -> list[list[str]]:
    text = resources.files("tally.data").joinpath(filename).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return rows[1:]  # drop the header


class ActorTable:
    """Alias -> canonical actor; finds every actor mention in a text, longest alias first."""

    def __init__(self, rows: list[list[str]]) -> None:
        self._alias: dict[str, tuple[str, str]] = {}
        self.kinds: dict[str, str] = {}
        spelling: dict[str, str] = {}
        for canonical, kind, aliases in rows:
            self.kinds[canonical] = kind
            for alias in (a.strip() for a in [canonical, *aliases.split("|")]):
                self._alias[alias.lower()] = (canonical, kind)
                spelling[alias.lower()] = alias
        parts = []
        for low in sorted(self._alias, key=len, reverse=True):
            original = spelling[low]
            # Short or all-capital aliases (IS, UN) match case-sensitively, or "is" would be an actor.
            parts.append(rf"(?-i:{re.escape(original)})" if len(low) <= 3 or original.isupper() else re.escape(low))
        self._re = re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)

    def find(self, text: str) -> list[ActorMention]:
        out = []
        for m in self._re.finditer(text):
            canonical, kind = self._alias[m.group(0).lower()]
            out.append(ActorMention(m.start(), m.end(), canonical, kind))
        return out

    def kind_of(self, canonical: str | None) -> str | None:
        return self.kinds.get(canonical) if canonical else None


class VictimNouns:
    """Nouns that count people, with the victim category each implies."""

    def __init__(self, rows: list[list[str]]) -> None:
        self.category = {noun.strip(): cat.strip() for noun, cat in rows}
        alts = "|".join(re.escape(n) for n in sorted(self.category, key=len, reverse=True))
        self._re = re.compile(rf"(?:{alts})\b", re.IGNORECASE)

    def match_at(self, text: str, pos: int) -> tuple[int, str, str] | None:
        """The victim noun starting exactly at ``pos``: (end, noun, category)."""
        m = self._re.match(text, pos)
        if not m:
            return None
        noun = m.group(0).lower()
        return m.end(), noun, self.category[noun]


@functools.lru_cache(maxsize=1)
def actors() -> ActorTable:
    return ActorTable(_rows("actors.tsv"))


@functools.lru_cache(maxsize=1)
def victim_nouns() -> VictimNouns:
    return VictimNouns(_rows("victims.tsv"))
