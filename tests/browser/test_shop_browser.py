"""The shop's main paths in a real browser: B2B buyer with two customers, and a guest."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{live_server}/start")
    page.goto(f"{live_server}/catalog")  # the catalogue, as before the start page


def test_buyer_switches_customer_searches_orders_and_checks_out(
    live_server: str, page: Page
) -> None:
    _login(page, live_server, "multi@demo.test")
    expect(page.locator("[data-customer]")).to_have_attribute("data-customer", "1001")
    page.goto(f"{live_server}/products/DEMO-0001")
    expect(page.locator(".price")).to_have_attribute("data-price", "0.77")

    page.select_option("select[name=customer]", "1002")
    page.click("button:has-text('Switch')")
    expect(page.locator("[data-customer]")).to_have_attribute("data-customer", "1002")
    page.goto(f"{live_server}/products/DEMO-0001")
    expect(page.locator(".price")).to_have_attribute("data-price", "0.68")

    page.fill("input[name=q]", "copy paper large black")
    page.press("input[name=q]", "Enter")
    expect(page.locator("tr[data-sku]")).to_have_count(1)
    page.click("a[href='/products/DEMO-0027']")
    page.fill("input[name=quantity]", "2")
    page.click("text=Add to cart")
    expect(page).to_have_url(f"{live_server}/cart")

    page.click("text=Quick order")
    page.fill("textarea[name=lines]", "DEMO-0001 10\nNO-SUCH 1\nDEMO-0002 3")
    page.click("button:has-text('Add to cart')")
    expect(page.locator("[data-added]")).to_have_attribute("data-added", "2")
    expect(page.locator("li[data-line='2']")).to_contain_text("No product 'NO-SUCH'")
    expect(page.locator("textarea[name=lines]")).to_have_value("NO-SUCH 1")

    page.goto(f"{live_server}/cart")
    expect(page.locator("tr[data-sku]")).to_have_count(3)
    page.click("text=Check out")
    page.fill("input[name=buyer_reference]", "PO-BROWSER-1")
    page.click("button:has-text('Place order')")
    order = page.locator("article[data-order-id]")
    expect(order).to_have_attribute("data-order-status", "placed")
    expect(page.locator("[role=status]")).to_contain_text("your order has been placed")
    order_id = order.get_attribute("data-order-id")

    page.click("nav >> text=Orders")
    expect(page.locator(f"tr[data-order-id='{order_id}']")).to_have_attribute(
        "data-order-status", "placed"
    )
    page.select_option("select[name=customer]", "1001")
    page.click("button:has-text('Switch')")
    page.goto(f"{live_server}/orders")
    expect(page.locator(f"tr[data-order-id='{order_id}']")).to_have_count(0)


def test_guest_buys_at_list_prices_including_vat(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/products/DEMO-0002")
    expect(page.locator(".price")).to_have_attribute("data-price", "1.14")
    page.fill("input[name=quantity]", "2")
    page.click("text=Add to cart")
    expect(page).to_have_url(f"{live_server}/guest/cart")
    expect(page.locator("[data-cart-total-incl-vat]")).to_contain_text("2.27")  # 1.88 + 0.39
    page.click("text=Check out as a guest")
    page.fill("input[name=name]", "Gina Guest")
    page.fill("input[name=email]", "not-an-address")
    page.fill("input[name=street]", "Kerkstraat 1")
    page.fill("input[name=postcode]", "1234 AB")
    page.fill("input[name=city]", "Haarlem")
    # The browser's own check would stop an invalid address; the server's message is tested too.
    page.locator("input[name=email]").evaluate("e => e.type = 'text'")
    page.click("button:has-text('Place order')")
    expect(page.locator("[data-problem=email]")).to_contain_text("name@example.com")
    expect(page.locator("input[name=street]")).to_have_value("Kerkstraat 1")
    page.fill("input[name=email]", "gina@example.org")
    page.click("button:has-text('Place order')")
    expect(page.locator("article[data-order-id]")).to_have_attribute("data-order-status", "placed")
    expect(page).to_have_url(re.compile(r"/guest/orders/[\w-]{43}\?placed=1$"))  # private link
    page.goto(f"{live_server}/guest/cart")
    expect(page.locator("main")).to_contain_text("Your cart is empty")


def test_superuser_lets_a_punchout_connection_use_shop_accounts(
    live_server: str, page: Page
) -> None:
    _login(page, live_server, "superuser@1001.demo")
    page.goto(f"{live_server}/account/users")
    page.click(".account-nav >> text=Punchout connections")
    connection = page.locator("section.connection", has_text="demo-cxml")
    expect(connection).to_have_attribute("data-match-shop-accounts", "off")
    connection.locator("input[name=match_shop_accounts]").check()
    connection.locator("button:has-text('Save')").click()
    connection = page.locator("section.connection", has_text="demo-cxml")
    expect(connection).to_have_attribute("data-match-shop-accounts", "on")
    expect(connection.locator("input[name=match_shop_accounts]")).to_be_checked()
    page.goto(f"{live_server}/account/organisation")
    expect(page.locator("li[data-audit-action='punchout.match_shop_accounts']")).to_contain_text(
        "demo-cxml"
    )

    page.goto(f"{live_server}/account/punchout")  # and off again, for the other tests
    connection = page.locator("section.connection", has_text="demo-cxml")
    connection.locator("input[name=match_shop_accounts]").uncheck()
    connection.locator("button:has-text('Save')").click()
    expect(page.locator("section.connection", has_text="demo-cxml")).to_have_attribute(
        "data-match-shop-accounts", "off"
    )
