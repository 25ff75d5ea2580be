"""Roles per customer in a real browser: a superuser creates a role with a maximum order value,
gives it to a user, and that user's checkout above the maximum is blocked before placing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_approvals_browser import _add, _login

pytestmark = pytest.mark.browser

ROLE = "Max 100 (browser test)"


def test_a_role_with_a_maximum_blocks_its_holders_checkout(
    live_server: str, page: Page, browser: Browser
) -> None:
    _login(page, live_server, "superuser@1001.demo")
    page.goto(f"{live_server}/account/roles")
    form = page.locator("form.role-form")
    form.locator("input[name=name]").fill(ROLE)
    for right in ("shop:catalog:read", "shop:price:read", "shop:cart:write", "shop:order:place"):
        form.locator(f"input[name=permission][value='{right}']").check()
    form.locator("input[name=max_order_value]").fill("100")
    form.locator("button[type=submit]").click()
    expect(page.locator("[data-notice=role-saved]")).to_be_visible()
    page.goto(f"{live_server}/account/roles")
    expect(page.locator(f"tr[data-role-name='{ROLE}']")).to_be_visible()

    page.goto(f"{live_server}/account/users")
    page.click("text=inkoper@1001.demo")
    page.select_option("select[name=role]", label=ROLE)
    page.click("button:has-text('Save')")
    page.goto(f"{live_server}/account/users")
    expect(page.locator(f"tr[data-role='{ROLE}']")).to_contain_text("inkoper@1001.demo")

    holder = browser.new_context().new_page()
    try:
        _login(holder, live_server, "inkoper@1001.demo")
        _add(holder, live_server, "DEMO-0081", "10")  # about 225 EUR: above 100
        holder.goto(f"{live_server}/checkout")
        expect(holder.locator("[data-checkout-verdict]")).to_have_attribute(
            "data-checkout-verdict", "blocked"
        )
        expect(holder.locator("[data-blocked-reason]")).to_contain_text(
            "Your role's maximum order value is EUR 100.00"
        )
        expect(holder.locator("button:has-text('Place order')")).to_be_disabled()
    finally:
        holder.context.close()

    # Another customer's superuser never sees the role.
    other = browser.new_context().new_page()
    try:
        _login(other, live_server, "superuser@1002.demo")
        other.goto(f"{live_server}/account/roles")
        expect(other.locator("tr[data-role-name]").first).to_be_visible()
        expect(other.locator(f"tr[data-role-name='{ROLE}']")).to_have_count(0)
    finally:
        other.context.close()
