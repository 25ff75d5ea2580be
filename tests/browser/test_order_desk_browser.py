"""The order desk in a real browser: customer service confirms, ships with a tracking number
and invoices a cXML order; the outbox then holds the buyer's three documents, and the
customer sees the shipment and downloads both PDFs."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import Browser, Page, expect

from tests import buyer

pytestmark = pytest.mark.browser

SERVICE = "service@supplier.demo"


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server}/start")
    page.goto(f"{live_server}/catalog")  # the catalogue, as before the start page


def _send_order(live_server: str, po_number: str) -> None:
    body = buyer.order_request(order_id=po_number, items=(("DEMO-0001", None, "5", "0.77"),))
    request = urllib.request.Request(  # noqa: S310 - our own live server on loopback
        f"{live_server}/cxml", data=body, headers={"Content-Type": "text/xml"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        assert buyer.status_of(answer.read())[0] == 200


def test_customer_service_confirms_ships_and_invoices_a_cxml_order(
    live_server: str, page: Page, browser: Browser
) -> None:
    _send_order(live_server, "PO-BROWSER-DESK")
    _login(page, live_server, SERVICE)
    page.click("nav >> text=Order desk")
    expect(page.locator("tr[data-order-status='on_hold']").first).to_be_visible()  # the demo's
    page.locator("form[data-order-filters] input[name=q]").fill("PO-BROWSER-DESK")
    page.click("form[data-order-filters] button[type=submit]")
    row = page.locator("tr[data-order-number]")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-order-status", "received")
    number = row.get_attribute("data-order-number")
    row.locator("a").click()
    order = page.locator(f"article[data-order-number='{number}']")
    expect(order).to_have_attribute("data-order-status", "received")

    page.locator("form[data-action='confirm'] button[type=submit]").click()
    expect(order).to_have_attribute("data-order-status", "confirmed")
    expect(page.locator("form[data-action='confirm']")).to_have_count(0)  # no second time
    ship = page.locator("form[data-action='ship']")
    ship.locator("input[name=carrier]").fill("PostNL")
    ship.locator("input[name=tracking_number]").fill("3SBROWSER42")
    ship.locator("button[type=submit]").click()
    expect(order).to_have_attribute("data-order-status", "shipped")
    expect(page.locator("[data-tracking-number='3SBROWSER42']")).to_be_visible()
    page.locator("form[data-action='invoice'] button[type=submit]").click()
    expect(order).to_have_attribute("data-order-status", "invoiced")
    expect(page.locator("form[data-action]")).to_have_count(0)

    outbound = page.locator("table.trail tr[data-direction='out']")
    expect(outbound).to_have_count(3)
    types = [outbound.nth(i).get_attribute("data-document-type") for i in range(3)]
    assert types == ["ConfirmationRequest", "ShipNoticeRequest", "InvoiceDetailRequest"]
    for i in range(3):  # queued: the demo partner has nowhere to send them yet
        assert outbound.nth(i).get_attribute("data-document-status") == "pending"
    audit = page.request.get(f"{live_server}/staff/orders/{number}/invoice.pdf")
    assert audit.ok
    assert audit.headers["content-type"] == "application/pdf"

    customer = browser.new_context()
    shopper = customer.new_page()
    _login(shopper, live_server, "superuser@1001.demo")
    shopper.goto(f"{live_server}/orders")
    shopper.locator(f"a:has-text('{number}')").first.click()
    expect(shopper.locator("[data-tracking-number='3SBROWSER42']")).to_contain_text("PostNL")
    for document in ("confirmation", "invoice"):
        link = shopper.locator(f"[data-fulfilment] a[data-document='{document}']").first
        answer = shopper.request.get(f"{live_server}{link.get_attribute('href')}")
        assert answer.ok, document
        assert answer.body().startswith(b"%PDF-")
    customer.close()

    other = browser.new_context()
    stranger = other.new_page()
    _login(stranger, live_server, "buyer@1002.demo")
    refused = stranger.request.get(f"{live_server}/orders/{number}/invoice.pdf")
    assert refused.status == 404
    other.close()
