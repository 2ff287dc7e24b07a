"""BandIndex proposes exactly the candidates datasketch's MinHashLSH did, so copy decisions do not change."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from bench.corpus import records
from tally.models import CleanArticle
from tally.stages import dedupe
from tally.stages.bands import BandIndex, band_ranges
from tally.stages.dedupe import LSH_WEIGHTS, CopyIndex, find_copies, signature


class _DatasketchBands:
    """The index the copy finder used before BandIndex: MinHashLSH behind BandIndex's interface."""

    def __init__(self, threshold: float, num_perm: int, weights: tuple[float, float]) -> None:
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
        self._scheme = signature("one two three four five six").scheme

    def insert(self, key: str, hashvalues: np.ndarray) -> None:
        self._lsh.insert(key, MinHash(hashvalues=hashvalues, scheme=self._scheme))

    def remove(self, key: str) -> None:
        self._lsh.remove(key)

    def query(self, hashvalues: np.ndarray) -> set[str]:
        return set(self._lsh.query(MinHash(hashvalues=hashvalues, scheme=self._scheme)))


def _texts(n: int) -> list[tuple[str, str, str]]:
    return [(r["id"], r["text"], r["published"]) for r in records(n, seed=3)]


def test_band_ranges_are_minhashlsh_bands() -> None:
    lsh = MinHashLSH(threshold=0.5, num_perm=128, weights=LSH_WEIGHTS)
    assert list(band_ranges(0.5, 128, LSH_WEIGHTS)) == list(lsh.hashranges)


def test_query_gives_the_same_candidates_as_minhashlsh() -> None:
    ours, theirs = BandIndex(0.5, 128, LSH_WEIGHTS), _DatasketchBands(0.5, 128, LSH_WEIGHTS)
    sigs = {key: signature(text).hashvalues for key, text, _ in _texts(600)}
    for key, hv in sigs.items():
        assert ours.query(hv) == theirs.query(hv)
        ours.insert(key, hv)
        theirs.insert(key, hv)
    for key in list(sigs)[::3]:
        ours.remove(key)
        theirs.remove(key)
    assert all(ours.query(hv) == theirs.query(hv) for hv in sigs.values())
    assert len(ours) == len(sigs) - len(list(sigs)[::3])


def test_bad_use_is_refused_with_a_clear_error() -> None:
    index = BandIndex(0.5, 128, LSH_WEIGHTS)
    hv = signature("one two three four five six seven").hashvalues
    index.insert("a", hv)
    with pytest.raises(ValueError, match="already indexed"):
        index.insert("a", hv)
    with pytest.raises(ValueError, match="permutations"):
        index.query(hv[:64])


def _decisions(n: int) -> list[tuple[str, str | None, float | None, dt.date | None]]:
    """Copies found batch by batch against a growing index, as tally.pipeline finds them."""
    arts = [CleanArticle(key=k, origin=k, text=t, original=t, published=dt.date.fromisoformat(p),
                         published_from="record") for k, t, p in _texts(n)]
    known, out = CopyIndex(), []
    for i in range(0, n, 200):
        for a in find_copies(arts[i:i + 200], known):
            known.add(a.key, a.text, a.published if a.published_from != "copy" else None, copy_of=a.duplicate_of)
            out.append((a.key, a.duplicate_of, a.similarity, a.published))
    return out


def test_copy_decisions_are_those_of_minhashlsh(monkeypatch: pytest.MonkeyPatch) -> None:
    ours = _decisions(1500)
    monkeypatch.setattr(dedupe, "BandIndex", _DatasketchBands)
    theirs = _decisions(1500)
    assert sum(d[1] is not None for d in ours) > 100   # the corpus has copies to find
    assert ours == theirs
