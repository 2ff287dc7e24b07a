"""The copy finder's graph of classes (``dedupe.CopyIndex``) and its signature bound (``sigbound``) decide
exactly as the plain pairwise rule: every report against every related report. Texts are the ones written
for test_dedupe.py."""
from __future__ import annotations

import datetime as dt
import random
from collections import deque

import numpy as np

from tally.stages import dedupe, sigbound
from tally.stages.dedupe import CopyIndex, find_copies

from tests.stages.test_dedupe import (
    BOILERPLATE, EDITED_COPY, LEAD_BEYLA, LEAD_OSTRA, MORE_BOILERPLATE, ORIGINAL, OTHER_OUTLET, TUESDAY, art,
    chain_texts, truncated,
)


def _pool() -> list[str]:
    first, middle, last = chain_texts()
    return [ORIGINAL, EDITED_COPY, first, middle, last, OTHER_OUTLET, truncated(ORIGINAL, 0.6),
            truncated(EDITED_COPY, 0.8), LEAD_BEYLA + BOILERPLATE, LEAD_OSTRA + BOILERPLATE,
            LEAD_BEYLA + BOILERPLATE + MORE_BOILERPLATE, ORIGINAL.replace("14 soldiers", "15 soldiers")]


def _pairwise(batch: list[dedupe._Entry], stored: dict[str, dedupe._Entry]) -> dict[str, tuple[str, float]]:
    """The rule written plainly: the batch and every stored report reached by related pairs, originals first,
    each copying the best earlier related report's root."""
    members = {e.key: e for e in batch}
    queue = deque(members)
    while queue:
        e = members[queue.popleft()]
        for k, o in stored.items():
            if k not in members and dedupe._link(e, o)[0]:
                members[k] = o
                queue.append(k)
    order = sorted(members.values(), key=lambda e: dedupe._order_key(e, e.key in stored))
    roots: dict[str, str] = {}
    found: dict[str, tuple[str, float]] = {}
    for i, e in enumerate(order):
        matches = [o for o in order[:i] if dedupe._link(e, o)[0] and dedupe._is_copy(e, o)
                   and dedupe._figures_ok(e, o) and dedupe._figures_ok(e, members[roots[o.key]])]
        if not matches:
            roots[e.key] = e.key
            continue
        best = max(matches, key=lambda o: dedupe._score(e, o))
        roots[e.key] = roots[best.key]
        found[e.key] = (roots[e.key], dedupe._score(e, members[roots[e.key]]))
    return found


def test_graph_decides_as_the_pairwise_rule_on_republished_stories() -> None:
    rng = random.Random(11)
    pool = _pool()
    known, stored = CopyIndex(), {}
    for batch_no in range(12):
        batch = []
        for i in range(10):   # few texts, many reports: most reports have identical twins, stored or not
            day = rng.choice([None, *(TUESDAY + dt.timedelta(d) for d in range(-3, 4))])
            batch.append(art(f"r{rng.randrange(10**6):06d}-{batch_no}-{i}", rng.choice(pool), day))
        entries = [e for e in (dedupe._entry(a.key, a.text, a.published, 128) for a in batch) if e is not None]
        expected = _pairwise(entries, stored)
        out = find_copies(batch, known)
        assert {a.key: (a.duplicate_of, a.similarity) for a in out} == {
            a.key: expected.get(a.key, (None, None)) for a in batch}
        for a in out:
            own = a.published if a.published_from != "copy" else None
            known.add(a.key, a.text, own, copy_of=a.duplicate_of)
            stored[a.key] = dedupe._entry(a.key, a.text, own, 128)
    assert len(known) == 120 and len(known._nodes) <= len(pool)   # one node per distinct text


def test_removing_every_report_of_a_class_removes_its_node() -> None:
    known = CopyIndex()
    known.add("a", ORIGINAL, TUESDAY)
    known.add("b", ORIGINAL, TUESDAY)
    known.add("c", EDITED_COPY, TUESDAY)
    assert len(known._nodes) == 2
    known.remove("a")
    assert find_copies([art("d", EDITED_COPY)], known)[0].duplicate_of == "b"
    known.remove("b")
    assert len(known._nodes) == 1 and not any(n.links for n in known._nodes.values())
    assert find_copies([art("d", EDITED_COPY)], known)[0].duplicate_of == "c"


def test_a_new_version_of_a_stored_report_is_judged_on_its_new_text() -> None:
    known = CopyIndex()
    known.add("a", ORIGINAL, TUESDAY)
    out = find_copies([art("a", OTHER_OUTLET, TUESDAY), art("b", EDITED_COPY)], known)
    assert [o.duplicate_of for o in out] == [None, None]   # b's only original is a's old text


def test_the_bound_never_rules_out_a_related_pair() -> None:
    table = sigbound.max_jaccard(128)
    assert np.all(np.diff(table) >= 0) and table[-1] == 1.0
    texts = _pool()
    seen = 0
    for a in texts:
        for b in texts:
            ea, eb = dedupe._entry("a", a, None, 128), dedupe._entry("b", b, None, 128)
            assert ea is not None and eb is not None and ea.shingles is not None and eb.shingles is not None
            if a is b or not dedupe._link(ea, eb)[0]:
                continue
            seen += 1
            equal = np.array([np.count_nonzero(ea.sig.hashvalues == eb.sig.hashvalues)])
            assert not sigbound.ruled_out(equal, len(ea.shingles), np.array([len(eb.shingles)]), 128)[0]
    assert seen >= 10


def test_the_bound_rules_out_unrelated_texts_of_similar_length() -> None:
    ea, eb = dedupe._entry("a", ORIGINAL, None, 128), dedupe._entry("b", OTHER_OUTLET, None, 128)
    assert ea is not None and eb is not None and ea.shingles is not None and eb.shingles is not None
    equal = np.array([np.count_nonzero(ea.sig.hashvalues == eb.sig.hashvalues)])
    assert sigbound.ruled_out(equal, len(ea.shingles), np.array([len(eb.shingles)]), 128)[0]
