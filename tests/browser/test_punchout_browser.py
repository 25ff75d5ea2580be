"""A cXML punchout in a real browser: StartPage, shop, transfer, auto-post to the buyer."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from gateway.cxml import Operation
from tests import buyer
from tests.paths import official_dtd_dir

pytestmark = pytest.mark.browser


def _start_page(live_server: str, **kwargs: object) -> str:
    body = buyer.setup_request(url=f"{live_server}/tools/simulator/receive", **kwargs)  # type: ignore[arg-type]
    answer = requests.post(
        f"{live_server}/cxml", data=body, headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert answer.status_code == 200
    code, text = buyer.status_of(answer.content)
    assert code == 200, text
    return buyer.start_path(answer.content)


def test_create_punchout_posts_the_cart_back_through_the_browser(
    live_server: str, page: Page
) -> None:
    page.goto(live_server + _start_page(live_server, buyer_cookie="browser-cookie"))
    expect(page).to_have_url(f"{live_server}/catalog")
    expect(page.locator(".banner")).to_contain_text("demo-cxml")
    page.click("a[href='/products/DEMO-0001']")
    page.fill("input[name=quantity]", "3")
    page.click("text=Add to cart")
    expect(page).to_have_url(f"{live_server}/cart")
    expect(page.locator("[data-cart-total]")).to_contain_text("2.31")
    page.click("text=Transfer cart")
    # The return page posts itself to the BrowserFormPost URL: the simulator decodes the cart.
    expect(page.locator("h1")).to_have_text("Cart received by the buyer simulator")
    expect(page.locator("[data-buyer-cookie]")).to_have_text("browser-cookie")
    expect(page.locator("tr[data-sku='DEMO-0001'] [data-quantity]")).to_have_text("3")
    expect(page.locator("[data-problems='0']")).to_contain_text("our XSD and the cXML rules pass")
    if official_dtd_dir() is not None:  # else the summary says the DTDs were missing
        expect(page.locator("dd", has_text="valid")).to_have_text("valid")


def test_edit_punchout_shows_the_buyers_cart(live_server: str, page: Page) -> None:
    start = _start_page(
        live_server, operation=Operation.EDIT, items=(("DEMO-0004", "line-7", "2"),)
    )
    page.goto(live_server + start)
    expect(page).to_have_url(f"{live_server}/cart")
    expect(page.locator("tr[data-sku='DEMO-0004']")).to_be_visible()
    page.click("text=Cancel, keep my requisition unchanged")
    expect(page.locator("h1")).to_have_text("Cart received by the buyer simulator")
    expect(page.locator("dl")).to_contain_text("204")
