"""An SAP OCI punchout in a real browser: launch, shop, transfer, real form post to HOOK_URL."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def _launch(live_server: str, **extra: str) -> str:
    hook = f"{live_server}/tools/simulator/receive?~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"
    query = {"USERNAME": "demo-oci", "PASSWORD": "demo", **extra, "HOOK_URL": hook}
    return f"{live_server}/oci?{urlencode(query)}"


def test_oci_punchout_posts_the_cart_to_the_hook_url(
    live_server: str, page: Page, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        page.goto(_launch(live_server))
        expect(page).to_have_url(f"{live_server}/catalog")
    assert "/oci?USERNAME=***&PASSWORD=***" in caplog.text  # the access log line, redacted
    assert "PASSWORD=demo" not in caplog.text
    expect(page.locator(".banner")).to_contain_text("demo-oci")
    page.click("a[href='/products/DEMO-0001']")
    page.fill("input[name=quantity]", "3")
    page.click("text=Add to cart")
    expect(page).to_have_url(f"{live_server}/cart")
    page.click("text=Transfer cart")
    # The return page posts itself to HOOK_URL; the simulator reads the NEW_ITEM-* fields.
    expect(page.locator("h1")).to_have_text("OCI cart received by the buyer simulator")
    expect(page).to_have_url(f"{live_server}/tools/simulator/receive")
    expect(page.locator("[data-item-count]")).to_have_text("1")
    row = page.locator("tr[data-index='1']")
    expect(row).to_have_attribute("data-sku", "DEMO-0001")
    expect(row.locator("[data-quantity]")).to_have_text("3")
    expect(row.locator("[data-unit]")).to_have_text("ST")  # the demo partner's unit map
    expect(row.locator("[data-price]")).to_have_text("EUR 0.77")
    expect(page.locator("[data-field='~OkCode']")).to_have_text("ADDI")
    expect(page.locator("[data-charset]")).to_have_text("UTF-8")


def test_oci_cancel_posts_an_empty_form(live_server: str, page: Page) -> None:
    page.goto(_launch(live_server, http_content_charset="ISO-8859-1"))
    page.click("a[href='/products/DEMO-0002']")
    page.click("text=Add to cart")
    page.click("text=Cancel punchout")
    expect(page.locator("h1")).to_have_text("OCI cart received by the buyer simulator")
    expect(page.locator("[data-item-count]")).to_have_text("0")


def test_validate_auto_submits_on_the_called_url(live_server: str, page: Page) -> None:
    page.goto(_launch(live_server, FUNCTION="VALIDATE", PRODUCTID="DEMO-0001", QUANTITY="10"))
    expect(page.locator("h1")).to_have_text("OCI cart received by the buyer simulator")
    row = page.locator("tr[data-index='1']")
    expect(row.locator("[data-quantity]")).to_have_text("10")
    expect(row.locator("[data-price]")).to_have_text("EUR 0.69")
