"""What identifies a claim across pipeline versions. A claim's id hashes its offset in the cleaned text, so a
newer cleaner or extractor can change it; its loose key (report, kind, figure) usually survives."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from tally.models import Claim


def loose_key(article: str, kind: str, low: int | None, high: int | None) -> str:
    return f"~{article}|{kind}|{low}|{high}"


def claim_keys(c: Claim) -> set[str]:
    """The claim's id and its loose key."""
    return {c.id, loose_key(c.article, c.kind, c.figure.low, c.figure.high)}


def keys_of(claims: Iterable[Claim]) -> set[str]:
    out: set[str] = set()
    for c in claims:
        out |= claim_keys(c)
    return out


def fingerprint(c: Claim) -> dict[str, Any]:
    """What a correction remembers of its claim, to find it again when its id has changed."""
    return {"id": c.id, "article": c.article, "kind": c.kind, "category": c.category, "side": c.side,
            "min": c.figure.low, "max": c.figure.high, "quote": c.quote}


def find_claim(fp: Mapping[str, Any], by_id: Mapping[str, Claim],
               by_article: Mapping[str, list[Claim]]) -> tuple[Claim | None, bool]:
    """(the claim, whether it was found under another id); (None, False) when it is gone or ambiguous."""
    if fp["id"] in by_id:
        return by_id[fp["id"]], False
    same = [c for c in by_article.get(fp["article"], []) if c.kind == fp["kind"]]
    exact = [c for c in same if (c.figure.low, c.figure.high) == (fp["min"], fp["max"])]
    if len(exact) == 1:
        return exact[0], True
    quoted = [c for c in (exact or same) if c.quote == fp["quote"] and c.category == fp["category"]]
    return (quoted[0], True) if len(quoted) == 1 else (None, False)
