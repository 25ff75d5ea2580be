"""The punchout funnel (issue 20): counting rules, periods and dates, access, CSV, and a real run.

Punchouts and orders are written as the gateway records them (sessions, carts, buyer orders),
each test on partners of its own, so the counts are exactly what the test made.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import (
    BuyerOrder,
    Cart,
    CartLine,
    CartStatus,
    DeploymentMode,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    Product,
    PunchOutSession,
    PunchOutStatus,
    TradingPartner,
)
from gateway.services.people.staff import staff_actor
from gateway.services.punchout import funnel
from tests import buyer, shop
from tests.buyer import add_to_cart
from tests.factories import make_cxml_partner, user_named
from tests.integration.test_cxml_punchout import post_cxml, punch_in, transfer

ADMIN = "admin@supplier.demo"
AGENT = "agent@supplier.demo"  # sales agent of customer 1001
AGENT2 = "agent2@supplier.demo"  # sales agent of customer 1002
NOW = datetime.now(UTC).replace(microsecond=0)
_numbers = count(1)


def _session(
    db: Session,
    partner: TradingPartner,
    *,
    created: datetime = NOW - timedelta(days=1),
    opened: bool = True,
    returned: bool = True,
    lines: tuple[str, ...] = ("a",),
    value: str | None = "10.00",
    mode: str = DeploymentMode.PRODUCTION,
    operation: str = "create",
) -> PunchOutSession:
    """A punchout as the gateway records it: set up at `created`, its StartPage opened or not,
    its cart (holding one line per SPAID in `lines`) returned or not."""
    number = next(_numbers)
    returned = opened and returned
    user = user_named(db, "buyer@1001.demo")
    punchout = PunchOutSession(
        partner_id=partner.id,
        organisation_id=partner.organisation_id,
        user_id=user.id,
        operation=operation,
        buyer_cookie=f"cookie-{number}",
        return_url=buyer.RETURN_URL,
        payload_id=f"funnel-{number}@test",
        buyer_credentials=[],
        token_digest=f"funnel-token-{number}-{partner.id}",
        token_expires_at=created + timedelta(minutes=5),
        redeemed_at=created + timedelta(minutes=1) if opened else None,
        status=(PunchOutStatus.TRANSFERRED if returned else PunchOutStatus.ACTIVE)
        if opened
        else PunchOutStatus.PENDING,
        created_at=created,
        ended_at=created + timedelta(minutes=10) if returned else None,
        deployment_mode=mode,
        cart_value=Decimal(value) if returned and lines and value else None,
        # what finish() records: an inspect sends no items back
        cart_lines=len(lines) if returned and lines and operation != "inspect" else None,
    )
    db.add(punchout)
    db.flush()
    product = db.scalars(select(Product).where(Product.sku == "DEMO-0001")).one()
    db.add(
        Cart(
            organisation_id=partner.organisation_id,
            user_id=user.id,
            punchout_session_id=punchout.id,
            status=CartStatus.TRANSFERRED if returned else CartStatus.OPEN,
            lines=[
                CartLine(product_id=product.id, quantity=Decimal(1), aux_id=f"{aux}-{punchout.id}")
                for aux in lines
            ],
        )
    )
    db.flush()
    return punchout


def _order(
    db: Session,
    partner: TradingPartner,
    *,
    placed: datetime,
    value: str = "9.00",
    session_id: int | None = None,
    aux_ids: tuple[str, ...] = (),
    mode: str = DeploymentMode.PRODUCTION,
) -> Order:
    """A received cXML purchase order, traced to `session_id` (or not), with one line per SPAID
    in `aux_ids` (one line without a SPAID when there are none)."""
    number = next(_numbers)
    order = Order(
        number=f"FUNNEL-{number}",
        organisation_id=partner.organisation_id,
        source=OrderSource.CXML,
        deployment_mode=mode,
        status=OrderStatus.RECEIVED,
        currency="EUR",
        net_total=Decimal(value),
        placed_at=placed,
        lines=[
            OrderLine(
                line_number=index,
                sku="DEMO-0001",
                aux_id=aux,
                description="Article",
                unit="EA",
                quantity=Decimal(1),
                unit_price=Decimal(value),
                net_amount=Decimal(value),
            )
            for index, aux in enumerate(aux_ids or (None,), start=1)
        ],
    )
    db.add(order)
    db.flush()
    db.add(
        BuyerOrder(
            order_id=order.id,
            partner_id=partner.id,
            buyer_order_id=f"PO-{number}",
            order_date=placed,
            payload_id=f"po-{number}@test",
            content_digest="x" * 64,
            punchout_session_id=session_id,
        )
    )
    db.flush()
    return order


def _funnel(db: Session, email: str = ADMIN, **args: str) -> funnel.Funnel:
    actor = staff_actor(db, email=email)
    filters = funnel.FunnelFilter.read(args, today=NOW.date())
    return funnel.funnel(db, actor=actor, filters=filters)


def _row(result: funnel.Funnel, partner: TradingPartner) -> funnel.PartnerFunnel:
    [row] = [p for p in result.partners if p.partner_id == partner.id]
    return row


def _steps(counts: funnel.Counts) -> tuple[int, int, int, int, int]:
    return (counts.setups, counts.sessions, counts.carts, counts.orders, counts.abandoned)


def test_each_step_counts_by_its_own_rule(db_session: Session) -> None:
    partner = make_cxml_partner(db_session)
    _session(db_session, partner, opened=False)  # a setup without a session
    _session(db_session, partner, returned=False)  # a session without a cart
    _session(db_session, partner, lines=())  # an empty cart went back: not a cart
    _session(db_session, partner, operation="inspect")  # inspect sends no items back
    by_session = _session(db_session, partner, value="12.50")
    by_aux = _session(db_session, partner, lines=("x", "y"), value="30.00")
    unmatched = _session(db_session, partner, value="7.50")
    placed = NOW - timedelta(hours=20)
    _order(db_session, partner, placed=placed, value="12.00", session_id=by_session.id)
    _order(  # no traced session, but a SPAID of a returned cart
        db_session, partner, placed=placed, value="29.00", aux_ids=(f"y-{by_aux.id}",)
    )
    _order(db_session, partner, placed=placed, aux_ids=("never-returned",))  # matches no cart
    assert unmatched.id
    row = _row(_funnel(db_session), partner)
    assert _steps(row.total) == (7, 6, 3, 2, 3)
    assert row.total.ordered_carts == 2
    assert row.median_seconds == pytest.approx(4 * 3600)  # both orders 4 hours after setup
    assert row.total.cart_value == Decimal("50.00")
    assert row.total.order_value == Decimal("41.00")
    assert (row.total.session_rate, row.total.cart_rate, row.total.order_rate) == (
        Decimal("85.7"),
        Decimal("50.0"),
        Decimal("66.7"),
    )


def test_test_punchouts_and_test_orders_never_count(db_session: Session) -> None:
    partner = make_cxml_partner(db_session)
    test_run = _session(db_session, partner, mode=DeploymentMode.TEST)
    _order(db_session, partner, placed=NOW, session_id=test_run.id, mode=DeploymentMode.TEST)
    real = _session(db_session, partner)
    _order(db_session, partner, placed=NOW, session_id=real.id, mode=DeploymentMode.TEST)
    row = _row(_funnel(db_session), partner)
    assert _steps(row.total) == (1, 1, 1, 0, 0)
    assert row.total.order_value == Decimal(0)


def _at(day: str, clock: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00+00:00")


@pytest.fixture
def spread(db_session: Session) -> TradingPartner:
    """A partner with punchouts on Mon 2 March, Wed 4 March (late), Tue 10 March 2026 (its
    last minute), Wed 11 March (its first minute) and Wed 1 April; the 4 March one ordered."""
    partner = make_cxml_partner(db_session)
    _session(db_session, partner, created=_at("2026-03-02"))
    ordered = _session(db_session, partner, created=_at("2026-03-04", "23:30"))
    _order(db_session, partner, placed=_at("2026-03-05", "01:30"), session_id=ordered.id)
    _session(db_session, partner, created=_at("2026-03-10", "23:59"), returned=False)
    _session(db_session, partner, created=_at("2026-03-11", "00:00"), opened=False)
    _session(db_session, partner, created=_at("2026-04-01"))
    return partner


def _setups_by_period(row: funnel.PartnerFunnel) -> dict[str, int]:
    return {start.isoformat(): c.setups for start, c in row.periods.items() if c.setups}


def test_periods_bucket_by_utc_day_iso_week_and_month(
    db_session: Session, spread: TradingPartner
) -> None:
    window = {"from": "2026-03-01", "to": "2026-04-30"}
    by_week = _row(_funnel(db_session, period="week", **window), spread)
    assert _setups_by_period(by_week) == {"2026-03-02": 2, "2026-03-09": 2, "2026-03-30": 1}
    assert next(iter(by_week.periods)) == date(2026, 2, 23)  # the week 1 March falls in
    assert len(by_week.periods) == 10  # every week of the range, empty ones too
    by_month = _row(_funnel(db_session, period="month", **window), spread)
    assert _setups_by_period(by_month) == {"2026-03-01": 4, "2026-04-01": 1}
    assert (by_month.periods[date(2026, 3, 1)].orders, by_month.total.orders) == (1, 1)
    by_day = _row(_funnel(db_session, period="day", **window), spread)
    assert _setups_by_period(by_day) == {
        "2026-03-02": 1,
        "2026-03-04": 1,
        "2026-03-10": 1,
        "2026-03-11": 1,
        "2026-04-01": 1,
    }
    assert by_day.periods[date(2026, 3, 4)].orders == 1  # counted on its setup's day
    assert by_day.median_seconds == pytest.approx(2 * 3600)


def test_from_and_to_are_included_whole_utc_days(
    db_session: Session, spread: TradingPartner
) -> None:
    row = _row(
        _funnel(db_session, period="day", **{"from": "2026-03-04", "to": "2026-03-10"}), spread
    )
    assert _steps(row.total) == (2, 2, 1, 1, 1)
    assert list(row.periods) == [date(2026, 3, 4) + timedelta(days=n) for n in range(7)]
    assert (
        _row(_funnel(db_session, **{"from": "2026-03-11", "to": "2026-03-11"}), spread).total.setups
        == 1
    )


def test_default_is_the_last_30_days_by_week(db_session: Session) -> None:
    partner = make_cxml_partner(db_session)
    _session(db_session, partner, created=NOW - timedelta(days=29))
    _session(db_session, partner, created=NOW - timedelta(days=31))
    result = _funnel(db_session)
    assert result.filters.period == funnel.Period.WEEK
    assert (result.filters.date_from, result.filters.date_to) == (
        NOW.date() - timedelta(days=29),
        NOW.date(),
    )
    assert _row(result, partner).total.setups == 1


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("period=year", "period must be day, week or month"),
        ("from=yesterday", "from must be a date"),
        ("to=2026-02-30", "to must be a date"),
        ("from=2026-03-02&to=2026-03-01", "from must not be after to"),
        ("period=day&from=2020-01-01&to=2026-01-01", "too many periods"),
    ],
)
def test_bad_filters_are_answered_400_with_the_reason(app: Flask, query: str, reason: str) -> None:
    client = app.test_client()
    shop.login(client, ADMIN)
    for path in ("/admin/funnel", "/admin/funnel.csv"):
        answer = client.get(f"{path}?{query}")
        assert answer.status_code == 400
        assert reason in answer.text


def _page_partners(client: FlaskClient, query: str = "") -> set[str]:
    answer = client.get(f"/admin/funnel{query}")
    assert answer.status_code == 200
    return set(re.findall(r'<tr data-partner="([^"]+)"', answer.text))


def test_sales_agents_see_only_their_customers_partners(app: Flask, db_session: Session) -> None:
    own = make_cxml_partner(db_session, customer_number="1002")
    db_session.commit()
    admin, agent, agent2 = (app.test_client() for _ in range(3))
    shop.login(admin, ADMIN)
    shop.login(agent, AGENT)
    shop.login(agent2, AGENT2)
    assert {"demo-cxml", "demo-oci", own.name} <= _page_partners(admin)
    assert "demo-cxml" in _page_partners(agent)
    assert 'data-nav="funnel"' in agent.get("/catalog").text
    assert own.name not in _page_partners(agent)
    assert _page_partners(agent2) == {own.name}
    exported = agent2.get("/admin/funnel.csv").text
    assert own.name in exported
    assert "demo-cxml" not in exported
    assert _page_partners(agent2, "?partner=demo-cxml") == set()  # asking by name reveals nothing


@pytest.mark.parametrize(
    "email", ["buyer@1001.demo", "superuser@1001.demo", "service@supplier.demo"]
)
def test_customer_users_and_other_staff_are_refused(app: Flask, email: str) -> None:
    client = app.test_client()
    shop.login(client, email)
    for path in ("/admin/funnel", "/admin/funnel.csv"):
        answer = client.get(path)
        assert answer.status_code == 403
        assert "data-partner" not in answer.text
    catalog = client.get("/catalog")
    assert catalog.status_code == 200
    assert 'data-nav="funnel"' not in catalog.text


def test_anonymous_visitors_are_sent_to_the_login(client: FlaskClient) -> None:
    answer = client.get("/admin/funnel")
    assert answer.status_code == 302
    assert "/login" in answer.location


def test_csv_export_has_a_row_per_partner_and_period_with_the_page_filters(
    app: Flask, spread: TradingPartner
) -> None:
    client = app.test_client()
    shop.login(client, ADMIN)
    answer = client.get(
        f"/admin/funnel.csv?period=month&from=2026-03-01&to=2026-04-30&partner={spread.name}"
    )
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["partner"], r["period"], r["period_start"], r["setups"]) for r in rows] == [
        (spread.name, "month", "2026-03-01", "4"),
        (spread.name, "month", "2026-04-01", "1"),
        (spread.name, "total", "2026-03-01", "5"),
    ]
    march = rows[0]
    assert (march["sessions"], march["carts"], march["orders"], march["abandoned"]) == (
        "3",
        "2",
        "1",
        "1",
    )
    assert (march["cart_value"], march["order_value"], march["currency"]) == (
        "20.00",
        "9.00",
        "EUR",
    )
    assert rows[2]["median_hours_to_order"] == "2.00"
    page = client.get(
        f"/admin/funnel?period=month&from=2026-03-01&to=2026-04-30&partner={spread.name}"
    )
    assert "/admin/funnel.csv?period=month&amp;from=2026-03-01&amp;to=2026-04-30" in page.text


def test_a_real_punchout_run_shows_its_setup_cart_and_order(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0003", "2")
    _, message, _ = transfer(client)
    [item] = message.items
    body = buyer.order_request(
        items=(
            (
                "DEMO-0003",
                item.item_id.supplier_part_auxiliary_id,
                "2",
                str(item.detail.unit_price.amount),
            ),
        )
    )
    assert buyer.status_of(post_cxml(client, body))[0] == 200
    post_cxml(client, buyer.setup_request(buyer_cookie="left-alone"))  # set up, never opened
    punchout = db_session.scalars(
        select(PunchOutSession).where(PunchOutSession.buyer_cookie == "cookie-1")
    ).one()
    assert (punchout.cart_value, punchout.cart_lines) == (message.total.amount, 1)
    staff = app.test_client()
    shop.login(staff, ADMIN)
    page = staff.get("/admin/funnel").text
    row = re.search(r'<tr data-partner="demo-cxml"[^>]*>', page)
    assert row is not None
    assert 'data-setups="2"' in row.group(0)
    assert 'data-sessions="1"' in row.group(0)
    assert 'data-carts="1"' in row.group(0)
    assert 'data-orders="1"' in row.group(0)
    assert f'data-cart-value="{message.total.amount}' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" role="img"' in page
    assert '<g data-step="carts" data-count="1">' in page
    assert 'data-series="orders"' in page
