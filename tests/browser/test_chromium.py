"""The desk in a real browser: headless Chromium loads the pages, the map and the timeline
from gunicorn (as tests/support/served.py serves it, on SQLite: one engine is enough here;
the pages run on both engines in tests/test_desk.py).

Each load fails on a console error, an uncaught exception, a request to another host or a
missing text alternative; axe-core (WCAG 2.1 A/AA) must find nothing serious or critical on
``/`` and on the government's page; the map's countries must carry the JSON answer's
categories. Screenshots and the axe summary are written to ``ci-artifacts/``.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support.browser import CHROMIUM, FLAGS, Visit, missing_browser_parts, unavailable, write_summary
from tests.support.constants import GOVERNMENT
from tests.support.served import served

DAYS = ("2025-07-02", "2025-07-04")
LANGUAGES = ("en", "ar")
AXE_RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    reason = missing_browser_parts()
    if reason:
        unavailable(reason)
    folder = tmp_path_factory.mktemp("browser")
    with served(f"sqlite:///{folder / 'desk.sqlite3'}", folder / "gunicorn.log") as service:
        yield service.base_url


@pytest.fixture(scope="module")
def browser(site):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # A fresh temporary profile per launch, removed on close.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()
    write_summary(
        "axe-summary.json",
        {
            "pages": AXE_RESULTS,
            "serious_or_critical": sum(len(r["blocking"]) for r in AXE_RESULTS.values()),
        },
    )


def visit(browser, site, path: str, language: str) -> Visit:
    page = Visit(browser, site + path, language)
    assert page.response is not None and page.response.status == 200, path
    return page


def clean(page: Visit) -> None:
    assert page.errors == []
    assert page.foreign == []
    assert page.missing_text_alternatives() == []


PAGES = [("/", "index"), *((f"/governments/{GOVERNMENT}?as_of={day}", f"government-{day}") for day in DAYS)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("path", "name"), PAGES)
def test_page_is_clean_and_accessible(browser, site, path, name, language):
    page = visit(browser, site, path, language)
    try:
        shot = page.screenshot(f"{name}-{language}")
        assert shot.stat().st_size > 10_000  # a blank page is about 3 KB
        clean(page)
        direction = page.page.evaluate("document.documentElement.dir")
        assert direction == ("rtl" if language == "ar" else "ltr")
        axe = page.axe()
        AXE_RESULTS[f"{name}-{language}"] = axe
        assert axe["blocking"] == [], axe["blocking"]
        if "governments" in path:
            rows = page.page.locator("tbody tr[id^=row-]").count()
            assert rows == 4
            # The map is an image of this page, with its text alternative; the timeline is inline.
            assert page.page.locator("figure img").evaluate("img => img.complete && img.naturalWidth") == 1280
            assert page.page.locator("svg.timeline a.mark").count() == 8
    finally:
        page.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("day", DAYS)
def test_map_matches_the_relations_answer(browser, site, day, language):
    query = f"as_of={day}&lang={language}"
    with urllib.request.urlopen(f"{site}/v1/governments/{GOVERNMENT}/relations?{query}", timeout=30) as response:
        rows = {row["country"]: row for row in json.load(response)["items"]}
    page = visit(browser, site, f"/v1/governments/{GOVERNMENT}/relations.svg?{query}", language)
    try:
        page.screenshot(f"map-{day}-{language}")
        clean(page)
        drawn = page.page.evaluate(
            """() => Array.from(document.querySelectorAll('[data-country]'), e => ({
                country: e.dataset.country, category: e.dataset.category, certainty: e.dataset.certainty,
                possible: e.dataset.possibleCategory || null, fill: getComputedStyle(e).fill,
                title: (e.querySelector(':scope > title') || {}).textContent || ''}))"""
        )
        by_country = {d["country"]: d for d in drawn}
        assert len(by_country) == 249
        for code, row in rows.items():
            shown = by_country[code]
            assert (shown["category"], shown["certainty"]) == (row["category"], row["certainty"]), code
            assert shown["title"].startswith(row["country_name"])
            if row["certainty"] == "uncertain":
                assert shown["possible"] == row["possible_category"]
                assert shown["fill"].startswith("url("), "an uncertain status is hatched, never a settled colour"
        no_records = {code for code, shown in by_country.items() if shown["certainty"] == "no_records"}
        assert no_records == set(by_country) - set(rows)
        assert all(shown["title"] for shown in drawn)
    finally:
        page.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("day", DAYS)
def test_timeline_is_clean_and_links_to_the_records(browser, site, day, language):
    page = visit(browser, site, f"/v1/governments/{GOVERNMENT}/timeline.svg?as_of={day}", language)
    try:
        page.screenshot(f"timeline-{day}-{language}")
        clean(page)
        marks = page.page.locator("a.mark")
        assert marks.count() == 8
        href = marks.first.get_attribute("href")
        assert href.startswith(f"/governments/{GOVERNMENT}/") and "#" in href
        # A mark's link opens its record on the pair page.
        record = href.rsplit("#", 1)[1]
        marks.first.click()
        page.page.wait_for_load_state("load")
        assert page.page.url.endswith(f"#{record}")
        assert page.page.locator(f"article[id='{record}']").count() == 1
        assert f"as_of={day}" in page.page.url
        page.screenshot(f"pair-{day}-{language}")
        clean(page)
    finally:
        page.close()


def test_the_checks_can_fail(browser, site):
    """A page with known faults trips each check: console error, uncaught exception, missing
    text alternative, and axe-core's serious findings."""
    page = Visit(browser, "", "en")
    try:
        page.page.set_content(
            """<!doctype html><html><head><title>faulty</title></head><body>
            <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
            <svg role="img" aria-labelledby="nothing"><rect width="5" height="5"/></svg>
            <input type="text" name="q">
            <p style="color:#bbb;background:#fff">low contrast</p>
            <script>console.error("deliberate"); notAFunction();</script></body></html>"""
        )
        assert any("deliberate" in error for error in page.errors)
        assert any(error.startswith("uncaught:") for error in page.errors)
        assert len(page.missing_text_alternatives()) == 2
        found = {violation["id"] for violation in page.axe()["blocking"]}
        assert {"image-alt", "label", "color-contrast", "html-has-lang"} <= found
    finally:
        page.close()
