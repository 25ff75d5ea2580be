"""An invitation accepted in a real browser: a customer's superuser invites a user of another
customer, who sees the invitation after logging in, accepts it and switches to that customer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

INVITED = "buyer@1002.demo"  # no other browser test uses this account


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button:has-text('Log in')")
    expect(page).to_have_url(f"{live_server}/start")
    page.goto(f"{live_server}/catalog")  # the catalogue, as before the start page


def _log_out(page: Page) -> None:
    page.click("button:has-text('Log out')")


def test_an_invited_user_accepts_and_switches_to_the_new_customer(
    live_server: str, page: Page
) -> None:
    _login(page, live_server, "superuser@1001.demo")
    page.click("nav >> text=Account")
    page.fill("input[name=email]", INVITED)
    page.select_option("select[name=role]", label="Viewer")  # the customer's own copy
    page.click("button:has-text('Invite')")
    expect(page.locator("[data-notice=invitation-sent]")).to_be_visible()
    row = page.locator(f"tr[data-invitation='{INVITED}']")
    expect(row).to_have_attribute("data-state", "pending")
    expect(page.locator(f"tr[data-user-id] >> text={INVITED}")).to_have_count(0)
    _log_out(page)

    _login(page, live_server, INVITED)
    expect(page.locator("select[name=customer]")).to_have_count(0)  # one customer so far
    notice = page.locator("[data-invitations]")
    expect(notice).to_contain_text("Acme Municipality (1001)")
    notice.locator("a").click()
    invitation = page.locator("section[data-customer='1001']")
    expect(invitation).to_contain_text("as Viewer")
    invitation.locator("button[data-accept]").click()
    expect(page.locator("[data-notice=accepted]")).to_be_visible()
    expect(page.locator("[data-invitations]")).to_have_count(0)

    page.select_option("select[name=customer]", "1001")
    page.click("button:has-text('Switch')")
    expect(page.locator("[data-customer]")).to_have_attribute("data-customer", "1001")
    _log_out(page)

    _login(page, live_server, "superuser@1001.demo")
    page.goto(f"{live_server}/account/users")
    expect(page.locator(f"tr[data-invitation='{INVITED}']")).to_have_attribute(
        "data-state", "accepted"
    )
    expect(page.locator(f"tr[data-user-id][data-role=viewer] >> text={INVITED}")).to_have_count(1)
