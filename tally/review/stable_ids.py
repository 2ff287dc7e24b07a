"""Incident ids that stay put: a rebuilt incident keeps the id of the earlier incident it shares most claims with.

Reconciliation names a new incident after its anchor claim (the earliest stored one). That changes when a report
is re-extracted by a newer pipeline (claim ids hash text offsets) or when claims move between incidents. Here each
rebuilt incident is matched, largest overlap first and one to one, against the incidents of the previous rebuild
by claim id and by loose claim key (report, kind, figure); a matched incident keeps the old id. Hand-written: this
is a small bipartite assignment over our own keys, no library offers it.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import replace
from typing import Mapping, Sequence

from tally.models import Claim, Incident
from tally.review.keys import keys_of


def keep_ids(incidents: Sequence[Incident], claims: Mapping[str, Claim],
             previous: Mapping[str, set[str]]) -> tuple[list[Incident], dict[str, set[str]]]:
    """The incidents with ids carried over from ``previous`` ({id: keys}), and the keys to remember for next time."""
    keys = [keys_of(claims[c] for c in inc.claims if c in claims) for inc in incidents]
    owners: dict[str, list[str]] = {}     # key -> earlier incidents holding it, so only overlapping pairs are scored
    for old, old_keys in previous.items():
        for k in old_keys:
            owners.setdefault(k, []).append(old)
    overlaps: Counter[tuple[int, str]] = Counter()
    for i, mine in enumerate(keys):
        for k in mine:
            overlaps.update((i, old) for old in owners.get(k, ()))
    pairs = sorted(((n, -i, old) for (i, old), n in overlaps.items()), key=lambda p: (-p[0], -p[1], p[2]))
    assigned: dict[int, str] = {}
    taken: set[str] = set()
    for _overlap, neg_i, old in pairs:
        if -neg_i not in assigned and old not in taken:
            assigned[-neg_i] = old
            taken.add(old)
    out: list[Incident] = []
    for i, inc in enumerate(incidents):
        new_id = assigned.get(i) or _fresh_id(inc, taken)
        taken.add(new_id)
        out.append(inc if new_id == inc.id else replace(inc, id=new_id))
    return out, {inc.id: k for inc, k in zip(out, keys)}


def _fresh_id(inc: Incident, taken: set[str]) -> str:
    """The anchor-claim id reconciliation gave it, unless an older incident already holds that id."""
    if inc.id not in taken:
        return inc.id
    return "inc-" + hashlib.sha1("|".join(sorted(inc.claims)).encode()).hexdigest()[:10]
