"""An administrator in a real browser: partner set-up, the buyer simulator, the message log."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.paths import official_dtd_dir

pytestmark = pytest.mark.browser

BROKEN_SETUP = b"""<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="browser-broken@buyer.example" timestamp="2024-05-01 10:00:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01000000001</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>1</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN01000000001</Identity>
      <SharedSecret>demo-secret</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
  </Header>
  <Request><PunchOutSetupRequest operation="create">
    <BrowserFormPost><URL>http://127.0.0.1/tools/simulator/receive</URL></BrowserFormPost>
  </PunchOutSetupRequest></Request>
</cXML>
"""


def log_in_as_admin(page: Page, live_server: str, target: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", "admin@supplier.demo")
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server}/start")
    page.goto(f"{live_server}{target}")


def test_admin_sets_up_a_partner_with_a_unit_map_and_simulates_a_punchout(
    live_server: str, page: Page
) -> None:
    log_in_as_admin(page, live_server, "/admin/partners")
    page.click("[data-new-partner=cxml]")
    form = page.locator("[data-partner-form=cxml]")
    form.locator("input[name=name]").fill("browser-buyer")
    form.locator("select[name=customer]").select_option("1001")
    form.locator("textarea[name=identities]").fill("NetworkID:AN-BROWSER-1")
    form.locator("textarea[name=allowed_urls]").fill(live_server)
    form.locator("textarea[name=unit_map]").fill("EA=PCE")
    page.click("button[value=preview]")
    expect(page.locator("[data-preview-unit]")).to_have_text("PCE")
    page.click("button[value=save]")
    secret = page.locator("[data-secret]").inner_text().strip()
    assert len(secret) >= 20

    page.goto(f"{live_server}/tools/simulator")
    page.select_option("[data-simulator-partner]", label="browser-buyer (cxml)")
    page.click("button:text-is('Choose')")
    page.fill("input[name=secret]", secret)
    page.click("button[value=template]")
    expect(page.locator("[data-setup-document]")).to_contain_text("AN-BROWSER-1")
    page.click("button[value=send]")
    expect(page.locator("[data-sent] [data-status]")).to_have_attribute("data-status", "200")
    page.click("[data-start-page]")

    expect(page.locator(".banner")).to_contain_text("browser-buyer")
    page.click("a[href='/products/DEMO-0001']")
    page.fill("input[name=quantity]", "2")
    page.click("text=Add to cart")
    page.click("text=Transfer cart")
    expect(page.locator("h1")).to_have_text("Cart received by the buyer simulator")
    expect(page.locator("tr[data-sku='DEMO-0001'] [data-unit]")).to_have_text("PCE")
    expect(page.locator("tr[data-sku='DEMO-0001'] [data-quantity]")).to_have_text("2")
    expect(page.locator("p[data-problems='0']")).to_be_visible()


def test_a_broken_document_in_the_message_log_shows_its_validation_errors(
    live_server: str, page: Page
) -> None:
    answer = requests.post(
        f"{live_server}/cxml",
        data=BROKEN_SETUP,
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    assert answer.status_code == 200
    log_in_as_admin(page, live_server, "/admin/messages?direction=in&status=406")
    page.locator("tr[data-status='406'] a").first.click()
    expect(page.locator("[data-validation]")).to_have_attribute("data-validation", "invalid")
    problems = page.locator("table.problems")
    expect(problems).to_contain_text("/cXML/@timestamp")
    # The missing BuyerCookie: found by the official DTD where present, else by our XSD.
    check = "dtd" if official_dtd_dir() is not None else "schema"
    expect(problems.locator(f"tr[data-problem={check}]", has_text="BuyerCookie")).to_have_count(1)
    expect(page.locator("[data-document]")).to_contain_text("<SharedSecret>***</SharedSecret>")
    expect(page.locator("[data-document]")).not_to_contain_text("demo-secret")
