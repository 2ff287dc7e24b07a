"""ingest(paths, store): read -> clean -> find copies -> extract -> store, then reconcile the whole ledger.

Each report is stored in its own transaction; a bad file or record becomes a reject and the batch goes on;
a report already stored with the same content is skipped, so re-running the same input changes nothing.
"""
from __future__ import annotations

import contextlib
import gc
import itertools
import logging
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Sequence

from tally.errors import StoreError, TallyError
from tally.models import CleanArticle, RawArticle, Rejected
from tally.parallel import Analysis, CleanFailure, Workers
from tally.sources.codes import label
from tally.sources.files import read_paths
from tally.sources.options import ReadOptions
from tally.stages.dedupe import CopyIndex, find_copies, signature_from_bytes
from tally.stages.reconcile import reconcile
from tally.store.db import Store

log = logging.getLogger(__name__)
BATCH = 200
PER_TRANSACTION = 25   # reports stored in one transaction


@dataclass(slots=True)
class RunSummary:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    copies: int = 0
    pages_seen: int = 0           # raw web pages already stored (same bytes), skipped before cleaning
    not_english: int = 0
    claims: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    incidents_created: int = 0
    incidents_kept: int = 0
    tallies: int = 0
    seconds: float = 0.0

    def absorb(self, later: RunSummary) -> None:
        """Add the counts of a later run on the same store (the ledger figures are the later run's)."""
        for name in ("read", "new", "updated", "unchanged", "copies", "pages_seen", "not_english", "claims",
                     "seconds"):
            setattr(self, name, getattr(self, name) + getattr(later, name))
        self.rejected.update(later.rejected)
        self.incidents_created += later.incidents_created
        self.incidents_kept, self.tallies = later.incidents_kept, later.tallies

    def lines(self) -> list[str]:
        rej = ", ".join(f"{k}: {v}" for k, v in sorted(self.rejected.items())) or "none"
        return [
            f"reports read {self.read}: new {self.new}, updated {self.updated}, unchanged {self.unchanged}, "
            f"copies {self.copies}, pages seen before {self.pages_seen}, "
            f"not English {self.not_english} (stored, not extracted)",
            f"rejected {sum(self.rejected.values())} ({rej})",
            f"claims extracted {self.claims}",
            f"incidents {self.incidents_created + self.incidents_kept} "
            f"(created {self.incidents_created}, updated or kept {self.incidents_kept}); tallies {self.tallies}",
            f"time {self.seconds:.1f} s",
        ]


def _known_index(store: Store) -> CopyIndex:
    index = CopyIndex()
    for key, sig, published, how, text, dup in store.signatures():
        own = published if how != "copy" else None
        index.add(key, text if text else signature_from_bytes(sig), own, copy_of=dup)  # type: ignore[arg-type]
    return index


def _batches(items: Iterable[RawArticle | Rejected], size: int) -> Iterator[list[RawArticle | Rejected]]:
    batch: list[RawArticle | Rejected] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(slots=True)
class _Ahead:
    """A batch whose reports are being cleaned on the workers while the previous batch is stored."""

    todo: list[RawArticle]
    rejects: list[Rejected]          # read errors, written when the batch is taken up (in the order read)
    started: Iterator[tuple[CleanArticle | CleanFailure, float]]


def _clean_ahead(batch: Sequence[RawArticle | Rejected] | None, summary: RunSummary, pages: dict[str, str] | None,
                 pool: Workers) -> _Ahead | None:
    """Send ``batch`` to be cleaned now (pages already stored are left out); nothing is written to the store."""
    if batch is None:
        return None
    todo: list[RawArticle] = []
    rejects: list[Rejected] = []
    for item in batch:
        if isinstance(item, Rejected):
            rejects.append(item)
            continue
        summary.read += 1
        if pages is not None and _page_seen(item, pages, summary):
            continue
        todo.append(item)
    return _Ahead(todo, rejects, pool.clean_ahead(todo))


def _clean_batch(ahead: _Ahead, store: Store, hashes: dict[str, str], summary: RunSummary,
                 unchanged: list[CleanArticle] | None = None, pool: Workers | None = None) -> list[CleanArticle]:
    """The cleaned reports of a batch sent by ``_clean_ahead``, less those stored before with the same text
    (``hashes``, as the store holds after the previous batch); rejects are written here, in order."""
    for r in ahead.rejects:
        _reject(store, r, summary)
    out: list[CleanArticle] = []
    for item, art in zip(ahead.todo, (pool or Workers(1)).clean(ahead.todo, ahead.started)):   # in order
        if isinstance(art, CleanFailure):
            _reject(store, Rejected(item.origin, "clean", art.code, art.message), summary)
            continue
        if hashes.get(art.key) == art.content_hash:
            summary.unchanged += 1
            if unchanged is not None:
                unchanged.append(art)
            continue
        out.append(art)
    return out


def _page_seen(item: RawArticle, pages: dict[str, str], summary: RunSummary) -> bool:
    """A raw web page already stored (the same bytes, under any key) is not read again."""
    sha = item.extra.get("page_sha256")
    if not sha:
        return False
    if pages.get(sha, item.key) != item.key:
        summary.pages_seen += 1
        return True
    pages[sha] = item.key
    return False


def _batch_copies(fresh: list[CleanArticle], unchanged: list[CleanArticle], known: CopyIndex) -> list[CleanArticle]:
    """Mark copies among ``fresh`` as if no report of the batch were stored yet: a run resumed after a kill
    in the middle of a batch then decides exactly as the uninterrupted run did (stored reports win ties)."""
    if not fresh or not unchanged:
        return find_copies(fresh, known) if fresh else []
    for art in unchanged:
        known.remove(art.key)
    marked = find_copies([*unchanged, *fresh], known)
    for art in marked[:len(unchanged)]:
        known.add(art.key, art.text, art.published if art.published_from != "copy" else None,
                  copy_of=art.duplicate_of)
    return marked[len(unchanged):]


def _reject(store: Store, r: Rejected, summary: RunSummary) -> None:
    log.warning("rejected %s: %s", r.origin, r.reason)
    summary.rejected[label(r.code) if r.stage == "read" else r.stage] += 1
    store.add_reject(r)


def _store_batch(arts: Sequence[CleanArticle], store: Store, hashes: dict[str, str], summary: RunSummary,
                 pool: Workers | None = None) -> None:
    """Extract on the worker processes and store the reports as they come, ``PER_TRANSACTION`` to a
    transaction. A run killed mid-transaction loses those reports only, and the next run does them again (the
    stored hashes do not have them; copies are found as if none of the batch were stored). When the database
    refuses a transaction, or a key comes twice in it, each of its reports is stored in its own transaction
    instead, so a report the database refuses is rejected alone."""
    analysed = zip(arts, (pool or Workers(1)).analyse(arts))
    while True:
        done = list(itertools.islice(analysed, PER_TRANSACTION))
        if not done:
            return
        stored = done
        try:   # save_reports refuses a batch that has a key twice (ValueError) before writing anything
            store.save_reports([(art, a.signature, a.region, a.claims, a.denials) for art, a in done])
        except (StoreError, ValueError):
            stored = _store_each(done, store, summary)
        for art, a in stored:
            summary.updated += art.key in hashes
            summary.new += art.key not in hashes
            summary.copies += art.duplicate_of is not None
            summary.not_english += art.language != "en"
            summary.claims += len(a.claims)
            hashes[art.key] = art.content_hash


def _store_each(done: list[tuple[CleanArticle, Analysis]], store: Store,
                summary: RunSummary) -> list[tuple[CleanArticle, Analysis]]:
    """Each report in its own transaction; the ones the database refuses are rejected."""
    stored = []
    for art, a in done:
        try:
            store.save_report(art, a.signature, a.region, a.claims, a.denials)
        except StoreError as exc:
            _reject(store, Rejected(art.origin, "store", exc.code, str(exc)), summary)
            continue
        store.clear_reject(art.origin)
        stored.append((art, a))
    return stored


def rebuild_ledger(store: Store, summary: RunSummary | None = None, reason: str = "ingest") -> int | None:
    """Reconcile every stored claim into incidents and tallies, re-apply the analyst's corrections (tally.review),
    and swap them in; returns the new ledger revision, or None when nothing changed."""
    from tally.review.rebuild import record_revision, reviewed_ledger

    with store.ledger_lock(), _collector_paused():
        claims, order = store.all_claims()
        published, regions = store.article_meta()
        incidents, tallies = reviewed_ledger(store, claims, order, published, regions, store.copy_roots())
        created, kept = store.replace_ledger(incidents, tallies)
        if summary is not None:
            reason = f"{reason}: {summary.new} new, {summary.updated} updated reports"
        revision = record_revision(store, reason)
    if summary is not None:
        summary.incidents_created, summary.incidents_kept, summary.tallies = created, kept, len(tallies)
    return revision


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the ledger is rebuilt, and one collection after. The rebuild
    makes many small objects (every claim, incident and row) that live until the ledger is written: the collector
    scanned them again and again as they grew, to free nothing (a fifth of the rebuild's CPU time at 20k reports;
    the peak memory is the same)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def ingest(paths: Sequence[str], store: Store, progress: Callable[[RunSummary], None] | None = None,
           options: ReadOptions | None = None) -> RunSummary:
    """Read ``paths`` (see sources/files.py) into the ledger. Feed pages already stored are not fetched again."""
    hashes = store.article_hashes()
    given = options or ReadOptions()
    links = store.article_links() if given.fetch_pages else set()
    opts = replace(given, seen=lambda link: link in links or given.seen(link))
    return ingest_items(read_paths(paths, options=opts), store, progress, hashes=hashes)


def ingest_items(items: Iterable[RawArticle | Rejected], store: Store,
                 progress: Callable[[RunSummary], None] | None = None,
                 hashes: dict[str, str] | None = None) -> RunSummary:
    """Store every report of ``items`` (each in its own transaction), then rebuild the ledger."""
    started = time.monotonic()
    summary = RunSummary()
    hashes = store.article_hashes() if hashes is None else hashes
    _store_all(items, store, hashes, summary, progress)
    rebuild_ledger(store, summary)     # the copy index is gone by now: its texts and shingles are not kept meanwhile
    summary.seconds = time.monotonic() - started
    return summary


def _store_all(items: Iterable[RawArticle | Rejected], store: Store, hashes: dict[str, str], summary: RunSummary,
               progress: Callable[[RunSummary], None] | None) -> None:
    """Clean, mark copies, extract and store every report of ``items``, a batch at a time."""
    pages = store.page_hashes()
    known = _known_index(store)
    if progress:
        progress(summary)                   # a live view: a progress bar may follow the counts as they move
    with Workers() as pool:
        batches = _batches(items, BATCH)
        ahead = _clean_ahead(next(batches, None), summary, pages, pool)
        while ahead is not None:
            unchanged: list[CleanArticle] = []
            cleaned = _clean_batch(ahead, store, hashes, summary, unchanged, pool)
            # the workers clean the next batch while this one's copies are found (its extraction queues behind)
            ahead = _clean_ahead(next(batches, None), summary, pages, pool)
            marked = _batch_copies(cleaned, unchanged, known)
            _store_batch(marked, store, hashes, summary, pool)
            for art in marked:
                own = art.published if art.published_from != "copy" else None
                known.add(art.key, art.text, own, copy_of=art.duplicate_of)
            if progress:
                progress(summary)
