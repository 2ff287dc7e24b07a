"""ingest(paths, store): read -> clean -> find copies -> extract -> store, then reconcile the whole ledger.

Each report is stored in its own transaction; a bad file or record becomes a reject and the batch goes on;
a report already stored with the same content is skipped, so re-running the same input changes nothing.
"""
from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

from tally.errors import StoreError, TallyError
from tally.models import CleanArticle, RawArticle, Rejected
from tally.sources.files import read_paths
from tally.stages.clean import clean
from tally.stages.dedupe import CopyIndex, find_copies, signature, signature_bytes, signature_from_bytes
from tally.stages.extract.aggregates import mark_aggregates
from tally.stages.extract.claims import extract
from tally.stages.extract.geo import PlaceFinder
from tally.store.db import Store

log = logging.getLogger(__name__)
BATCH = 200


@dataclass(slots=True)
class RunSummary:
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    copies: int = 0
    not_english: int = 0
    claims: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    incidents_created: int = 0
    incidents_kept: int = 0
    tallies: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        rej = ", ".join(f"{k}: {v}" for k, v in sorted(self.rejected.items())) or "none"
        return [
            f"reports read {self.read}: new {self.new}, updated {self.updated}, unchanged {self.unchanged}, "
            f"copies {self.copies}, not English {self.not_english}",
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


def _clean_batch(batch: Sequence[RawArticle | Rejected], store: Store, hashes: dict[str, str],
                 summary: RunSummary) -> list[CleanArticle]:
    out: list[CleanArticle] = []
    for item in batch:
        if isinstance(item, Rejected):
            _reject(store, item, summary)
            continue
        summary.read += 1
        try:
            art = clean(item)
        except (TallyError, ValueError) as exc:
            _reject(store, Rejected(item.origin, "clean", getattr(exc, "code", "T300"), str(exc)), summary)
            continue
        if hashes.get(art.key) == art.content_hash:
            summary.unchanged += 1
            continue
        out.append(art)
    return out


def _reject(store: Store, r: Rejected, summary: RunSummary) -> None:
    log.warning("rejected %s: %s", r.origin, r.reason)
    summary.rejected[r.reason.split(":")[0][:40] if r.stage == "read" else r.stage] += 1
    store.add_reject(r)


def _store_batch(arts: Sequence[CleanArticle], store: Store, hashes: dict[str, str], summary: RunSummary) -> None:
    for art in arts:
        finder = PlaceFinder(art.text)
        result = extract(art, finder)
        claims = mark_aggregates(result.claims)
        try:
            store.save_report(art, signature_bytes(signature(art.text)), finder.region, claims, result.denials)
        except StoreError as exc:
            _reject(store, Rejected(art.origin, "store", exc.code, str(exc)), summary)
            continue
        store.clear_reject(art.origin)
        summary.updated += art.key in hashes
        summary.new += art.key not in hashes
        summary.copies += art.duplicate_of is not None
        summary.not_english += art.language != "en"
        summary.claims += len(claims)
        hashes[art.key] = art.content_hash


def rebuild_ledger(store: Store, summary: RunSummary | None = None, reason: str = "ingest") -> int | None:
    """Reconcile every stored claim into incidents and tallies, re-apply the analyst's corrections (tally.review),
    and swap them in; returns the new ledger revision, or None when nothing changed."""
    from tally.review.rebuild import record_revision, reviewed_ledger

    with store.ledger_lock():
        claims, order = store.all_claims()
        published, regions = store.article_meta()
        incidents, tallies = reviewed_ledger(store, claims, order, published, regions)
        created, kept = store.replace_ledger(incidents, tallies)
        if summary is not None:
            reason = f"{reason}: {summary.new} new, {summary.updated} updated reports"
        revision = record_revision(store, reason)
    if summary is not None:
        summary.incidents_created, summary.incidents_kept, summary.tallies = created, kept, len(tallies)
    return revision


def ingest(paths: Sequence[str], store: Store, progress: Callable[[RunSummary], None] | None = None) -> RunSummary:
    started = time.monotonic()
    summary = RunSummary()
    hashes = store.article_hashes()
    known = _known_index(store)
    for batch in _batches(read_paths(paths), BATCH):
        marked = find_copies(_clean_batch(batch, store, hashes, summary), known)
        _store_batch(marked, store, hashes, summary)
        for art in marked:
            own = art.published if art.published_from != "copy" else None
            known.add(art.key, art.text, own, copy_of=art.duplicate_of)
        if progress:
            progress(summary)
    rebuild_ledger(store, summary)
    summary.seconds = time.monotonic() - started
    return summary
