"""LSH bands over MinHash signatures: which indexed keys share a band with a signature.

The same bands as datasketch's ``MinHashLSH(threshold, num_perm, weights)`` (the same rows per band, chosen
by the same optimisation), so it proposes the same candidates; it only keeps less per key and does less per
query, which matters when every report of a large run is inserted and queried. A band is kept as a 64-bit
hash of its rows (Python's ``hash`` of their bytes in ``BandIndex``; ``band_hashes``, vectorised over a block
of signatures, in ``SortedBands``), not as the rows: two different bands share a hash with probability about
2**-64, which would add one candidate that the exact check then judges.

``BandIndex`` takes one key at a time (the copy finder, ``dedupe.py``); ``SortedBands`` takes blocks of
integer ids and answers a block of queries with numpy alone (``copyroots.py``, for runs of millions).
Written by hand: datasketch's MinHashLSH keeps a tuple of byte strings per key and answers one query at a
time in Python, which at a million reports is most of the memory and the time.
"""
from __future__ import annotations

import functools
from collections.abc import Hashable

import numpy as np
from datasketch.lsh import _optimal_param

__all__ = ["BandIndex", "SortedBands", "band_hashes", "band_ranges"]

_NONE = object()
_MUL = np.uint64(0x9E3779B97F4A7C15)
_MIX = np.uint64(0xBF58476D1CE4E5B9)


@functools.lru_cache(maxsize=8)
def band_ranges(threshold: float, num_perm: int, weights: tuple[float, float]) -> tuple[tuple[int, int], ...]:
    """(start, end) of each band in a signature, as ``MinHashLSH(threshold, num_perm, weights).hashranges``."""
    bands, rows = _optimal_param(threshold, num_perm, weights[0], weights[1])
    return tuple((i * rows, (i + 1) * rows) for i in range(bands))


def band_hashes(signatures: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    """(n, bands) uint64: a hash of each band's rows and of the band's position, for (n, num_perm) signatures
    (or one signature of num_perm values: then (bands,)). Equal bands at the same position hash equal."""
    sigs = np.asarray(signatures)
    one = sigs.ndim == 1
    sigs = np.atleast_2d(sigs).astype(np.uint64, copy=False)
    rows = ranges[0][1] - ranges[0][0]
    cells = sigs[:, ranges[0][0]:ranges[-1][1]].reshape(len(sigs), len(ranges), rows)
    h = np.broadcast_to(np.arange(1, len(ranges) + 1, dtype=np.uint64) * _MIX, cells.shape[:2]).copy()
    with np.errstate(over="ignore"):
        for r in range(rows):     # a multiply-xorshift mix, one row at a time (splitmix64's constants)
            h ^= cells[:, :, r]
            h *= _MUL
            h ^= h >> np.uint64(29)
            h *= _MIX
            h ^= h >> np.uint64(32)
    return h[0] if one else h


class BandIndex:
    """Keys by the bands of their signature; ``query`` gives every key sharing at least one band."""

    def __init__(self, threshold: float, num_perm: int, weights: tuple[float, float]) -> None:
        self.ranges = band_ranges(threshold, num_perm, weights)
        self.num_perm = num_perm
        # a bucket holds its one key, or a list once a second key shares the band (most bands are one report's
        # alone, and a list per band and report is most of the memory; keys are hashable, so never lists)
        self._buckets: list[dict[int, object]] = [{} for _ in self.ranges]
        self._keys: dict[Hashable, np.ndarray] = {}   # key -> its band hashes (int64), to remove it

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def _hashes(self, hashvalues: np.ndarray) -> list[int]:
        if len(hashvalues) != self.num_perm:
            raise ValueError(f"signature has {len(hashvalues)} permutations, the bands need {self.num_perm}")
        raw = np.ascontiguousarray(hashvalues).tobytes()
        size = hashvalues.dtype.itemsize
        return [hash(raw[start * size:end * size]) for start, end in self.ranges]   # one bucket dict per band

    def insert(self, key: Hashable, hashvalues: np.ndarray) -> None:
        if key in self._keys:
            raise ValueError(f"key {key!r} is already indexed: remove it first")
        hashes = self._hashes(hashvalues)
        for bucket, band in zip(self._buckets, hashes):
            held = bucket.get(band, _NONE)
            if held is _NONE:
                bucket[band] = key
            elif isinstance(held, list):
                held.append(key)
            else:
                bucket[band] = [held, key]
        self._keys[key] = np.array(hashes, dtype=np.int64)

    def remove(self, key: Hashable) -> None:
        hashes = self._keys.pop(key)
        for bucket, band in zip(self._buckets, hashes.tolist()):
            held = bucket[band]
            if not isinstance(held, list):
                del bucket[band]
                continue
            held.remove(key)
            if len(held) == 1:
                bucket[band] = held[0]

    def query(self, hashvalues: np.ndarray) -> set[Hashable]:
        found: set[Hashable] = set()
        for bucket, band in zip(self._buckets, self._hashes(hashvalues)):
            held = bucket.get(band, _NONE)
            if isinstance(held, list):
                found.update(held)
            elif held is not _NONE:
                found.add(held)
        return found


class SortedBands:
    """Integer ids by their band hashes, added and queried a block at a time, never removed.

    The (hash, id) pairs are kept in a few sorted numpy runs, as a log-structured merge tree: a new block
    becomes a run, and a run is merged into the one before while that one is at most twice its size, so there
    are about log2(size / block) runs and each pair is merged that many times (each merge is a stable sort of
    two sorted runs, which numpy does in linear time). A query is a binary search per run for every band of
    every signature of the block. 12 bytes per band and id (ids under 2**31).
    """

    def __init__(self) -> None:
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []   # (sorted hashes, ids)

    def __len__(self) -> int:
        return sum(len(keys) for keys, _ in self._runs)

    def add(self, ids: np.ndarray, hashes: np.ndarray) -> None:
        """Index ``ids`` (n,) with their band hashes (n, bands)."""
        if not len(ids):
            return
        keys = hashes.ravel()
        order = np.argsort(keys, kind="stable")
        ids = np.asarray(ids)
        ids = ids.astype(np.int32 if ids.max() < 2 ** 31 and ids.min() >= -2 ** 31 else np.int64)
        self._runs.append((keys[order], np.repeat(ids, hashes.shape[1])[order]))
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (k1, i1), (k2, i2) = self._runs.pop(-2), self._runs.pop()
            keys, held = np.concatenate([k1, k2]), np.concatenate([i1, i2])
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], held[order]))

    def query(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (row of ``hashes``, indexed id) sharing a band: two arrays, one pair per shared band (an id
        sharing two bands with a row comes twice)."""
        wanted = hashes.ravel()
        order = np.argsort(wanted)
        wanted, row_of = wanted[order], order // hashes.shape[1]
        rows_out, ids_out = [], []
        for keys, ids in self._runs:
            lo = np.searchsorted(keys, wanted, "left")
            hit = np.take(keys, lo, mode="clip") == wanted   # most bands are no other report's: search those once
            if not hit.any():
                continue
            lo = lo[hit]
            count = np.searchsorted(keys, wanted[hit], "right") - lo
            total = int(count.sum())
            ends = np.cumsum(count)
            pos = np.arange(total) - np.repeat(ends - count - lo, count)   # lo[k] .. lo[k]+count[k]-1, concatenated
            ids_out.append(ids[pos])
            rows_out.append(np.repeat(row_of[hit], count))
        if not ids_out:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        return np.concatenate(rows_out), np.concatenate(ids_out)
