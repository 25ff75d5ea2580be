"""axe-core in the browser tests, and screenshots of the pages it checks.

axe-core comes from the `axe-playwright-python` package (it ships the npm package's
`axe.min.js`): nothing is copied into the project or fetched at run time. Playwright injects it
through the DevTools protocol, so the pages' Content-Security-Policy stays as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.paths import PROJECT_ROOT

#: Where the screenshots go (ignored by git): one PNG per role, page and language.
SCREENSHOTS = PROJECT_ROOT / "test-output" / "screenshots"

#: The impacts that fail a test; "minor" and "moderate" findings are reported by axe only.
FAILING = frozenset({"serious", "critical"})

_AXE = Axe()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now, one line each."""
    found = _AXE.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in FAILING
    ]


def screenshot(page: Page, *, role: str, name: str, locale: str) -> Path:
    """Save the whole page as `<role>-<name>-<locale>.png` in `SCREENSHOTS`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{role}-{name}-{locale}".lower()).strip("-")
    path = SCREENSHOTS / f"{slug}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
