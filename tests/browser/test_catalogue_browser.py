"""The catalogue and product page in a real browser: grid and list, add to cart from the list
with script (the badge counts up, the page stays), the tiers; screenshots in both languages.

Screenshots go to GATEWAY_SCREENSHOT_DIR (default: pytest's temporary folder) for a person to
look at after a run; nothing compares pixels.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("GATEWAY_SCREENSHOT_DIR")
    path = Path(folder) if folder else tmp_path_factory.getbasetemp() / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _login(page: Page, live_server: str, email: str, language: str = "en") -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("form.login button[type=submit]")
    expect(page).to_have_url(f"{live_server}/start")
    page.goto(f"{live_server}/catalog")  # the catalogue, as before the start page
    page.click(f".language-switch button[value={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_grid_and_list_views_switch_in_the_url(live_server: str, page: Page) -> None:
    _login(page, live_server, "buyer@1002.demo")
    expect(page.locator("[data-catalog-view=list] tr[data-sku]")).to_have_count(48)
    page.click("a[data-view=grid]")
    expect(page).to_have_url(f"{live_server}/catalog?view=grid")
    expect(page.locator("[data-catalog-view=grid] li[data-sku]")).to_have_count(48)
    page.click("a[data-category=office-paper]")
    expect(page).to_have_url(f"{live_server}/catalog?category=office-paper&view=grid")
    expect(page.locator("li[data-sku]")).to_have_count(20)
    page.click("a[data-view=list]")
    expect(page.locator("tr[data-sku]")).to_have_count(20)


# The right edge by which a card's widest descendant sticks out of the card (0: none does).
_OVERFLOW = """cards => Math.max(0, ...cards.map(card => {
  const right = card.getBoundingClientRect().right;
  return Math.max(...[...card.querySelectorAll('*')].map(e => e.getBoundingClientRect().right))
    - right;
}))"""


def test_grid_cards_hold_long_dutch_names_and_the_list_choice(live_server: str, page: Page) -> None:
    _login(page, live_server, "buyer@1001.demo", "nl")  # a buyer with a requisition list
    page.goto(f"{live_server}/catalog?view=grid")
    cards = page.locator("[data-catalog-view=grid] li.card")
    expect(cards.first.locator("select[name=list]")).to_be_visible()
    expect(cards.first.locator(".card-name")).to_have_text("Parkeervergunninghouder")
    assert cards.evaluate_all(_OVERFLOW) <= 1


def test_add_to_cart_from_the_list_updates_the_badge_without_leaving(
    live_server: str, page: Page
) -> None:
    _login(page, live_server, "buyer@1002.demo")
    page.goto(f"{live_server}/catalog?q=screwdriver&page=1")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    badge = page.locator("[data-cart-count]")
    before = int(badge.get_attribute("data-cart-count") or "0")
    row = page.locator("tr[data-sku='DEMO-0161']")
    row.locator("input[name=quantity]").fill("4")
    row.locator("button[type=submit]").click()
    expect(badge).to_have_attribute("data-cart-count", str(before + 1))
    status = page.locator("[data-cart-status] [role=status]")
    expect(status).to_contain_text("is in your cart")
    expect(page).to_have_url(f"{live_server}/catalog?q=screwdriver&page=1")
    assert navigations == []
    page.locator("tr[data-sku='DEMO-0162'] input[name=quantity]").fill("0")
    page.locator("tr[data-sku='DEMO-0162'] button[type=submit]").click()
    expect(page.locator("[data-cart-status] [role=alert]")).to_be_visible()
    expect(badge).to_have_attribute("data-cart-count", str(before + 1))
    page.goto(f"{live_server}/cart")
    expect(page.locator("tr[data-sku='DEMO-0161']")).to_be_visible()


def test_without_script_the_list_form_comes_back_to_the_list(live_server: str, page: Page) -> None:
    page.context.set_extra_http_headers({})
    _login(page, live_server, "buyer@1002.demo")
    page.route("**/static/catalog.js", lambda route: route.abort())
    page.goto(f"{live_server}/catalog?category=office-writing&view=grid")
    card = page.locator("li[data-sku='DEMO-0007']")
    card.locator("input[name=quantity]").fill("2")
    card.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/catalog?category=office-writing&view=grid")
    expect(page.locator(".flashes [role=status]")).to_contain_text("is in your cart")


def test_the_product_page_shows_tiers_in_dutch(live_server: str, page: Page) -> None:
    _login(page, live_server, "buyer@1001.demo", "nl")
    page.goto(f"{live_server}/products/DEMO-0001")
    tiers = page.locator("table.tiers")
    expect(tiers.locator("tbody tr")).to_have_count(2)
    expect(tiers.locator("tbody tr").nth(1)).to_contain_text("vanaf 10 stuks")
    expect(tiers.locator("tbody tr").nth(1)).to_contain_text("€ 0,69")
    expect(page.locator(".price-line [data-contract]")).to_have_text("Uw contractprijs")
    expect(page.locator("section.related li[data-related-sku]")).to_have_count(6)
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()


def _load_every_picture(page: Page) -> None:
    """A full-page screenshot shows rows far below the fold: load their lazy pictures too."""
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_screenshots_of_the_shop(live_server: str, page: Page, shots: Path, language: str) -> None:
    _login(page, live_server, "multi@demo.test", language)
    for name, path in (
        ("catalogue", "/catalog"),
        ("catalogue-grid", "/catalog?view=grid&category=office"),
        ("product", "/products/DEMO-0001"),
    ):
        page.goto(f"{live_server}{path}")
        _load_every_picture(page)
        page.screenshot(path=shots / f"{name}-{language}.png", full_page=True)
    page.goto(f"{live_server}/products/DEMO-0003")
    page.click("form.add-to-cart button[type=submit]")
    expect(page).to_have_url(f"{live_server}/cart")
    page.screenshot(path=shots / f"cart-{language}.png", full_page=True)
    page.goto(f"{live_server}/checkout")
    page.screenshot(path=shots / f"checkout-{language}.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/catalog")
    expect(page.locator("details[data-collapse-narrow]")).not_to_have_attribute("open", "")
    page.screenshot(path=shots / f"catalogue-phone-{language}.png", full_page=False)
    names = ("cart", "catalogue", "catalogue-grid", "catalogue-phone", "checkout", "product")
    assert {p.name for p in shots.glob(f"*-{language}.png")} == {
        f"{name}-{language}.png" for name in names
    }
