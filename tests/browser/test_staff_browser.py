"""Staff in a real browser: customer service shops as a customer; a sales agent's prospect."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

SERVICE = "service@supplier.demo"


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server}/start")
    page.goto(f"{live_server}/catalog")  # the catalogue, as before the start page


def test_customer_service_shops_as_a_customer_user_and_the_audit_log_shows_it(
    live_server: str, page: Page, browser: Browser
) -> None:
    _login(page, live_server, SERVICE)
    page.click("nav >> text=Customers")
    page.fill("input[name=q]", "acme")
    page.click("form.staff-search button[type=submit]")
    page.click("tr[data-customer-row='1001'] a")
    row = page.locator("tr[data-sku='DEMO-0001']")
    contract = Decimal(row.locator("[data-customer-price]").get_attribute("data-customer-price"))
    listed = Decimal(re.sub(r"[^\d.]", "", row.locator("td").nth(2).inner_text()))  # "€0.85"
    assert contract < listed  # the customer's own price, not the list price

    form = page.locator("form.impersonate")
    form.locator("select[name=on_behalf_of]").select_option(
        label="Bea Buyer (1001) (buyer@1001.demo, Buyer)"
    )
    form.locator("input[name=reason]").fill("Customer phoned for advice")
    form.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/catalog")
    banner = page.locator(f"[data-acting-staff='{SERVICE}']")
    expect(banner).to_contain_text("Bea Buyer (1001)")
    expect(banner).to_contain_text(SERVICE)

    page.goto(f"{live_server}/products/DEMO-0001")
    expect(page.locator(f"[data-acting-staff='{SERVICE}']")).to_be_visible()
    page.fill("input[name=quantity]", "5")
    page.click("form[action='/cart/items'] button[type=submit]")
    expect(page).to_have_url(f"{live_server}/cart")
    page.goto(f"{live_server}/checkout")
    page.click("form.checkout button[type=submit]")
    expect(page.locator("article[data-order-id]")).to_have_attribute("data-order-status", "placed")
    expect(page.locator(f"[data-placed-by='{SERVICE}']")).to_contain_text("Cees Service")
    expect(page.locator("[data-ordered-for='buyer@1001.demo']")).to_contain_text("Bea Buyer")
    page.click("[data-end-session]")
    expect(page).to_have_url(f"{live_server}/staff/customers/1001")
    expect(page.locator("[data-acting-staff]")).to_have_count(0)

    admin = browser.new_context().new_page()
    try:
        _login(admin, live_server, "admin@supplier.demo")
        admin.click("nav >> text=Audit log")
        admin.fill("input[name=action]", "impersonation.")
        admin.fill("input[name=customer]", "1001")
        admin.click("form.filters button[type=submit]")
        start = admin.locator("tr[data-audit-action='impersonation.start']").first
        expect(start).to_have_attribute("data-actor", SERVICE)
        expect(start).to_have_attribute("data-on-behalf-of", "buyer@1001.demo")
        expect(start).to_contain_text("Customer phoned for advice")
        expect(start).to_contain_text("127.0.0.1")
        expect(admin.locator("tr[data-audit-action='impersonation.end']").first).to_have_attribute(
            "data-actor", SERVICE
        )
        expect(admin.locator("tr[data-audit-action='impersonation.change']").first).to_be_visible()
    finally:
        admin.context.close()


def test_a_sales_agent_registers_and_activates_a_prospect_but_not_another_agents_customer(
    live_server: str, page: Page
) -> None:
    _login(page, live_server, "agent@supplier.demo")
    page.click("nav >> text=Customers")
    expect(page.locator("tr[data-customer-row='1001']")).to_be_visible()
    expect(page.locator("tr[data-customer-row='1002']")).to_have_count(0)
    form = page.locator("form.new-customer")
    for field, value in (
        ("name", "Umbrella Retail B.V."),
        ("coc_number", "44443333"),
        ("vat_number", "NL444433330B01"),
        ("street", "Coolsingel 40"),
        ("postcode", "3011 AD"),
        ("city", "Rotterdam"),
        ("contact_name", "Alice Abernathy"),
        ("contact_email", "alice@umbrella.test"),
    ):
        form.locator(f"input[name={field}]").fill(value)
    form.locator("button[type=submit]").click()
    customer = page.locator("article.staff-customer")
    expect(customer).to_have_attribute("data-status", "prospect")
    expect(page.locator("[data-agent='agent@supplier.demo']")).to_be_visible()
    expect(page.locator("form.impersonate")).to_have_count(0)  # a prospect cannot order yet
    page.click("[data-activate]")
    expect(customer).to_have_attribute("data-status", "active")
    expect(page.locator("form.impersonate")).to_be_visible()

    # The same registration again is refused with a clear message.
    page.click("nav >> text=Customers")
    form = page.locator("form.new-customer")
    form.locator("input[name=name]").fill("Umbrella again")
    form.locator("input[name=coc_number]").fill("44443333")
    form.locator("input[name=contact_email]").fill("other@umbrella.test")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-problem='customer']")).to_contain_text("already has this")

    response = page.goto(f"{live_server}/staff/customers/1002")
    assert response is not None
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("Globex")
