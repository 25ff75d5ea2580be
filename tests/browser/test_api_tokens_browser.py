"""An administrator creates an API token in a real browser, the ERP calls the API with it,
and the admin revokes it; the reference page reads the generated document."""

from __future__ import annotations

import uuid

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.test_admin_browser import log_in_as_admin

pytestmark = pytest.mark.browser


def test_admin_creates_uses_and_revokes_an_api_token(live_server: str, page: Page) -> None:
    name = f"browser-erp-{uuid.uuid4().hex[:8]}"  # the live server is shared by the session
    log_in_as_admin(page, live_server, "/catalog")
    page.click("[data-nav=api-tokens]")
    form = page.locator("[data-new-token]")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=scope][value='orders:read']").check()
    form.locator("input[name=customers]").fill("1001")
    form.locator("button[type=submit]").click()
    token = page.locator("[data-secret]").inner_text().strip()
    assert token.startswith("gwt_")

    headers = {"Authorization": f"Bearer {token}"}
    listed = requests.get(f"{live_server}/api/v1/orders", headers=headers, timeout=10)
    assert listed.status_code == 200
    assert {item["customer"] for item in listed.json()["items"]} <= {"1001"}

    page.goto(f"{live_server}/admin/api-tokens")
    row = page.locator(f"[data-token='{name}']")
    expect(row).to_have_attribute("data-state", "active")
    row.locator(f"[data-revoke='{name}']").click()
    expect(page.locator(f"[data-token='{name}']")).to_have_attribute("data-state", "revoked")
    refused = requests.get(f"{live_server}/api/v1/orders", headers=headers, timeout=10)
    assert refused.status_code == 401
    assert refused.headers["Content-Type"] == "application/problem+json"

    page.goto(f"{live_server}/api/docs")
    expect(page.locator("h1")).to_contain_text("ERP API")
    expect(page.locator("[data-operation]").first).to_be_visible()
