"""Requisition lists and quotes in a real browser (issue 20): a buyer keeps a list and puts it
in the cart, also in a punchout; a quote is requested, answered by staff, accepted, and its
prices reach the cart and the returned punchout cart."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_punchout_browser import _start_page

pytestmark = pytest.mark.browser


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(re.compile(r"/start$"))
    page.goto(f"{live_server}/catalog")  # the catalogue, as before the start page
    # in English, whatever language another test left this shared demo user in
    page.click("form.language-switch button[value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def _empty_cart(page: Page, live_server: str) -> None:
    page.goto(f"{live_server}/cart")
    remove = page.locator("form[action*='/delete'] button")
    for _ in range(50):
        if not remove.count():
            return
        remove.first.click()
        page.wait_for_load_state()
    raise AssertionError("the cart did not empty")


def _new_list(page: Page, live_server: str, name: str) -> None:
    page.goto(f"{live_server}/lists")
    page.fill("form.new-list input[name=name]", name)
    page.click("text=Create list")
    expect(page.locator("h1")).to_have_text(name)


def test_a_buyer_keeps_a_list_and_puts_it_in_the_cart(live_server: str, page: Page) -> None:
    _login(page, live_server, "superuser@1002.demo")  # no other browser test shops as them
    _new_list(page, live_server, "Weekly office order")
    page.goto(f"{live_server}/products/DEMO-0017")
    form = page.locator("[data-add-to-list='DEMO-0017'] form")
    form.locator("input[name=quantity]").fill("4")
    form.locator("button", has_text="Weekly office order").click()
    expect(page.locator("tr[data-sku='DEMO-0017']")).to_be_visible()
    page.goto(f"{live_server}/catalog?q=DEMO-0018")
    page.locator("tr[data-sku='DEMO-0018'] [data-add-to-list] button").click()
    expect(page.locator("tr[data-sku='DEMO-0018']")).to_be_visible()
    expect(page.locator("tr[data-sku='DEMO-0017'] input[name=quantity]")).to_have_value("4")
    page.click("text=Put the list in the cart")
    expect(page).to_have_url(f"{live_server}/cart")
    expect(page.locator("tr[data-sku='DEMO-0017'] input[name=quantity]")).to_have_value("4")
    expect(page.locator("tr[data-sku='DEMO-0018']")).to_be_visible()


def test_a_punchout_user_keeps_a_list_and_returns_it_to_the_buyer(
    live_server: str, page: Page
) -> None:
    page.goto(live_server + _start_page(live_server, email="lists@buyer.example"))
    expect(page).to_have_url(f"{live_server}/catalog")
    _new_list(page, live_server, "Ariba standard order")
    page.goto(f"{live_server}/products/DEMO-0010")
    page.locator("[data-add-to-list='DEMO-0010'] input[name=quantity]").fill("12")
    page.click("text=Add to list “Ariba standard order”")
    page.click("text=Put the list in the cart")
    expect(page).to_have_url(f"{live_server}/cart")
    page.click("text=Transfer cart")
    expect(page.locator("h1")).to_have_text("Cart received by the buyer simulator")
    expect(page.locator("tr[data-sku='DEMO-0010'] [data-quantity]")).to_have_text("12")


def _answer_as_staff(browser: Browser, live_server: str, reference: str, prices: list[str]) -> None:
    context = browser.new_context()
    desk = context.new_page()
    desk.set_default_timeout(15_000)
    _login(desk, live_server, "service@supplier.demo")
    desk.goto(f"{live_server}/staff/quotes")
    desk.click(f"text={reference}")
    fields = desk.locator("input[name^='price-']")
    expect(fields).to_have_count(len(prices))
    for index, price in enumerate(prices):
        fields.nth(index).fill(price)
    until = (datetime.now(UTC) + timedelta(days=10)).date().isoformat()
    desk.fill("input[name=valid_until]", until)
    desk.fill("textarea[name=note]", "Volume discount")
    desk.click("text=Send the answer")
    expect(desk.locator("h1")).to_have_attribute("data-quote-status", "answered")
    context.close()


def _ask_quote(page: Page, note: str) -> str:
    page.click("text=Save as list or ask for a quote")
    page.fill("textarea[name=note]", note)
    page.click("form.request-quote button")
    heading = page.locator("h1[data-quote-id]")
    expect(heading).to_have_attribute("data-quote-status", "requested")
    return f"Q{int(heading.get_attribute('data-quote-id') or 0):06d}"


def test_a_quote_is_requested_answered_by_staff_and_accepted_into_the_cart(
    live_server: str, page: Page, browser: Browser
) -> None:
    _login(page, live_server, "buyer@1001.demo")
    _empty_cart(page, live_server)  # the live server is shared: other tests shop as this buyer
    page.goto(f"{live_server}/products/DEMO-0020")
    page.fill("form.add-to-cart input[name=quantity]", "200")
    page.click("form.add-to-cart button")
    reference = _ask_quote(page, "200 pieces each month")
    _answer_as_staff(browser, live_server, reference, ["0.40"])
    page.goto(f"{live_server}/quotes")
    row = page.locator("tr[data-quote-id]", has_text=reference)
    expect(row).to_have_attribute("data-quote-status", "answered")
    row.locator("a").click()
    expect(page.locator("[data-answer-note]")).to_contain_text("Volume discount")
    page.click("text=Accept and put in the cart")
    expect(page).to_have_url(f"{live_server}/cart")
    line = page.locator(f"tr[data-quote-reference='{reference}']")
    expect(line).to_contain_text("0.40")
    expect(page.locator("[data-cart-total]")).to_have_attribute("data-cart-total", "80.00")


def test_a_quote_accepted_in_a_punchout_returns_with_its_reference(
    live_server: str, page: Page, browser: Browser
) -> None:
    page.goto(live_server + _start_page(live_server, email="quotes@buyer.example"))
    page.goto(f"{live_server}/products/DEMO-0030")
    page.fill("form.add-to-cart input[name=quantity]", "50")
    page.click("form.add-to-cart button")
    reference = _ask_quote(page, "Framework price please")
    _answer_as_staff(browser, live_server, reference, ["1.25"])
    page.goto(f"{live_server}/quotes/{int(reference[1:])}")
    page.click("text=Accept and put in the cart")
    expect(page.locator(f"tr[data-quote-reference='{reference}']")).to_contain_text("1.25")
    page.click("text=Transfer cart")
    expect(page.locator("h1")).to_have_text("Cart received by the buyer simulator")
    received = page.locator("tr[data-sku='DEMO-0030']")
    expect(received).to_contain_text(f"{reference}-1")
    expect(received).to_contain_text("1.25")
    expect(page.locator("[data-total]")).to_have_attribute("data-total", "62.50")
