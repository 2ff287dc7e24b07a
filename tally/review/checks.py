"""Consistency checks over the stored ledger; each returns findings for the review queue.

campaign-sum      incidents in a campaign add up to more than the running total the claimant publishes
falling-total     a cumulative series ("since 1 March") whose later figure is below an earlier one
outlier-outlet    one report's toll for an incident far from what every other report says
copy-only         an incident whose every report is a copy of one story: no independent source
Hand-written: these are the analyst's own rules; no library checks casualty ledgers.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from tally.models import CATEGORIES
from tally.review.records import Finding
from tally.stages.figures import figures_of
from tally.store.db import Store
from tally.store.serialize import row_claim

OUTLIER_RATIO = 2.0      # a report's toll at least twice (or at most half) every other report's
OUTLIER_GAP = 5          # ... and at least this many deaths away from the nearest of them
OUTLIER_REPORTS = 3      # an incident needs this many independent reports with a toll to judge an outlier


@dataclass(frozen=True, slots=True)
class LedgerView:
    """What the checks read: the ledger's records as exported, plus claim rows and reports."""

    incidents: Sequence[dict[str, Any]]
    tallies: Sequence[dict[str, Any]]
    claims: Sequence[dict[str, Any]]
    articles: Sequence[dict[str, Any]]

    @classmethod
    def of(cls, store: Store) -> LedgerView:
        return cls(store.incident_docs(), store.tally_docs(), store.claim_rows(), store.article_rows())


def _date(v: Any) -> dt.date | None:
    return dt.date.fromisoformat(v) if isinstance(v, str) else v


def _killed(inc: dict[str, Any], key: str) -> int:
    """An incident's lower killed figure for a category, or for a side of the victims."""
    fig = (inc["killed"] or {}).get(key) if key in CATEGORIES + ("total",) else \
        (inc.get("victim_sides") or {}).get(key, {}).get("killed")
    return (fig or {}).get("min") or 0


def campaign_sums(view: LedgerView) -> list[Finding]:
    perps: dict[str, set[str]] = {}
    for r in view.claims:
        if r["scope"] == "tally" and r["perpetrator"]:
            perps.setdefault(r["article"], set()).add(r["perpetrator"])
    out = []
    for t in view.tallies:
        start, end = _date(t["period_from"]), _date(t["as_of"])
        if not (start and end):
            continue
        by = set().union(*(perps.get(a, set()) for a in t["articles"]))
        members = [i for i in view.incidents if _date(i["date_from"]) and _date(i["date_to"])
                   and start <= _date(i["date_from"]) and _date(i["date_to"]) <= end  # type: ignore[operator]
                   and (not t["country"] or i["country"] == t["country"])
                   and (not by or i["perpetrator"] in by)]
        for key, fig in t["killed"].items():
            counted = [(i["id"], _killed(i, key)) for i in members if _killed(i, key)]
            total = sum(n for _i, n in counted)
            if fig and fig["max"] is not None and total > fig["max"]:
                out.append(Finding(
                    "campaign-sum", t["id"], f"incidents add up to {total} {key} killed, above the running total "
                    f"of {fig['max']}", f"{len(counted)} incidents from {start} to {end} "
                    f"({', '.join(f'{i} {n}' for i, n in counted)}) against \"{t['scope']}\" "
                    f"({', '.join(t['sources']) or 'no named source'})", total - fig["max"],
                    tuple(i for i, _n in counted)))
    return out


def falling_totals(view: LedgerView) -> list[Finding]:
    series: dict[tuple[Any, ...], list[tuple[dt.date, str, dict[str, Any]]]] = {}
    for t in view.tallies:
        if t["period_from"] and t["as_of"]:
            for key, fig in t["killed"].items():
                series.setdefault((t["period_from"], t["country"], key), []).append((_date(t["as_of"]), t["id"], fig))
    out = []
    for (since, _country, key), points in series.items():
        points.sort(key=lambda p: (p[0], p[1]))
        for (d1, t1, f1), (d2, t2, f2) in zip(points, points[1:]):
            if d2 > d1 and f1["min"] is not None and f2["max"] is not None and f2["max"] < f1["min"]:
                out.append(Finding(
                    "falling-total", t2, f"running total of {key} killed since {since} fell from {f1['min']} to "
                    f"{f2['max']}", f"{t1} gave {f1['min']} on {d1}; {t2} gives {f2['max']} on {d2}; a "
                    "cumulative count cannot fall: one of them is misread, or a claimant revised it",
                    f1["min"] - f2["max"], (t1,)))
    return out


def _report_tolls(view: LedgerView) -> dict[str, dict[str, int]]:
    """{incident: {report: its lower killed total}}, over reports that are not copies."""
    copies = {a["key"] for a in view.articles if a["duplicate_of"]}
    grouped: dict[tuple[str, str], list[Any]] = {}
    for r in view.claims:
        if r.get("incident") and r["scope"] == "incident" and r["article"] not in copies:
            grouped.setdefault((r["incident"], r["article"]), []).append(row_claim(r))
    out: dict[str, dict[str, int]] = {}
    for (inc, art), claims in grouped.items():
        total = figures_of(claims, "killed").get("total")
        if total is not None and total.low is not None:
            out.setdefault(inc, {})[art] = total.best if total.best is not None else total.low
    return out


def outlier_outlets(view: LedgerView) -> list[Finding]:
    outlet = {a["key"]: a["outlet"] or a["key"] for a in view.articles}
    out = []
    for inc, tolls in _report_tolls(view).items():
        if len(tolls) < OUTLIER_REPORTS:
            continue
        for art, n in tolls.items():
            others = [v for a, v in tolls.items() if a != art]
            high, low = max(others), min(others)
            gap = n - high if n > high else low - n
            far = n >= OUTLIER_RATIO * high if n > high else n * OUTLIER_RATIO <= low
            if far and gap >= OUTLIER_GAP:
                out.append(Finding(
                    "outlier-outlet", inc, f"{outlet[art]} reports {n} killed; the {len(others)} other reports say "
                    f"{low}" + (f" to {high}" if high != low else ""),
                    f"report {art} is far from every other report of incident {inc}", gap, (art,)))
    return out


def copy_only(view: LedgerView) -> list[Finding]:
    original = {a["key"]: a["duplicate_of"] for a in view.articles}
    out = []
    for inc in view.incidents:
        arts = inc["articles"]
        roots = {original.get(a) or a for a in arts}
        copies = [a for a in arts if original.get(a)]
        if copies and (len(copies) == len(arts) or (len(roots) == 1 and len(arts) > 1)):
            root = next(iter(roots)) if len(roots) == 1 else ", ".join(sorted(roots))
            out.append(Finding(
                "copy-only", inc["id"], f"this incident rests on one story ({root}) and its copies",
                f"reports {', '.join(arts)}: {len(copies)} are copies; no independent source confirms it",
                _killed(inc, "total"), tuple(arts)))
    return out


CHECKS: dict[str, Callable[[LedgerView], list[Finding]]] = {
    "campaign-sum": campaign_sums, "falling-total": falling_totals, "outlier-outlet": outlier_outlets,
    "copy-only": copy_only,
}


def run_checks(store: Store, names: Sequence[str] | None = None) -> list[Finding]:
    """Every finding of the named checks (all by default), largest stake first."""
    view = LedgerView.of(store)
    found = [f for name in (names or CHECKS) for f in CHECKS[name](view)]
    return sorted(found, key=lambda f: (-f.magnitude, f.check, f.target))
