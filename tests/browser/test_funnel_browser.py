"""The punchout funnel in a real browser: a demo-cxml run (setup, StartPage, cart transfer,
OrderRequest) shows up on /admin/funnel with its chart."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests import buyer

pytestmark = pytest.mark.browser

STEPS = ("setups", "sessions", "carts", "orders")


def _post(live_server: str, body: bytes) -> bytes:
    answer = requests.post(
        f"{live_server}/cxml", data=body, headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert answer.status_code == 200
    code, text = buyer.status_of(answer.content)
    assert code == 200, text
    return answer.content


def _demo_row(page: Page, live_server: str) -> dict[str, int]:
    page.goto(f"{live_server}/admin/funnel")
    row = page.locator("tr[data-partner='demo-cxml']")
    expect(row).to_be_visible()
    return {step: int(row.get_attribute(f"data-{step}") or "-1") for step in STEPS}


def test_a_demo_cxml_run_shows_its_setup_cart_and_order_on_the_funnel(
    live_server: str, page: Page, browser: Browser
) -> None:
    staff = browser.new_context().new_page()
    staff.goto(f"{live_server}/login")
    staff.fill("input[name=email]", "admin@supplier.demo")
    staff.fill("input[name=password]", "demo")
    staff.click("button[type=submit]")
    staff.click("a[data-nav='funnel']")
    expect(staff.locator("h1")).to_have_text("Punchout funnel")
    before = _demo_row(staff, live_server)

    # The buyer's side: setup request, StartPage, a product, the cart back to the buyer.
    answer = _post(
        live_server,
        buyer.setup_request(url=f"{live_server}/tools/simulator/receive", buyer_cookie="funnel"),
    )
    page.goto(live_server + buyer.start_path(answer))
    expect(page.locator(".banner")).to_contain_text("demo-cxml")
    page.goto(f"{live_server}/products/DEMO-0001")
    page.fill("input[name=quantity]", "3")
    page.click("text=Add to cart")
    page.click("text=Transfer cart")
    expect(page.locator("h1")).to_have_text("Cart received by the buyer simulator")
    line = page.locator("tr[data-sku='DEMO-0001'] td")
    aux = line.nth(1).inner_text().strip()
    price = re.sub(r"[^\d.]", "", line.nth(5).inner_text())  # "€0.77" in English
    assert aux
    # ... and the purchase order that follows it, naming the line's SupplierPartAuxiliaryID.
    _post(
        live_server,
        buyer.order_request(
            order_id=f"PO-FUNNEL-{uuid4().hex[:8]}", items=(("DEMO-0001", aux, "3", price),)
        ),
    )

    after = _demo_row(staff, live_server)
    assert {step: after[step] - before[step] for step in STEPS} == dict.fromkeys(STEPS, 1)
    chart = staff.locator("figure[data-funnel-chart]")
    expect(chart.locator("svg[data-chart='funnel'][role='img']")).to_be_visible()
    expect(chart.locator("svg[data-chart='funnel'] title")).to_contain_text("Punchout funnel")
    for step in STEPS:
        expect(chart.locator(f"g[data-step='{step}'] rect")).to_be_visible()
    expect(chart.locator("svg[data-chart='trend'] g[data-series='orders'] polyline")).to_have_count(
        1
    )
