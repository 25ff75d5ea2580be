"""The budget pages show each budget as a visible bar and a chart of its last 12 periods, and
budget policies and periods in words (Dutch and English), never as codes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import Flask
from flask.testing import FlaskClient
from lxml import html
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import Budget, BudgetCounter
from gateway.services.purchasing import budget_history
from tests import shop
from tests.factories import make_budget, user_named

ZONE = "Europe/Amsterdam"


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    shop.login(client, email)
    return client


def _commit(session: Session, budget: Budget, amounts: list[str]) -> list[str]:
    """Counters for the budget's last periods (oldest first); returns their keys."""
    periods = budget_history.last_periods(budget, now=utcnow(), zone=ZONE, count=len(amounts))
    for period, amount in zip(periods, amounts, strict=True):
        session.add(
            BudgetCounter(budget_id=budget.id, period_key=period.key, committed=Decimal(amount))
        )
    session.flush()
    return [period.key for period in periods]


def _budget_box(page: str, budget: Budget) -> html.HtmlElement:
    (box,) = html.fromstring(page).xpath(f'//div[@data-budget-id="{budget.id}"]')
    return box


def test_the_bar_is_drawn_with_a_height_and_the_spent_share_as_its_width(
    app: Flask, db_session: Session
) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    budget = make_budget(db_session, user=buyer, period_amount="200.00")
    _commit(db_session, budget, ["50.00"])

    page = _client(app, "buyer@1001.demo").get("/account/budgets").text

    (bar,) = _budget_box(page, budget).xpath(".//*[@data-bar]")
    # The old bar was two empty inline spans: 0 px high whatever their width said.
    assert bar.tag == "svg"
    assert int(bar.get("height")) > 0
    assert bar.get("viewbox") == "0 0 100 16"  # lxml's HTML parser lowers attribute names
    (spent,) = bar.xpath('.//rect[@data-bar-part="spent"]')
    assert (spent.get("width"), int(spent.get("height")) > 0) == ("25", True)
    assert bar.get("aria-label") == "Spent 25 %, reserved 0 % of the period amount"


def test_the_chart_shows_the_last_12_periods_with_title_description_and_table(
    app: Flask, db_session: Session
) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    budget = make_budget(db_session, user=buyer, period_amount="100.00", name="Office")
    amounts = ["10.00", "0", "20.00", "30.00", "40.00", "50.00", "60.00", "70.00", "80.00",
               "90.00", "120.00", "5.00"]  # fmt: skip
    keys = _commit(db_session, budget, amounts)

    page = _client(app, "buyer@1001.demo").get("/account/budgets").text
    (chart,) = html.fromstring(page).xpath(f'//figure[@data-budget-chart="{budget.id}"]')

    (svg,) = chart.xpath("./svg")
    assert svg.get("role") == "img"
    assert svg.xpath("./title")[0].text_content() == "Office: the last 12 periods"
    assert "spent €120.00" in svg.xpath("./desc")[0].text_content()
    groups = svg.xpath("./g[@data-period]")
    assert [group.get("data-period") for group in groups] == keys
    heights = [int(group.xpath('./rect[@class="spent"]')[0].get("height")) for group in groups]
    assert heights[1] == 0
    assert all(height > 0 for index, height in enumerate(heights) if index != 1)
    assert heights[10] == max(heights)  # 120 of 100: the tallest, drawn as over the amount
    assert groups[10].get("data-over") is not None
    assert svg.xpath(".//line[@data-limit-line]")
    rows = chart.xpath(".//table[@data-budget-history]/tbody/tr")
    assert [row.get("data-period") for row in rows] == keys[::-1]


def test_policies_and_periods_read_as_words_in_english_and_dutch(
    app: Flask, db_session: Session
) -> None:
    fiscal = make_budget(db_session, user=None, period_amount="900.00", period="fiscal_year")
    fiscal.fiscal_start_month = 4
    db_session.flush()
    client = _client(app, "superuser@1001.demo")

    english = client.get("/account/budgets", headers={"Accept-Language": "en"}).text
    box = _budget_box(english, fiscal).text_content()
    assert "Fiscal year starting in April" in box
    assert "Needs approval above the budget" in box
    options = html.fromstring(english).xpath('//select[@name="policy"]/option/text()')
    assert set(options) == {"Needs approval above the budget", "Refused above the budget"}
    periods = html.fromstring(english).xpath('//select[@name="period"]/option/text()')
    assert "Per fiscal year" in periods
    assert "fiscal_year" not in periods
    (month,) = html.fromstring(english).xpath(
        f'//form[@action="/account/budgets/{fiscal.id}"]'
        '//select[@name="fiscal_start_month"]/option[@selected]/text()'
    )
    assert month == "April"
    assert ">require_approval<" not in english
    assert ">fiscal_year<" not in english

    shop.post(client, "/locale", {"locale": "nl"}, via="/account/budgets")
    dutch = client.get("/account/budgets").text
    box = _budget_box(dutch, fiscal).text_content()
    assert "Boekjaar vanaf april" in box
    assert "Goedkeuring nodig boven het budget" in box
    options = html.fromstring(dutch).xpath('//select[@name="policy"]/option/text()')
    assert set(options) == {"Goedkeuring nodig boven het budget", "Geweigerd boven het budget"}


def test_a_one_off_budget_charts_its_one_period(app: Flask, db_session: Session) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    budget = make_budget(db_session, user=buyer, period_amount="100.00", period="none")
    assert [p.key for p in budget_history.last_periods(budget, now=utcnow(), zone=ZONE)] == ["once"]
    page = _client(app, "buyer@1001.demo").get("/account/budgets").text
    chart = html.fromstring(page).xpath(f'//figure[@data-budget-chart="{budget.id}"]//g')
    assert [group.get("data-period") for group in chart] == ["once"]


def test_last_periods_step_back_over_year_ends(db_session: Session) -> None:
    budget = make_budget(db_session, user=None, period_amount="1.00", period="quarter")
    now = utcnow().replace(year=2026, month=2, day=10) + timedelta(hours=0)
    keys = [p.key for p in budget_history.last_periods(budget, now=now, zone=ZONE, count=5)]
    assert keys == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
