"""LSH bands over MinHash signatures: which indexed keys share a band with a signature.

The same bands as datasketch's ``MinHashLSH(threshold, num_perm, weights)`` (the same rows per band, chosen
by the same optimisation), so it proposes exactly the same candidates; it only keeps less per key and does
less per query (a band's key is the raw bytes of its hash values, no byte swapping, no storage layer),
which matters when every report of a large run is inserted and queried.
"""
from __future__ import annotations

import functools
from collections.abc import Hashable, Iterator
from typing import Any

import numpy as np
from datasketch.lsh import _optimal_param

__all__ = ["BandIndex", "band_ranges"]

_NONE = object()


@functools.lru_cache(maxsize=8)
def band_ranges(threshold: float, num_perm: int, weights: tuple[float, float]) -> tuple[tuple[int, int], ...]:
    """(start, end) of each band in a signature, as ``MinHashLSH(threshold, num_perm, weights).hashranges``."""
    bands, rows = _optimal_param(threshold, num_perm, weights[0], weights[1])
    return tuple((i * rows, (i + 1) * rows) for i in range(bands))


class BandIndex:
    """Keys by the bands of their signature; ``query`` gives every key sharing at least one band."""

    def __init__(self, threshold: float, num_perm: int, weights: tuple[float, float]) -> None:
        self.ranges = band_ranges(threshold, num_perm, weights)
        self.num_perm = num_perm
        # a bucket holds its one key, or a list once a second key shares the band (most bands are one report's
        # alone, and a list per band and report is most of the memory; keys are hashable, so never lists)
        self._buckets: list[dict[bytes, Any]] = [{} for _ in self.ranges]
        self._keys: dict[Hashable, tuple[bytes, ...]] = {}

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def bands(self, hashvalues: np.ndarray) -> Iterator[bytes]:
        if len(hashvalues) != self.num_perm:
            raise ValueError(f"signature has {len(hashvalues)} permutations, the bands need {self.num_perm}")
        raw = np.ascontiguousarray(hashvalues).tobytes()
        size = hashvalues.dtype.itemsize
        return (raw[start * size:end * size] for start, end in self.ranges)

    def insert(self, key: Hashable, hashvalues: np.ndarray) -> None:
        if key in self._keys:
            raise ValueError(f"key {key!r} is already indexed: remove it first")
        bands = tuple(self.bands(hashvalues))
        for bucket, band in zip(self._buckets, bands):
            held = bucket.get(band, _NONE)
            if held is _NONE:
                bucket[band] = key
            elif isinstance(held, list):
                held.append(key)
            else:
                bucket[band] = [held, key]
        self._keys[key] = bands

    def remove(self, key: Hashable) -> None:
        bands = self._keys.pop(key)
        for bucket, band in zip(self._buckets, bands):
            held = bucket[band]
            if not isinstance(held, list):
                del bucket[band]
                continue
            held.remove(key)
            if len(held) == 1:
                bucket[band] = held[0]

    def query(self, hashvalues: np.ndarray) -> set[Hashable]:
        found: set[Hashable] = set()
        for bucket, band in zip(self._buckets, self.bands(hashvalues)):
            held = bucket.get(band, _NONE)
            if isinstance(held, list):
                found.update(held)
            elif held is not _NONE:
                found.add(held)
        return found
