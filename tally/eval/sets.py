"""The gold-labelled sets the harness knows, found in ``../shared/benchmarks``.

Inputs and gold come from the shared ``prepare_benchmarks.py`` (run into Tally's cache when ``ready/`` is absent);
ECB+ is turned into JSON Lines here, since that script leaves it out. Nothing is copied into the repository.
"""
from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tally.errors import EvalError

NAMES = ("gvdb", "acled", "gva", "ecbplus")


@dataclass(frozen=True, slots=True)
class BenchmarkSet:
    name: str                          # gvdb | acled | gva | ecbplus
    split: str                         # dev | test
    articles: Path                     # JSON Lines to ingest
    gold_articles: Path | None = None  # per-report killed/injured (score_articles.py)
    gold_ledger: Path | None = None    # gold incidents (score_ledger.py)
    gold_groups: Path | None = None    # {"id", "group"} per report: which event each report is about
    gold_places: Path | None = None    # {"id", "date", "city", "state"} per report

    @property
    def label(self) -> str:
        return f"{self.name}-{self.split}"


def default_shared() -> Path:
    env = os.environ.get("TALLY_SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "shared"


def cache_dir() -> Path:
    base = os.environ.get("TALLY_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "tally")
    return Path(base) / "eval"


def find(shared: Path, split: str, names: tuple[str, ...] = NAMES) -> list[BenchmarkSet]:
    bench = shared / "benchmarks"
    if not bench.is_dir():
        raise EvalError(f"no benchmark folder at {bench}: pass --shared PATH (the folder holding benchmarks/ and tools/)")
    ready = _ready(shared)
    out = []
    for name in names:
        if name == "ecbplus":
            out.append(_ecbplus(bench / "ecbplus", split))
            continue
        stem = ready / f"{name}-{split}"
        ledger = Path(f"{stem}.gold-ledger.json")
        out.append(BenchmarkSet(
            name, split, Path(f"{stem}.articles.jsonl"), Path(f"{stem}.gold-articles.jsonl"),
            gold_ledger=ledger if ledger.exists() else None,
            gold_groups=_gva_groups(ledger, split) if name == "gva" else None,
            gold_places=_gvdb_places(bench / "gvdb", split) if name == "gvdb" else None))
    return out


def _ready(shared: Path) -> Path:
    ready = shared / "benchmarks" / "ready"
    if (ready / "gvdb-dev.articles.jsonl").exists():
        return ready
    mine = cache_dir() / "ready"
    if not (mine / "gvdb-dev.articles.jsonl").exists():
        mine.mkdir(parents=True, exist_ok=True)
        tool = shared / "tools" / "prepare_benchmarks.py"
        done = subprocess.run([sys.executable, str(tool), str(mine)], capture_output=True, text=True)
        if done.returncode != 0:
            raise EvalError(f"{tool} failed: {done.stderr.strip()[-400:]}")
    return mine


def _gva_groups(ledger: Path, split: str) -> Path:
    """Each report of a gold incident belongs to that incident; reports of several incidents are left out."""
    out = cache_dir() / f"gva-{split}.gold-groups.jsonl"
    if out.exists() and out.stat().st_mtime >= ledger.stat().st_mtime:
        return out
    gold = json.loads(ledger.read_text(encoding="utf-8"))
    seen: dict[str, list[str]] = {}
    for inc in gold["incidents"]:
        for a in inc["articles"]:
            seen.setdefault(a, []).append(inc["key"])
    _write(out, [{"id": a, "group": keys[0]} for a, keys in seen.items() if len(keys) == 1])
    return out


def _gvdb_places(folder: Path, split: str) -> Path:
    out = cache_dir() / f"gvdb-{split}.gold-places.jsonl"
    src = folder / f"gold_counts_{split}.csv"
    if out.exists() and out.stat().st_mtime >= src.stat().st_mtime:
        return out
    with src.open(encoding="utf-8") as fh:
        rows = [{"id": f"gvdb-{r['article_id']}", "date": r["date"] or None,
                 "city": r["city"] if r["city"] not in ("", "Unclear") else None,
                 "state": r["state"] if r["state"] not in ("", "Unclear") else None} for r in csv.DictReader(fh)]
    _write(out, rows)
    return out


_SPLIT = {"dev": "dev", "test": "test"}


def _ecbplus(folder: Path, split: str) -> BenchmarkSet:
    arts = cache_dir() / f"ecbplus-{split}.articles.jsonl"
    groups = cache_dir() / f"ecbplus-{split}.gold-groups.jsonl"
    src = folder / "docs.jsonl"
    if not src.exists():
        raise EvalError(f"{src} is missing")
    if not arts.exists() or arts.stat().st_mtime < src.stat().st_mtime:
        docs = [json.loads(line) for line in src.open(encoding="utf-8") if line.strip()]
        docs = [d for d in docs if d["split"] == _SPLIT[split]]
        _write(arts, [{"id": d["doc_id"], "url": d.get("source_url"), "published": None, "title": None,
                       "text": detokenize(d["text"])} for d in docs])
        _write(groups, [{"id": d["doc_id"], "group": d["subtopic"]} for d in docs])
    return BenchmarkSet("ecbplus", split, arts, gold_groups=groups)


def detokenize(text: str) -> str:
    """ECB+ stores tokens joined by spaces; put punctuation and quotes back against their words."""
    text = re.sub(r"\s+([.,;:!?%)\]}])", r"\1", text)
    text = re.sub(r"([(\[{$])\s+", r"\1", text)
    text = re.sub(r"``\s*|\s*''", '"', text)
    text = re.sub(r"\s+(n't|'s|'re|'ve|'ll|'d|'m)\b", r"\1", text)
    return text


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    tmp.replace(path)


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
