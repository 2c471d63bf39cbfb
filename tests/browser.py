"""Open a local HTML page in headless Chromium (Debian's): its console errors, the addresses it
tried to fetch beyond the file itself, and a full-page screenshot for a person to look at.

A test that renders marks itself :data:`needs_chromium` and renders only: without Chromium it
alone is skipped, while the checks that need no browser sit in tests of their own and still run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"
"""Where the rendering checks leave their pictures (git-ignored)."""

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed: the page is not rendered")
needs_libreoffice = pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdftoppm")),
                                       reason="LibreOffice or pdftoppm is not installed: the workbook is not printed")


def open_page(page: Path, screenshot: str, wait_for: str = ".js-plotly-plot") -> tuple[list[str], list[str], int]:
    """(console errors, network addresses requested, elements matching ``wait_for``). Callers
    are marked :data:`needs_chromium`."""
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    fetched: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(0)  # wait for the page's own events however long a loaded machine takes, not 30 s
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("request", lambda r: fetched.append(r.url))
        tab.goto(page.as_uri())
        tab.wait_for_selector(f"{wait_for} .main-svg")
        count = tab.locator(wait_for).count()
        SCREENSHOTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
        browser.close()
    return errors, [url for url in fetched if not url.startswith(("file:", "data:"))], count
