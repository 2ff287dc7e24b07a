"""The quality gate: the figures a run must not fall below, kept in ``docs/accuracy-baseline.json``.

Floors only move up: ``raise_floors`` keeps the higher of the old floor and the new figure.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

BASELINE = Path(__file__).resolve().parents[2] / "docs" / "accuracy-baseline.json"
EPSILON = 1e-9


def headline(res: dict[str, Any]) -> dict[str, float]:
    """The gated figures of one set's result, by dotted name."""
    out: dict[str, float] = {}
    for kind, r in (res.get("per_report") or {}).items():
        if r.get("gold"):
            out[f"{kind}.accuracy"] = r["accuracy"]
            if r.get("nonzero_accuracy") is not None:
                out[f"{kind}.accuracy_gold_above_0"] = r["nonzero_accuracy"]
    led = res.get("ledger") or {}
    if "incidents" in led:
        out["incidents.f1"] = led["incidents"]["f1"]
    if "figures" in led:
        out["figures.accuracy"] = led["figures"]["accuracy"]
    if "grouping" in res:
        out["grouping.bcubed_f1"] = res["grouping"]["f1"]
    return {k: round(v, 4) for k, v in out.items()}


def load(path: Path = BASELINE) -> dict[str, dict[str, float]]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def shortfalls(results: list[dict[str, Any]], floors: dict[str, dict[str, float]]) -> list[str]:
    out = []
    for res in results:
        have = headline(res)
        for name, floor in floors.get(res["set"], {}).items():
            got = have.get(name)
            if got is None or got + EPSILON < floor:
                out.append(f"{res['set']} {name}: {got} is below the floor {floor}")
    return out


def raise_floors(results: list[dict[str, Any]], path: Path = BASELINE) -> dict[str, dict[str, float]]:
    floors = load(path)
    for res in results:
        mine = floors.setdefault(res["set"], {})
        for name, value in headline(res).items():
            mine[name] = max(mine.get(name, 0.0), value)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(floors, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return floors
