"""A copy's claims: evidence for its original's figures, never a second vote (used by ``reconcile``).

``copies`` maps each copy report to the report it copies (``Store.copy_roots``; a chain of copies is
followed to its root). A claim of a copy that repeats a claim of the original (same scope, kind, category,
side and figure) is an *echo*: it is shown as evidence where the original's claim lands and changes no
figure, date or place. A claim that only an edited copy carries (a figure the original does not give)
still counts like any report's claim.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from tally.models import Claim


def chain_of(article: str, copies: Mapping[str, str]) -> list[str]:
    """The reports ``article`` copies, nearest first, up to the root; a cycle stops where it would repeat."""
    chain, seen = [], {article}
    while article in copies and copies[article] not in seen:
        article = copies[article]
        chain.append(article)
        seen.add(article)
    return chain


def root_of(article: str, copies: Mapping[str, str]) -> str:
    """The report a chain of copies starts from (``article`` itself when it is no copy)."""
    return (chain_of(article, copies) or [article])[-1]


def _key(c: Claim) -> tuple[object, ...]:
    return (c.scope, c.stance, c.kind, c.category, c.side, c.figure.low, c.figure.high)


def split_echoes(claims: Sequence[Claim], copies: Mapping[str, str]) -> tuple[list[Claim], dict[str, Claim]]:
    """``(counted, echoes)``: ``echoes`` maps each copy claim that repeats a claim that counts in a report
    it copies (the root first, then the nearer copies) to that claim. Each counted claim takes at most one
    echo per copy: the one with the same sentence first, then the nearest in the text."""
    if not copies:
        return list(claims), {}
    by_report: dict[str, list[Claim]] = {}
    for c in claims:
        by_report.setdefault(c.article, []).append(c)
    chains = {r: chain_of(r, copies) for r in by_report}
    echoes: dict[str, Claim] = {}
    for report in sorted(by_report, key=lambda r: (len(chains[r]), r)):   # originals before their copies
        free = [o for r in reversed(chains[report]) for o in by_report.get(r, []) if o.id not in echoes]
        for c in sorted(by_report[report], key=lambda c: (c.start, c.id)):
            same = [o for o in free if _key(o) == _key(c)]
            if not same:
                continue
            o = min(same, key=lambda o: (o.article != chains[report][-1], o.quote != c.quote,
                                         abs(o.start - c.start), o.id))
            free.remove(o)
            echoes[c.id] = o
    return [c for c in claims if c.id not in echoes], echoes


def echo_reason(c: Claim, original: Claim) -> str:
    return f"{c.id}: repeats {original.id} (report {c.article} copies {original.article}); evidence only"
