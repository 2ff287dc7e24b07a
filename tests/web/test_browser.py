"""The pages in a real browser (Playwright driving Debian's Chromium) against a live server on the demo corpus.

With the network cut off (every request to another host is aborted and recorded), a reader filters the list,
opens an incident, sees the highlighted evidence, finds the timeline and the map drawn, and downloads an export.
Set TALLY_SCREENSHOTS=docs/screenshots to save the README's screenshots of the main pages.
"""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any


def test_filter_the_list_and_open_an_incident_with_highlighted_evidence(page: Any, shoot: Any) -> None:
    page.goto("/incidents")
    total = page.locator("#incidents tbody tr").count()
    shoot(page, "incidents")
    page.select_option("select[name=country]", "Syria")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**country=Syria**")
    rows = page.locator("#incidents tbody tr")
    assert 0 < rows.count() < total
    assert all("Syria" in t for t in rows.locator("td:nth-child(3)").all_inner_texts())
    rows.first.locator("td:first-child a").click()
    page.wait_for_url("**/incidents/inc-*")
    marks = page.locator("#claims blockquote.evidence mark")
    assert marks.count() >= 1 and all(m.strip() for m in marks.all_inner_texts())
    assert page.locator("#figures").is_visible()


def test_a_contested_incident_shows_who_denies_what(page: Any, shoot: Any) -> None:
    page.goto("/incidents?contested=true")
    page.locator("#incidents tbody tr td:first-child a").first.click()
    page.wait_for_url("**/incidents/inc-*")
    banner = page.locator("#contested")
    assert banner.is_visible() and "Islamic State denies" in banner.inner_text()
    assert page.locator("mark", has_text="at least seven civilians").is_visible()
    assert "<script>" in page.locator("#claims").inner_text()      # shown as text, never run
    shoot(page, "incident")


def test_the_timeline_draws_bars_and_tallies(page: Any, shoot: Any) -> None:
    page.goto("/timeline")
    page.wait_for_selector("#timeline[data-drawn]")
    assert page.locator("#timeline rect.bar").count() > 5
    assert page.locator("#timeline .tally-point").count() >= 1
    shoot(page, "timeline")


def test_the_map_draws_countries_and_points(page: Any, shoot: Any) -> None:
    page.goto("/map")
    page.wait_for_selector("#map[data-drawn]")
    points = page.evaluate("fetch('/map.json').then(r => r.json()).then(d => d.points.length)")
    assert points > 5 and page.locator("#map circle.point").count() == points
    assert page.locator("#map path.country").count() > 100
    shoot(page, "map")
    page.locator("#map circle.point").last.dispatch_event("click")
    page.wait_for_url("**/incidents/inc-*")


def test_download_an_export(page: Any, tmp_path: Path) -> None:
    page.goto("/incidents?country=Syria")
    with page.expect_download() as info:
        page.click("a.download:text-is('csv')")
    path = tmp_path / "incidents.csv"
    info.value.save_as(path)
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows and {r["country"] for r in rows} == {"Syria"} and "killed_total_best" in rows[0]


def test_the_report_page_shows_what_cleaning_removed(page: Any, shoot: Any) -> None:
    page.goto("/reports/h1")
    assert "Anefis" in page.locator("#cleaned").inner_text()
    assert "newsletter" in page.locator("#removed").inner_text().lower()
    shoot(page, "report")
