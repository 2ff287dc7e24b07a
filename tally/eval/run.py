"""Run one benchmark set: ingest it into a fresh database, export, and score with the shared scorers."""
from __future__ import annotations

import datetime as dt
import importlib.util
import json
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from tally.errors import EvalError
from tally.eval.grouping import bcubed
from tally.eval.sets import BenchmarkSet, read_jsonl
from tally.pipeline import ingest
from tally.readout import ledger
from tally.store.db import Store


def _tool(shared: Path, name: str) -> ModuleType:
    path = shared / "tools" / f"{name}.py"
    if not path.exists():
        raise EvalError(f"the shared scorer {path} is missing")
    spec = importlib.util.spec_from_file_location(f"shared_{name}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def run_set(bset: BenchmarkSet, shared: Path, workdir: Path) -> dict[str, Any]:
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"{bset.label}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = Store(str(db))
    started = time.monotonic()
    summary = ingest([str(bset.articles)], store)
    seconds = time.monotonic() - started
    arts, incs, tals = ledger.articles(store), ledger.incidents(store), ledger.tallies(store)
    for name, rows in (("articles", arts), ("incidents", incs), ("tallies", tals)):
        with (workdir / f"{bset.label}.{name}.jsonl").open("w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)
    res: dict[str, Any] = {"set": bset.label, "reports": summary.read, "rejected": sum(summary.rejected.values()),
                           "claims": summary.claims, "incidents": len(incs), "seconds": round(seconds, 1),
                           "reports_per_second": round(summary.read / seconds, 1) if seconds else None}
    if bset.gold_articles:
        gold_rows = read_jsonl(bset.gold_articles)
        res["per_report"] = _tool(shared, "score_articles").score(gold_rows, arts)
        res["by_confidence"] = _by_confidence(arts, gold_rows)
    if bset.gold_ledger:
        gold = json.loads(bset.gold_ledger.read_text(encoding="utf-8"))
        scored = _tool(shared, "score_ledger").score(gold, incs, tals, arts)
        res["ledger"] = {k: scored[k] for k in ("incidents", "figures", "links") if k in scored}
    if bset.gold_groups:
        res["grouping"] = _grouping(arts, read_jsonl(bset.gold_groups))
    if bset.gold_ledger or bset.gold_places:
        res["where_when"] = _where_when(bset, arts, incs)
    return res


THRESHOLDS = (0.0, 0.5, 0.6, 0.7, 0.8)


def _by_confidence(arts: list[dict[str, Any]], gold_rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Precision before recall: of the reports given a figure above 0 at or above each confidence, how many are
    exactly right, and how many of the reports with gold above 0 are covered."""
    by_key = {a["key"]: a for a in arts}
    out: dict[str, list[dict[str, Any]]] = {}
    for kind in ("killed", "injured"):
        golds = [(g, by_key.get(str(g["id"]))) for g in gold_rows if g.get(kind) is not None]
        if not golds:
            continue
        rows = []
        for t in THRESHOLDS:
            given = [(g[kind], (a[kind] or {}).get("min")) for g, a in golds
                     if a and a.get(kind) and (a[kind].get("min") or 0) > 0 and (a.get("confidence") or 0) >= t]
            right = sum(1 for want, got in given if want == got)
            positive = sum(1 for g, _ in golds if g[kind] > 0)
            rows.append({"min_confidence": t, "given": len(given), "right": right,
                         "precision": right / len(given) if given else None,
                         "coverage": right / positive if positive else None})
        out[kind] = rows
    return out


def _grouping(arts: list[dict[str, Any]], gold_rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Reports sharing a main incident form one cluster; a copy goes with the report it copies."""
    main = {a["key"]: a.get("incident") for a in arts}
    root = {a["key"]: a.get("duplicate_of") for a in arts}
    system = {k: main[k] or (main.get(root[k]) if root[k] else None) for k in main}
    gold = {g["id"]: g["group"] for g in gold_rows}
    res = bcubed(system, gold)
    res["reports_in_an_incident"] = sum(1 for k in gold if system.get(k))
    return res


def _day(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _where_when(bset: BenchmarkSet, arts: list[dict[str, Any]], incs: list[dict[str, Any]]) -> dict[str, Any]:
    """Date, state and city of each report's main incident against the gold, over the reports that have one."""
    by_id = {i["id"]: i for i in incs}
    gold: dict[str, dict[str, Any]] = {}
    if bset.gold_ledger:
        for inc in json.loads(bset.gold_ledger.read_text(encoding="utf-8"))["incidents"]:
            for a in inc["articles"]:
                gold.setdefault(a, {"date": inc["date_from"], "state": inc.get("admin1"),
                                    "city": (inc.get("places") or [None])[0], "n": 0})["n"] += 1
        gold = {k: v for k, v in gold.items() if v["n"] == 1}
    else:
        gold = {g["id"]: g for g in read_jsonl(bset.gold_places)}  # type: ignore[arg-type]
    counts = {"date": [0, 0], "state": [0, 0], "city": [0, 0]}
    for a in arts:
        g, inc = gold.get(a["key"]), by_id.get(a.get("incident") or "")
        if g is None or inc is None:
            continue
        want = _day(g.get("date"))
        if want:
            lo, hi = _day(inc.get("date_from")), _day(inc.get("date_to")) or _day(inc.get("date_from"))
            counts["date"][0] += 1
            counts["date"][1] += bool(lo and hi and lo <= want <= hi)
        if g.get("state"):
            counts["state"][0] += 1
            counts["state"][1] += (inc.get("admin1") or "").lower() == g["state"].lower()
        if g.get("city"):
            counts["city"][0] += 1
            names = " | ".join(str(p.get("name") if isinstance(p, dict) else p) for p in inc.get("places") or [])
            counts["city"][1] += g["city"].lower() in names.lower()
    return {k: {"scored": n, "right": r, "accuracy": r / n if n else None} for k, (n, r) in counts.items()}
