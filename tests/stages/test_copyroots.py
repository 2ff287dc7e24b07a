"""CopyRoots decides as the copy finder's rule does on signatures, one report at a time, whatever the block size."""
from __future__ import annotations

import numpy as np

from bench.corpus import records
from tally.stages.bands import BandIndex, SortedBands, band_hashes, band_ranges
from tally.stages.copyroots import CopyRoots
from tally.stages.dedupe import LSH_WEIGHTS, signature


def _signatures(n: int) -> np.ndarray:
    return np.stack([signature(r["text"]).hashvalues for r in records(n, seed=3)]).astype(np.uint32)


def _one_at_a_time(sigs: np.ndarray) -> list[int]:
    """Every report in the bands, every candidate checked on all its values: the best match's root."""
    index, roots = BandIndex(0.5, 128, LSH_WEIGHTS), []
    for i, values in enumerate(sigs):
        found = sorted(index.query(values))
        equal = [int(np.count_nonzero(sigs[k] == values)) for k in found]
        matches = [(-e, k) for e, k in zip(equal, found) if e >= 77]   # Jaccard estimate >= 0.6 of 128
        roots.append(roots[min(matches)[1]] if matches else i)
        index.insert(i, values)
    return roots


def test_roots_are_those_of_a_one_at_a_time_search() -> None:
    sigs = _signatures(1200)
    expected = _one_at_a_time(sigs)
    assert sum(r != i for i, r in enumerate(expected)) > 100   # the corpus has copies to find
    for block in (1, 7, 500, 1200):
        index = CopyRoots(capacity=16)
        roots = np.concatenate([index.add(sigs[i:i + block])[0] for i in range(0, len(sigs), block)])
        assert roots.tolist() == expected
    assert index.joined > 0   # demo reports re-used verbatim


def test_similarity_is_the_share_of_equal_values_with_the_root() -> None:
    sigs = _signatures(300)
    roots, similarity = CopyRoots().add(sigs)
    for i, (root, sim) in enumerate(zip(roots, similarity)):
        assert sim == np.count_nonzero(sigs[root] == sigs[i]) / 128
        assert root <= i


def test_sorted_bands_pair_every_id_sharing_a_band() -> None:
    sigs = _signatures(400)
    ranges = band_ranges(0.5, 128, LSH_WEIGHTS)
    hashes = band_hashes(sigs, ranges)
    bands = SortedBands()
    for i in range(0, 300, 50):
        bands.add(np.arange(i, i + 50), hashes[i:i + 50])
    rows, ids = bands.query(hashes[300:])
    index = BandIndex(0.5, 128, LSH_WEIGHTS)
    for i in range(300):
        index.insert(i, sigs[i])
    for row in range(100):
        assert set(ids[rows == row].tolist()) == index.query(sigs[300 + row])
    assert len(bands) == 300 * len(ranges)
