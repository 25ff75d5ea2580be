"""Test orders in a real browser: the shop's history and order page show a visible Test badge."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests import buyer

pytestmark = pytest.mark.browser


def test_a_test_order_carries_a_visible_badge_in_the_shop(live_server: str, page: Page) -> None:
    body = buyer.order_request(order_id="PO-BROWSER-TEST", deployment_mode="test")
    answer = requests.post(
        f"{live_server}/cxml", data=body, headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert buyer.status_of(answer.content) == (200, "OK")

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "superuser@1001.demo")
    page.fill("input[name=password]", "demo")
    page.click("button:has-text('Log in')")
    page.goto(f"{live_server}/orders")
    row = page.locator("tr", has_text="PO-BROWSER-TEST")
    expect(row).to_have_attribute("data-deployment-mode", "test")
    badge = row.locator("[data-test-badge]")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Test")

    row.locator("a").click()
    expect(page.locator("article.order")).to_have_attribute("data-deployment-mode", "test")
    expect(page.locator("h1 [data-test-badge]")).to_be_visible()
