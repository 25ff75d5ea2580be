"""Accessibility in a real browser: axe-core finds no serious or critical violation on the main
pages of every role, in Dutch and English; every main action works by keyboard with a visible
focus. Each page checked is saved as a screenshot in test-output/screenshots/ to look at.

The shared live server's demo users keep their language on their account, so each role's run
switches it there and leaves it in English, as the other browser tests expect to find it. The
keyboard test shops as a guest: its cart lives in its own browser session only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.accessibility import screenshot, serious_violations
from tests.browser.test_punchout_browser import _start_page

pytestmark = pytest.mark.browser

LOCALES = ("nl", "en")

#: role → (login, main pages by name)
ROLES: dict[str, tuple[str | None, dict[str, str]]] = {
    "guest": (
        None,
        {
            "catalog": "/catalog",
            "catalog-grid": "/catalog?view=grid&category=office-writing",
            "product": "/products/DEMO-0001",
            "cart": "/guest/cart",
            "login": "/login",
        },
    ),
    "buyer": (
        "buyer@1002.demo",
        {
            "start": "/start",
            "catalog": "/catalog",
            "product": "/products/DEMO-0002",
            "product-pack": "/products/DEMO-0021",
            "cart": "/cart",
            "orders": "/orders",
            "quick-order": "/quick-order",
            "budgets": "/account/budgets",
            "lists": "/lists",
        },
    ),
    "requester": ("requester@1001.demo", {"start": "/start", "orders": "/orders"}),
    "superuser": (
        "superuser@1002.demo",
        {
            "start": "/start",
            "approvals": "/approvals",
            "budgets": "/account/budgets",
            "users": "/account/users",
        },
    ),
    "customer-service": (
        "service@supplier.demo",
        {
            "start": "/start",
            "customers": "/staff/customers",
            "customer": "/staff/customers/1002",
            "order-desk": "/staff/orders",
        },
    ),
    "sales-agent": (
        "agent2@supplier.demo",
        {"start": "/start", "customers": "/staff/customers", "customer": "/staff/customers/1002"},
    ),
    "admin": (
        "admin@supplier.demo",
        {
            "start": "/start",
            "partners": "/admin/partners",
            "messages": "/admin/messages",
            "audit": "/staff/audit",
            "funnel": "/admin/funnel",
        },
    ),
}


@pytest.fixture
def english_afterwards(page: Page, live_server: str) -> Iterator[Page]:
    """The page; afterwards its user's language is English again (shared demo users)."""
    yield page
    if page.url.startswith(live_server) and page.locator("form.language-switch").count():
        page.click("form.language-switch button[value=en]")
        expect(page.locator("html")).to_have_attribute("lang", "en")


def _log_in(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("form.login button[type=submit]")
    expect(page).to_have_url(f"{live_server}/start")


def _choose(page: Page, locale: str) -> None:
    page.click(f"form.language-switch button[value={locale}]")
    expect(page.locator("html")).to_have_attribute("lang", locale)


def _check_pages(page: Page, live_server: str, role: str, pages: dict[str, str]) -> list[str]:
    """Every page in both languages: axe's serious findings, and a screenshot of each."""
    problems = []
    for locale in LOCALES:
        page.goto(f"{live_server}{next(iter(pages.values()))}")
        _choose(page, locale)
        for name, path in pages.items():
            answer = page.goto(f"{live_server}{path}")
            assert answer is not None
            assert answer.ok, f"{role} {path}: {answer.status}"
            expect(page.locator("html")).to_have_attribute("lang", locale)
            screenshot(page, role=role, name=name, locale=locale)
            problems += [f"{role} {path} [{locale}] {v}" for v in serious_violations(page)]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_main_pages_have_no_serious_accessibility_violations(
    live_server: str, english_afterwards: Page, role: str
) -> None:
    page = english_afterwards
    email, pages = ROLES[role]
    if email is not None:
        _log_in(page, live_server, email)
    problems = _check_pages(page, live_server, role, pages)
    assert not problems, "\n".join(problems)


def test_the_punchout_shop_has_no_serious_accessibility_violations(
    live_server: str, browser: Browser
) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(live_server + _start_page(live_server, email="a11y@buyer.example"))
        expect(page).to_have_url(f"{live_server}/catalog")
        problems = _check_pages(
            page, live_server, "punchout", {"catalog": "/catalog", "cart": "/cart"}
        )
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def _focus_visible(page: Page) -> bool:
    """The focused element draws a focus ring (an outline or a box shadow)."""
    return bool(
        page.evaluate(
            """() => { const el = document.activeElement; const s = getComputedStyle(el);
                return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                    || s.boxShadow !== 'none'; }"""
        )
    )


def _tab_to(page: Page, selector: str, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus, checking the focus is visible at each stop
    (past the page's last stop the focus leaves the document: the body, which draws none)."""
    page.wait_for_load_state()
    for _ in range(limit):
        page.keyboard.press("Tab")
        tag = page.evaluate("() => document.activeElement.outerHTML.slice(0, 120)")
        if page.evaluate("() => document.activeElement === document.body"):
            continue
        assert _focus_visible(page), f"no visible focus on {tag}"
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_main_actions_work_by_keyboard_with_a_visible_focus(
    live_server: str, page: Page
) -> None:
    page.goto(f"{live_server}/catalog")
    _tab_to(page, "a.skip-link")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.goto(f"{live_server}/catalog")
    _tab_to(page, "form.language-switch button[value=nl]")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    _tab_to(page, "form.search input[name=q]")
    page.keyboard.type("DEMO-0007")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"q=DEMO-0007"))
    _tab_to(page, "[data-sku='DEMO-0007'] button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("[data-cart-count]")).to_have_attribute("data-cart-count", "1")
    _tab_to(page, "a[data-cart-link]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/guest/cart")
    expect(page.locator("main")).to_contain_text("DEMO-0007")


def test_login_and_the_start_page_work_by_keyboard(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/login")
    _tab_to(page, "input[name=email]")
    page.keyboard.type("agent2@supplier.demo")
    _tab_to(page, "input[name=password]")
    page.keyboard.type("demo")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/start")
    _tab_to(page, "[data-start-part=my-customers] a")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/staff/customers/1002")
    _tab_to(page, "a[data-nav=start]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/start")


def test_axe_reports_what_it_should(page: Page) -> None:
    """The check above can fail: on a page with an unlabelled image and an unnamed button, axe
    reports both as serious or critical (so an empty report means a clean page, not a dead
    axe)."""
    page.set_content(
        '<html lang="en"><head><title>Broken</title></head><body><main>'
        '<img src="data:,"><button></button></main></body></html>'
    )
    found = " ".join(serious_violations(page))
    assert "image-alt" in found
    assert "button-name" in found
