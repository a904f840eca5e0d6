"""Headless Chromium for tests: Playwright (PyPI) driving Debian's chromium, axe-core from npm.

Both come from the project's own scripts (``scripts/browser-deps.sh``,
``make install-dev``). Without them the browser tests are skipped on a developer's
machine, and fail under CI (``CI=true``), as PostgreSQL's are (tests/support/databases.py).
Screenshots and the axe-core summary go to ``ci-artifacts/`` (``CI_ARTIFACTS`` overrides),
which CI keeps.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

import pytest

from tests.support.constants import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(os.environ.get("CI_ARTIFACTS", PROJECT_ROOT / "ci-artifacts"))
SCREENSHOTS = ARTIFACTS / "screenshots"
# Safe as root in a container; no traffic but to the page under test.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
VIEWPORT = {"width": 1280, "height": 900}


def unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"The browser tests are required in CI: {reason}; run scripts/browser-deps.sh", pytrace=False)
    pytest.skip(f"{reason}: run scripts/browser-deps.sh (and make install-dev)")


def missing_browser_parts() -> str | None:
    """What is missing to run the browser tests, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return "Debian's chromium is not installed"
    if not AXE.exists():
        return f"axe-core is not installed ({AXE.relative_to(PROJECT_ROOT)})"
    return None


class Visit:
    """One page load in a fresh context, recording console errors, uncaught exceptions and
    any request to another host (refused: the page must need none)."""

    def __init__(self, browser, url: str, language: str = "en"):
        # Chromium sends the context's locale as Accept-Language (Playwright ignores an
        # Accept-Language given in extra_http_headers once a locale is set).
        self.context = browser.new_context(locale=language, viewport=dict(VIEWPORT))
        # axe-core goes in as an init script: the pages' CSP allows no injected <script>
        # (and should not), while init scripts run beside the page, untouched by it.
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.foreign: list[str] = []
        host = urllib.parse.urlsplit(url).netloc
        self.page.on(
            "console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None
        )
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

        def only_this_host(route):
            if urllib.parse.urlsplit(route.request.url).netloc == host:
                return route.continue_()
            self.foreign.append(route.request.url)
            return route.abort()

        self.page.route("**/*", only_this_host)
        self.response = self.page.goto(url, wait_until="load") if url else None

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if self.page.evaluate("document.documentElement.localName") == "svg":
            # A full-page screenshot never finishes on a bare SVG document: size the viewport to it.
            width, height = self.page.evaluate(
                "(() => { const r = document.documentElement.getBoundingClientRect(); return [r.width, r.height] })()"
            )
            self.page.set_viewport_size({"width": int(width), "height": int(height)})
            self.page.screenshot(path=str(path))
        else:
            self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> dict[str, Any]:
        """axe-core's WCAG 2.1 A and AA rules on the page: every violation, by impact."""
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, "
            "resultTypes: ['violations']})",
            AXE_TAGS,
        )
        violations = [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        return {
            "axe_version": result.get("testEngine", {}).get("version"),
            "violations": violations,
            "blocking": [v for v in violations if v["impact"] in BLOCKING_IMPACTS],
            "passes": len(result.get("passes", [])),
        }

    def missing_text_alternatives(self) -> list[str]:
        """Images without alt, and SVG pictures whose accessible name resolves to nothing."""
        return self.page.evaluate(
            """() => {
              const missing = [];
              for (const img of document.querySelectorAll('img')) {
                if (!(img.getAttribute('alt') || '').trim()) missing.push('img ' + img.src);
              }
              const svgs = document.documentElement.localName === 'svg'
                ? [document.documentElement] : Array.from(document.querySelectorAll('body svg'));
              for (const svg of svgs) {
                const ids = (svg.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean);
                const name = ids.map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
                if (!name) missing.push('svg ' + (svg.getAttribute('class') || ''));
              }
              return missing;
            }"""
        )

    def close(self) -> None:
        self.context.close()


def write_summary(name: str, data: Any) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path
