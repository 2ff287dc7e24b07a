"""B-cubed precision, recall and F1 of a clustering of reports against gold clusters (Bagga & Baldwin 1998).

Written by hand: the measure is a few lines, and the libraries that carry it pull in far more than it needs.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Hashable, Mapping


def bcubed(system: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, float]:
    """``system`` and ``gold`` map each report to its cluster label; only reports in ``gold`` are scored.

    A report the system leaves out of every cluster counts as a cluster of its own.
    """
    items = list(gold)
    if not items:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0, "reports": 0}
    sys_label = {k: system.get(k) if system.get(k) is not None else ("alone", k) for k in items}
    sys_members: dict[Hashable, set[str]] = defaultdict(set)
    gold_members: dict[Hashable, set[str]] = defaultdict(set)
    for k in items:
        sys_members[sys_label[k]].add(k)
        gold_members[gold[k]].add(k)
    p = r = 0.0
    for k in items:
        mine, truth = sys_members[sys_label[k]], gold_members[gold[k]]
        both = len(mine & truth)
        p += both / len(mine)
        r += both / len(truth)
    p, r = p / len(items), r / len(items)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "reports": len(items)}
