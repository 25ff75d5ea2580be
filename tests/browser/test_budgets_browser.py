"""The budget page in a real browser: a superuser adds a budget in words (no codes), orders
against it, and sees its bar and its chart of the last 12 periods drawn with a height."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

NAME = "Browser chart budget"


def _login(page: Page, live_server: str, email: str) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server}/start")
    page.goto(f"{live_server}/catalog")  # the catalogue, as before the start page


def _height(page: Page, selector: str) -> float:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return float(box["height"])


def test_the_budget_bar_and_chart_are_drawn(live_server: str, page: Page, tmp_path: Path) -> None:
    _login(page, live_server, "superuser@1001.demo")
    page.goto(f"{live_server}/account/budgets")
    new = page.locator("form.budget-form").last
    new.locator("input[name=name]").fill(NAME)
    new.locator("select[name=user]").select_option(
        label="Sam Superuser (1001) (superuser@1001.demo)"
    )
    new.locator("input[name=period_amount]").fill("40")  # 3 x 3.25: about a quarter
    # The dropdowns speak words: the options are labelled, the codes stay the values.
    new.locator("select[name=period]").select_option(label="Per month")
    new.locator("select[name=policy]").select_option(label="Needs approval above the budget")
    new.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server}/account/budgets")

    page.goto(f"{live_server}/products/DEMO-0042")
    page.fill("input[name=quantity]", "3")
    page.click("form[action='/cart/items'] button[type=submit]")
    page.goto(f"{live_server}/checkout")
    page.click("form.checkout button[type=submit]")
    expect(page.locator("article[data-order-id]")).to_have_attribute("data-order-status", "placed")

    page.goto(f"{live_server}/account/budgets")
    budget = page.locator("div.budget", has_text=NAME)
    budget_id = budget.get_attribute("data-budget-id")
    box = f"div.budget[data-budget-id='{budget_id}']"
    expect(page.locator(f"{box} [data-budget-policy]")).to_have_text(
        "Needs approval above the budget"
    )
    assert _height(page, f"{box} svg[data-bar]") > 0  # the old bar was 0 px high
    assert _height(page, f"{box} rect[data-bar-part='spent']") > 0
    spent = page.locator(f"{box} rect[data-bar-part='spent']").bounding_box()
    assert spent is not None
    assert spent["width"] > 0

    chart = f"figure[data-budget-chart='{budget_id}']"
    expect(page.locator(f"{chart} svg")).to_be_visible()
    assert _height(page, f"{chart} svg") > 100
    expect(page.locator(f"{chart} svg > g[data-period]")).to_have_count(12)
    assert _height(page, f"{chart} svg > g[data-period]:last-of-type rect.spent") > 0
    expect(page.locator(f"{chart} svg > title")).to_have_text(f"{NAME}: the last 12 periods")
    page.locator(f"{chart} summary").click()
    expect(page.locator(f"{chart} table[data-budget-history] tbody tr")).to_have_count(12)
    page.locator(chart).screenshot(path=str(tmp_path / "budget-chart.png"))
    page.screenshot(path=str(tmp_path / "budgets-page.png"), full_page=True)
