"""Find syndicated copies and near-copies of reports (``dedupe = "minhash.v1"``).

Each report becomes the set of its word 5-shingles (normalised text) and a MinHash of that set.
LSH bands over the MinHash (``bands.py``, datasketch's MinHashLSH bands) propose candidates; an exact measure on the shingle sets confirms them:

* Jaccard >= ``JACCARD_MIN``: the same report with a few words changed, or
* containment of the copy in the original >= ``CONTAINMENT_MIN``: a copy that is a trimmed or
  truncated version of a longer original.

How it scales: the index (``CopyIndex``) is a graph with one node per class of identical reports (a story
re-published word for word is one node) and an edge where one report may copy the other (related, and
adding no figure), judged once when the later node is added. A batch walks only the edges its decisions
depend on; LSH candidates whose signatures make a relation implausible are ruled out before the exact
check (``sigbound``); shingles are held as sorted 64-bit hashes and intersected with numpy.

A copy of a report adds a source, never a figure (CODING_RULES.md). Marking a report as a copy hides
its figures from the ledger, so a report that carries a figure its would-be original lacks is never
marked a copy (``_figures_ok``): a wire story re-used with a new lead is a new report.

Not done here, to consider: heavier rewrites (the same wire story paraphrased sentence by sentence)
share few 5-shingles. A sentence-embedding check (mean cosine of best-matching sentence pairs) on
pairs that share a date, a place and a figure would catch them; it needs a model, so it belongs in
its own versioned deduper ("embedding.v1"), run after this one.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import struct
import unicodedata
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from datasketch import MinHash

from tally.stages.bands import BandIndex, band_ranges
from tally.stages.sigbound import ruled_out

from tally.errors import StageError
from tally.models import CleanArticle

__all__ = [
    "NAME", "CopyIndex", "band_keys", "find_copies", "signature", "signature_bytes", "signature_from_bytes",
]

log = logging.getLogger(__name__)

NAME = "minhash.v1"
SHINGLE = 5
SEED = 1
MIN_WORDS = 25        # shorter texts (briefs, captions) share too few shingles to judge
# The thresholds were set on the texts written for tests/stages/test_dedupe.py (exact measures,
# Jaccard J / containment C of the copy in the original):
#   copy with a headline added, a sentence dropped, 4 words respelled    J 0.73  C 0.85
#   copy with 9 short phrases reworded (each step of the chain test)     J 0.65-0.71  C 0.79-0.83
#   copy cut to its first 60%                                            J 0.59  C 1.00
#   the same reworded twice over (18 phrases: a rewrite, not a copy)     J 0.45  C 0.62
#   half wire boilerplate, half a different lead                         J 0.49  C 0.66
#   the same event told by another outlet                                J 0.00  C 0.00
# Each word edit removes up to five shingles, so Jaccard 0.6 tolerates about one edit in twenty
# words. Containment 0.8 sits between trimmed copies (0.8-1.0 even with a few edits) and stories
# that share a block of boilerplate (0.66 at half the text). A story that is mostly boilerplate
# (J 0.82 / C 0.90 with a one-sentence lead) passes both; the figure guard keeps it apart.
JACCARD_MIN = 0.6
CONTAINMENT_MIN = 0.8
# LSH only proposes candidates and the exact check removes false ones, so weigh missed candidates
# heavier: with threshold 0.5 this gives 30 bands of 4 rows, which proposes a pair of Jaccard 0.6
# with probability 0.98 (0.87 with the default weights). LSH sees Jaccard, not containment: a copy
# that keeps less than about half of its original is not proposed (MinHashLSHEnsemble would be).
LSH_WEIGHTS = (0.2, 0.8)

_HEADER = struct.Struct("<4sBIq")   # magic, scheme code, num_perm, seed
_MAGIC = b"TMH1"
_SCHEMES = {1: ("affine32", "<u4"), 2: ("affine64", "<u8"), 3: ("legacy", "<u8")}
_SCHEME_CODES = {name: code for code, (name, _) in _SCHEMES.items()}

_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
_MONTHS = frozenset(
    "january february march april may june july august september october november december".split())
_CLOCK = frozenset({"am", "pm", "gmt", "utc"})
_NOT_FIGURES = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}:\d{2}\b")
_FIGURE_TOKEN = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[^\W\d_]+")


# ---------------------------------------------------------------- text -> shingles -> signature

def _tokens(text: str) -> list[str]:
    """Lowercase words; digits and number words kept, punctuation dropped ("1,200" -> "1200")."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"(?<=\d)[,.:](?=\d)", "", text)
    text = re.sub(r"['’`]", "", text)
    return [_fold(t) for t in re.sub(r"[\W_]+", " ", text).split()]


# Syndicated copies often differ only in house style: "nine" for "9", "defence" for "defense".
_SPELLING = [(re.compile(p), r) for p, r in (
    (r"our$", "or"), (r"ence$", "ense"), (r"(?<=[a-z]{3})is(e|ed|es|ing|ation)$", r"iz\1"), (r"tre$", "ter"),
    (r"(?<=[a-z])ll(ed|ing)$", r"l\1"))]


@functools.lru_cache(maxsize=1 << 17)   # news vocabulary is small: fold each word once per process
def _fold(token: str) -> str:
    if token in _UNITS:
        return str(_UNITS[token])
    if token in _TENS:
        return str(_TENS[token])
    if len(token) > 4:
        for rx, rep in _SPELLING:
            token = rx.sub(rep, token)
    return token


def _shingles(tokens: Sequence[str]) -> frozenset[str]:
    if len(tokens) <= SHINGLE:
        return frozenset([" ".join(tokens)]) if tokens else frozenset()
    return frozenset(" ".join(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


@functools.lru_cache(maxsize=4)
def _permutations(num_perm: int) -> tuple[object, str]:
    """The seeded permutations and scheme, drawn once instead of for every report (the same values)."""
    m = MinHash(num_perm=num_perm, seed=SEED)
    return m.permutations, m.scheme


def _minhash(shingles: Iterable[str], num_perm: int) -> MinHash:
    permutations, scheme = _permutations(num_perm)
    m = MinHash(num_perm=num_perm, seed=SEED, permutations=permutations, scheme=scheme)  # type: ignore[arg-type]
    m.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return m


def signature(text: str, num_perm: int = 128) -> MinHash:
    """MinHash of the word 5-shingles of the normalised text."""
    return _minhash(_shingles(_tokens(text)), num_perm)


def signature_bytes(m: MinHash) -> bytes:
    """A compact, portable encoding of a MinHash (17-byte header + 4 bytes per permutation)."""
    code = _SCHEME_CODES.get(m.scheme)
    if code is None:
        raise ValueError(f"cannot encode a MinHash with scheme {m.scheme!r}")
    values = np.asarray(m.hashvalues).astype(_SCHEMES[code][1])
    return _HEADER.pack(_MAGIC, code, len(values), int(m.seed)) + values.tobytes()


def signature_from_bytes(b: bytes) -> MinHash:
    """Rebuild a MinHash written by ``signature_bytes``."""
    if len(b) < _HEADER.size:
        raise ValueError(f"signature too short ({len(b)} bytes): not written by signature_bytes()")
    magic, code, num_perm, seed = _HEADER.unpack_from(b)
    if magic != _MAGIC or code not in _SCHEMES:
        raise ValueError("not a signature written by signature_bytes(): bad header")
    scheme, dtype = _SCHEMES[code]
    values = np.frombuffer(b, dtype=dtype, offset=_HEADER.size)
    if len(values) != num_perm:
        raise ValueError(f"signature holds {len(values)} values, header says {num_perm}: truncated?")
    return MinHash(seed=seed, hashvalues=values, scheme=scheme)  # type: ignore[arg-type]


# ---------------------------------------------------------------- figures (the copy guard)

def _number_at(tokens: Sequence[str], i: int) -> int | None:
    """The number that starts at ``tokens[i]`` ("14", "2,000", "twenty five", "1.5 million"), if any."""
    tok, prev = tokens[i], tokens[i - 1] if i else ""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    value: float
    if tok[0].isdigit():
        value = float(tok.replace(",", ""))
    elif tok in _TENS:
        value = _TENS[tok] + (_UNITS[nxt] if 0 < _UNITS.get(nxt, 0) < 10 else 0)
    elif tok in _UNITS and not (prev in _TENS and 0 < _UNITS[tok] < 10):
        value = _UNITS[tok]
    elif tok == "dozen":
        value = 12
    else:
        return None
    if tok in _TENS and 0 < _UNITS.get(nxt, 0) < 10:
        nxt = tokens[i + 2] if i + 2 < len(tokens) else ""
    return int(value * _SCALES.get(nxt, 1))


def _figures(text: str) -> frozenset[int]:
    """Numbers in the text that could be figures: not years, not dates, not clock times."""
    tokens = _FIGURE_TOKEN.findall(_NOT_FIGURES.sub(" ", unicodedata.normalize("NFKC", text).lower()))
    found = set()
    for i, tok in enumerate(tokens):
        value = _number_at(tokens, i)
        if value is None or (tok.isdigit() and len(tok) == 4 and 1900 <= value <= 2100):
            continue
        near = {tokens[i - 1] if i else "", tokens[i + 1] if i + 1 < len(tokens) else ""}
        if not near & _MONTHS and not (tok[0].isdigit() and near & _CLOCK):
            found.add(value)
    return frozenset(found)


# ---------------------------------------------------------------- entries and measures

@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    sig: MinHash
    shingles: np.ndarray | None         # the shingles' hashes, sorted (int64); None when only the signature is known
    figures: frozenset[int] | None
    words: int                          # exact, or estimated from the signature
    published: dt.date | None


def _entry(key: str, text_or_sig: str | MinHash, published: dt.date | None, num_perm: int) -> _Entry | None:
    if isinstance(text_or_sig, MinHash):
        if len(text_or_sig) != num_perm:
            raise ValueError(f"signature of {key!r} has {len(text_or_sig)} permutations, index has {num_perm}")
        words = round(text_or_sig.count()) + SHINGLE - 1
        return _Entry(key, text_or_sig, None, None, words, published)
    parts = _text_parts(text_or_sig, num_perm)
    if parts is None:
        log.debug("%s: under %d words, too short to judge as a copy", key, MIN_WORDS)
        return None
    sig, shingles, figures, words = parts
    return _Entry(key, sig, shingles, figures, words, published)


@functools.lru_cache(maxsize=2048)   # find_copies and then CopyIndex.add read the same texts: hash them once
def _text_parts(text: str, num_perm: int) -> tuple[MinHash, np.ndarray, frozenset[int], int] | None:
    """Signature, shingles, figures and word count. The shingles are kept as their 64-bit hashes in a sorted
    array: 8 bytes each instead of a string in a set (~10 KB a report), and intersected in bulk (``_commons``).
    Python's string hash is seeded per process, so the hashes are compared only within one index."""
    tokens = _tokens(text)
    if len(tokens) < MIN_WORDS:
        return None
    shingles = _shingles(tokens)
    hashed = np.unique(np.fromiter(map(hash, shingles), dtype=np.int64, count=len(shingles)))
    return _minhash(shingles, num_perm), hashed, _figures(text), len(tokens)


def _commons(query: np.ndarray, arrays: Sequence[np.ndarray]) -> np.ndarray:
    """How many values of the sorted array ``query`` each of the sorted, non-empty ``arrays`` holds."""
    joined = np.concatenate(arrays)
    at = np.minimum(np.searchsorted(query, joined), len(query) - 1)
    starts = np.cumsum([0, *(len(a) for a in arrays[:-1])])
    return np.add.reduceat(query[at] == joined, starts, dtype=np.int64)


def _common(a: _Entry, b: _Entry) -> int | None:
    """Shingles the two texts share; None when a signature stands in for either text."""
    if a.shingles is None or b.shingles is None:
        return None
    return int(_commons(a.shingles, [b.shingles])[0]) if len(a.shingles) and len(b.shingles) else 0


def _measure(copy: _Entry, original: _Entry, common: int | None = None) -> tuple[float, float]:
    """Jaccard and containment of ``copy`` in ``original``; ``common`` is their shared shingles when known."""
    if copy.shingles is not None and original.shingles is not None:
        if common is None:
            common = _common(copy, original)
        union = len(copy.shingles) + len(original.shingles) - common
        return common / union if union else 0.0, common / len(copy.shingles) if len(copy.shingles) else 0.0
    j = copy.sig.jaccard(original.sig)
    size_c, size_o = _size(copy), _size(original)
    return float(j), float(min(1.0, j * (size_c + size_o) / ((1.0 + j) * size_c)))


def _size(e: _Entry) -> float:
    return float(len(e.shingles)) if e.shingles is not None else max(1.0, float(e.sig.count()))


def _score(copy: _Entry, original: _Entry, common: int | None = None) -> float:
    return round(max(_measure(copy, original, common)), 4)


def _is_copy(copy: _Entry, original: _Entry, common: int | None = None) -> bool:
    jaccard, containment = _measure(copy, original, common)
    return jaccard >= JACCARD_MIN or containment >= CONTAINMENT_MIN


def _link(a: _Entry, b: _Entry) -> tuple[bool, int | None]:
    """Whether ``_is_copy(a, b) or _is_copy(b, a)``, and the shared shingles to reuse for their measures
    (the shingle sets are intersected once: most candidate pairs are not copies)."""
    common = _common(a, b)
    if common is None or not len(a.shingles) or not len(b.shingles):  # type: ignore[arg-type]
        return _is_copy(a, b) or _is_copy(b, a), common
    return bool(_related_counts(common, len(a.shingles), len(b.shingles))), common  # type: ignore[arg-type]


def _related_counts(common: Any, mine: Any, theirs: Any) -> Any:
    """``_link`` on counts: shared shingles and each text's, as ints or as numpy arrays (one answer per pair)."""
    return ((common / (mine + theirs - common) >= JACCARD_MIN) | (common / mine >= CONTAINMENT_MIN)
            | (common / theirs >= CONTAINMENT_MIN))


def _figures_ok(copy: _Entry, original: _Entry) -> bool:
    """A copy adds a source, never a figure: refuse when the copy has a figure the original lacks."""
    if copy.figures is None or original.figures is None:
        return True   # signature only: no figures to compare
    return copy.figures <= original.figures


def _may_copy(copy: _Entry, original: _Entry, common: int | None) -> bool:
    """Whether ``copy`` can ever be marked a copy of ``original``: the only pairs ``_assign`` can match."""
    return _is_copy(copy, original, common) and _figures_ok(copy, original)


def _class(e: _Entry) -> Hashable:
    """What every measure and guard reads. Reports of one class (a wire story re-published word for word)
    are interchangeable but for their key and date, so the index keeps one node per class."""
    if e.shingles is not None:
        return e.shingles.tobytes(), e.figures, e.words
    return e.sig.hashvalues.tobytes(), e.words


# ---------------------------------------------------------------- the index

@dataclass(slots=True)
class _Node:
    """The reports of one class: ``rep`` carries the class's text and measures; ``links`` maps each node this
    class may copy (``_may_copy``) to the shingles the two share; ``copied_by`` holds the nodes that may copy it."""
    rep: _Entry
    cls: Hashable   # _class(rep)
    entries: dict[str, _Entry]
    links: dict[int, int | None]
    copied_by: set[int]


class CopyIndex:
    """Reports seen before, by key: LSH bands propose candidates, the exact measure confirms.

    The store keeps ``signature_bytes`` per report and rebuilds the index on the next run with
    ``add(key, signature_from_bytes(b), published)``. Pass the text instead when it is at hand: the
    exact measure and the figure guard need it; a bare signature is confirmed on MinHash estimates.

    Reports are held as a graph: one node per class of identical reports (``_class``), an edge between
    related nodes, judged once when the later node is added. ``find_copies`` walks the edges instead of
    judging the same stored pairs again for every batch; a story re-published a thousand times is one
    node, not a thousand reports related to each other.
    """

    def __init__(self, threshold: float = 0.5, num_perm: int = 128) -> None:
        self.threshold = threshold
        self.num_perm = num_perm
        self._lsh = BandIndex(threshold, num_perm, LSH_WEIGHTS)   # node ids
        self._entries: dict[str, _Entry] = {}
        self._roots: dict[str, str] = {}
        self._nodes: dict[int, _Node] = {}
        self._node_of: dict[str, int] = {}
        self._by_class: dict[Hashable, int] = {}
        self._next_id = 0
        self._sigs = np.zeros((64, num_perm), dtype=np.uint32)   # row = node id (affine32 values)
        self._sizes = np.zeros(64, dtype=np.int64)               # shingles, 0 for a bare signature
        # the related nodes find_copies found for the last batch's new classes, and the next node id then:
        # adding the batch afterwards judges only the nodes added since
        self._judged: dict[Hashable, tuple[int, list[tuple[int, int | None]]]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def add(self, key: str, text_or_sig: str | MinHash, published: dt.date | None = None,
            *, copy_of: str | None = None) -> None:
        """Index a report. ``published`` is its own date, not one inherited from its original;
        ``copy_of`` is the root it was found to copy, if any. Texts under MIN_WORDS are skipped."""
        entry = _entry(key, text_or_sig, published, self.num_perm)
        if entry is None:
            return
        self._put(entry)
        if copy_of is not None and copy_of != key:
            self._roots[key] = copy_of
        else:
            self._roots.pop(key, None)

    def remove(self, key: str) -> None:
        """Forget a report, e.g. to look at it again as a member of a new batch."""
        if key in self._entries:
            self._drop(key)
        self._roots.pop(key, None)

    def find(self, key: str, text: str) -> tuple[str, float] | None:
        """The indexed report that ``text`` copies (its root when known) and the similarity."""
        entry = _entry(key, text, None, self.num_perm)
        if entry is None:
            return None
        candidates = (o for n in self._lsh.query(entry.sig.hashvalues) for o in self._nodes[n].entries.values())
        matches = [o for o in sorted(candidates, key=lambda o: o.key)
                   if o.key != key and _is_copy(entry, o) and _figures_ok(entry, o)]
        if not matches:
            return None
        best = max(matches, key=lambda o: _score(entry, o))
        root = self._entries.get(self._roots.get(best.key, best.key), best)
        return root.key, _score(entry, root)

    def _put(self, entry: _Entry) -> None:
        if entry.key in self._entries:
            self._drop(entry.key)
        cls = _class(entry)
        node_id = self._by_class.get(cls)
        if node_id is None:
            node_id = self._new_node(entry, cls)
        else:   # share the class's shingles instead of holding an equal copy
            entry = replace(self._nodes[node_id].rep, key=entry.key, published=entry.published)
        self._nodes[node_id].entries[entry.key] = entry
        self._entries[entry.key] = entry
        self._node_of[entry.key] = node_id

    def _new_node(self, entry: _Entry, cls: Hashable) -> int:
        node_id, self._next_id = self._next_id, self._next_id + 1
        node = _Node(entry, cls, {}, {}, set())
        since, judged = self._judged.pop(cls, (0, []))
        for other_id, common in [*((i, c) for i, c in judged if i in self._nodes), *self._related(entry, since)]:
            other = self._nodes[other_id]
            if _may_copy(entry, other.rep, common):
                node.links[other_id] = common
                other.copied_by.add(node_id)
            if _may_copy(other.rep, entry, common):
                other.links[node_id] = common
                node.copied_by.add(other_id)
        self._lsh.insert(node_id, entry.sig.hashvalues)
        if node_id == len(self._sizes):
            self._sigs = np.concatenate([self._sigs, np.zeros_like(self._sigs)])
            self._sizes = np.concatenate([self._sizes, np.zeros_like(self._sizes)])
        self._sigs[node_id] = entry.sig.hashvalues
        self._sizes[node_id] = len(entry.shingles) if entry.shingles is not None else 0
        self._nodes[node_id] = node
        self._by_class[cls] = node_id
        return node_id

    def _related(self, entry: _Entry, since: int = 0) -> Iterator[tuple[int, int | None]]:
        """The nodes (from id ``since`` on) related to ``entry`` (``_link``) and the shingles each shares with
        it. LSH proposes candidates; those whose signatures rule them out (``sigbound``) are not intersected."""
        ids = np.fromiter((i for i in self._lsh.query(entry.sig.hashvalues) if i >= since), dtype=np.int64)
        if entry.shingles is None or not len(ids):
            bare = ids
        else:
            equal = np.count_nonzero(self._sigs[ids] == entry.sig.hashvalues, axis=1)
            sizes = self._sizes[ids]
            ids = ids[(sizes == 0) | ~ruled_out(equal, len(entry.shingles), np.maximum(sizes, 1), self.num_perm)]
            bare, ids = ids[self._sizes[ids] == 0], ids[self._sizes[ids] > 0]
            yield from self._related_texts(entry.shingles, ids)
        for other_id in bare.tolist():
            related, common = _link(entry, self._nodes[other_id].rep)
            if related:
                yield other_id, common

    def _related_texts(self, shingles: np.ndarray, ids: np.ndarray) -> Iterator[tuple[int, int]]:
        """``_link`` on the exact shingles, for every node of ``ids`` (texts, not bare signatures) at once."""
        if not len(ids):
            return
        common = _commons(shingles, [self._nodes[i].rep.shingles for i in ids.tolist()])  # type: ignore[misc]
        related = _related_counts(common, len(shingles), self._sizes[ids])
        yield from zip(ids[related].tolist(), common[related].tolist())

    def _drop(self, key: str) -> None:
        del self._entries[key]
        node_id = self._node_of.pop(key)
        node = self._nodes[node_id]
        del node.entries[key]
        if not node.entries:
            self._lsh.remove(node_id)
            for other_id in node.links:
                self._nodes[other_id].copied_by.discard(node_id)
            for other_id in node.copied_by:
                del self._nodes[other_id].links[node_id]
            del self._nodes[node_id]
            del self._by_class[node.cls]


# ---------------------------------------------------------------- the stage

def band_keys(text: str, threshold: float = 0.5, num_perm: int = 128) -> list[bytes]:
    """The LSH buckets a ``CopyIndex(threshold, num_perm)`` puts this report in: two reports are candidate
    copies exactly when they share one. Empty for a text too short to judge. For a distributed run, where
    candidates are found by joining on these keys instead of querying one index."""
    entry = _entry("", text, None, num_perm)
    if entry is None:
        return []
    ranges = band_ranges(threshold, num_perm, LSH_WEIGHTS)
    return [bytes([i]) + entry.sig.hashvalues[start:end].tobytes() for i, (start, end) in enumerate(ranges)]


def find_copies(articles: Sequence[CleanArticle], known: CopyIndex | None = None) -> list[CleanArticle]:
    """Return ``articles`` (same order) with ``duplicate_of``/``similarity`` set on copies.

    The original of a group is the earliest published report; on a tie or a missing date, the one
    already in ``known``, then the longer text, then the smaller key. A copy points at the root of
    its group and, lacking a date of its own, takes the original's (``published_from="copy"``).
    ``known`` is only read; add the new reports to it (or to the store) afterwards.
    """
    threshold, num_perm = (known.threshold, known.num_perm) if known is not None else (0.5, 128)
    local = CopyIndex(threshold, num_perm)
    for entry in _batch_entries(articles, num_perm):
        local._put(entry)
    graph = _closure(local, known if known is not None else CopyIndex(threshold, num_perm))
    members = {e.key: e for e in graph.entries()}
    stored = frozenset(k for k in members if known is not None and k in known)
    found = _assign(graph, stored)
    if known is not None:
        _report_stored(found, stored - set(local._entries), known)
    return [_mark(a, found.get(a.key), members) for a in articles]


def _batch_entries(articles: Sequence[CleanArticle], num_perm: int) -> list[_Entry]:
    texts: dict[str, str] = {}
    entries = []
    for a in articles:
        if a.key in texts:
            if texts[a.key] != a.text:
                raise StageError(f"two different reports share the key {a.key!r}: give each report its own key")
            continue
        texts[a.key] = a.text
        own_date = None if a.published_from == "copy" else a.published   # an inherited date is no evidence
        entry = _entry(a.key, a.text, own_date, num_perm)
        if entry is not None:
            entries.append(entry)
    return entries


@dataclass(slots=True)
class _Graph:
    """The classes a batch reaches: batch nodes get negative ids, stored nodes keep the index's."""
    members: dict[int, list[_Entry]]
    links: dict[int, dict[int, int | None]]

    def entries(self) -> Iterator[_Entry]:
        return (e for es in self.members.values() for e in es)


def _closure(local: CopyIndex, known: CopyIndex) -> _Graph:
    """What the batch's decisions depend on: the batch, the stored reports it may copy, the ones those may
    copy, and so on (``_assign`` matches a report only to one it may copy, and takes that one's root); and
    the stored reports that may copy a batch report, whose decisions the batch can change (they are logged).
    A stored report the batch holds again (a new version) is read from the batch; stored pairs are not
    judged again."""
    ids = {n: known._by_class.get(node.cls, -1 - n) for n, node in local._nodes.items()}
    graph = _Graph({}, {})
    known._judged.clear()
    queue: deque[int] = deque()
    for n, node in local._nodes.items():
        mine = graph.links.setdefault(ids[n], {})
        graph.members.setdefault(ids[n], []).extend(node.entries.values())
        mine.update((ids[other], common) for other, common in node.links.items())
        if ids[n] >= 0:   # the batch holds a class already stored: its stored links hold
            queue.append(ids[n])
            queue.extend(k for k in known._nodes[ids[n]].copied_by if _live(known._nodes[k], local))
            continue
        related = known._judged[node.cls] = (known._next_id, list(known._related(node.rep)))
        for other, common in related[1]:
            if not _live(known._nodes[other], local):
                continue
            if _may_copy(node.rep, known._nodes[other].rep, common):
                mine[other] = common
                queue.append(other)
            if _may_copy(known._nodes[other].rep, node.rep, common):
                graph.links.setdefault(other, {})[ids[n]] = common
                queue.append(other)
    seen: set[int] = set()
    while queue:
        n = queue.popleft()
        if n in seen:
            continue
        seen.add(n)
        node, mine = known._nodes[n], graph.links.setdefault(n, {})
        graph.members.setdefault(n, []).extend(e for k, e in node.entries.items() if k not in local._entries)
        for other, common in node.links.items():
            if _live(known._nodes[other], local):
                mine[other] = common
                queue.append(other)
    return graph


def _live(node: _Node, local: CopyIndex) -> bool:
    """Whether a stored node holds a report the batch does not replace."""
    return any(k not in local._entries for k in node.entries)


def _order_key(e: _Entry, stored: bool) -> tuple[bool, dt.date, bool, int, str]:
    """Originals first: dated before undated, earliest, already stored, longest, smallest key."""
    return e.published is None, e.published or dt.date.max, not stored, -e.words, e.key


def _assign(graph: _Graph, stored: frozenset[str]) -> dict[str, tuple[str, float]]:
    """Walk the reports originals-first; each copies the best earlier match and joins its root.

    Only the first report of a class (in this order) is judged: a later one of the same class has the
    same measures against every report, and an earlier report of its own class matches it with the
    highest score, so it copies what the first did (or the first itself, when that is an original).
    Likewise, of the reports of another class only that class's first can be a best match."""
    node_of = {e.key: n for n, es in graph.members.items() for e in es}
    order = sorted(graph.entries(), key=lambda e: _order_key(e, e.key in stored))
    rank = {e.key: i for i, e in enumerate(order)}
    first: dict[int, _Entry] = {}
    roots: dict[str, str] = {}
    found: dict[str, tuple[str, float]] = {}
    members = {e.key: e for e in order}
    for e in order:
        n = node_of[e.key]
        if n in first:
            head = first[n]
            roots[e.key] = roots[head.key]
            found[e.key] = found.get(head.key, (head.key, 1.0))
            continue
        first[n] = e
        links = graph.links[n]
        earlier = sorted((first[m] for m in links if m in first), key=lambda o: rank[o.key])
        matches = [o for o in earlier if _is_copy(e, o, links[node_of[o.key]]) and _figures_ok(e, o)
                   and _figures_ok(e, members[roots[o.key]])]
        if not matches:
            roots[e.key] = e.key
            continue
        best = max(matches, key=lambda o: _score(e, o, links[node_of[o.key]]))   # first of equals: the earlier
        root = members[roots[best.key]]
        roots[e.key] = root.key
        found[e.key] = (root.key, _score(e, root, links.get(node_of[root.key])))
    return found


def _report_stored(found: dict[str, tuple[str, float]], stored_only: Iterable[str], known: CopyIndex) -> None:
    for key in sorted(stored_only):
        now = found[key][0] if key in found else None
        if now != known._roots.get(key):
            log.info("stored report %s is now %s; update the store", key,
                     f"a copy of {now}" if now else "an original")


def _mark(a: CleanArticle, hit: tuple[str, float] | None, members: dict[str, _Entry]) -> CleanArticle:
    if hit is None:
        if a.published_from == "copy":
            return replace(a, duplicate_of=None, similarity=None, published=None, published_from=None)
        if a.duplicate_of is None and a.similarity is None:
            return a
        return replace(a, duplicate_of=None, similarity=None)
    root_key, similarity = hit
    if a.published is not None and a.published_from != "copy":
        published, source = a.published, a.published_from
    else:
        published = members[root_key].published
        source = "copy" if published is not None else None
    return replace(a, duplicate_of=root_key, similarity=similarity, published=published, published_from=source)
