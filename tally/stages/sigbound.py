"""Rule out candidate copies on their MinHash signatures before the exact shingle check.

The copy finder confirms each LSH candidate pair on the exact shingle sets (``dedupe._link``): related when
Jaccard >= 0.6 or one text's shingles lie >= 0.8 in the other's. For texts of ``a`` and ``b`` shingles
that needs at least ``min(0.375 (a + b), 0.8 min(a, b))`` shared shingles, so a Jaccard of at least
``j_min(a, b)``. The signatures' count of equal values ``m`` is Binomial(num_perm, Jaccard) (each value
of a MinHash is equal with probability J); when ``m`` is so low that it has probability under ``EPS``
for any J >= j_min, the pair is ruled out without intersecting the sets. LSH already misses 2% of the
pairs at Jaccard 0.6; this rules out a related pair with probability under EPS (1e-9).

Written here because no library gives the bound; numpy does the arithmetic.
"""
from __future__ import annotations

import functools
import math

import numpy as np

EPS = 1e-9
_GRID = 4096


@functools.lru_cache(maxsize=4)
def max_jaccard(num_perm: int) -> np.ndarray:
    """For each count m of equal values (0..num_perm): the largest Jaccard (on a grid, rounded up) under
    which m or fewer equal values has probability at least EPS."""
    p = np.linspace(0.0, 1.0, _GRID + 1)[1:-1, None]
    k = np.arange(num_perm + 1)[None, :]
    log_comb = np.array([math.lgamma(num_perm + 1) - math.lgamma(i + 1) - math.lgamma(num_perm - i + 1)
                         for i in range(num_perm + 1)])[None, :]
    pmf = np.exp(log_comb + k * np.log(p) + (num_perm - k) * np.log1p(-p))
    cdf = np.cumsum(pmf, axis=1)                      # P(X <= m | p), rows p, columns m
    plausible = cdf >= EPS
    # the last grid p where m is still plausible, then one step up (never rule out a pair too eagerly)
    last = np.where(plausible.any(axis=0), plausible.shape[0] - 1 - np.argmax(plausible[::-1], axis=0), -1)
    return np.minimum(1.0, (last + 2) / _GRID)


def j_min(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The least Jaccard of two shingle sets of sizes ``a`` and ``b`` that the copy finder can call related."""
    common = np.minimum(0.375 * (a + b), 0.8 * np.minimum(a, b))
    return common / (a + b - common)


def ruled_out(equal: np.ndarray, a: int, b: np.ndarray, num_perm: int) -> np.ndarray:
    """Which pairs (``equal`` signature values, sizes ``a`` and ``b``) cannot be related but with
    probability under EPS."""
    return max_jaccard(num_perm)[equal] < j_min(np.float64(a), b.astype(np.float64))
