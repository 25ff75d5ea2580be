"""Test documents (cXML `deploymentMode="test"`): recorded on punchouts and orders, shown as
test, never counted, answered in test mode, and refused by a partner set to the other mode."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.db import utcnow
from gateway.models import (
    MessageDirection,
    MessageLogEntry,
    Order,
    OutboxMessage,
    PunchOutSession,
    TradingPartner,
)
from gateway.punchout.settings import punchout_settings
from gateway.services.ordering import documents
from gateway.services.ordering.queries import list_orders
from gateway.services.purchasing import budgets
from tests import buyer, shop, staff
from tests.buyer import add_to_cart
from tests.factories import make_budget
from tests.integration.test_cxml_orders import send
from tests.integration.test_cxml_punchout import post_cxml, punch_in, transfer
from tests.integration.test_partner_admin import ACME_IDENTITY, create_acme, cxml_form, post_form

TEST = "test"
FORBIDDEN = 403


def order_of(session: Session, po_number: str) -> Order:
    session.expire_all()
    return session.scalars(select(Order).where(Order.buyer_reference == po_number)).one()


def order_count(session: Session) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(Order)) or 0


def accept_only(session: Session, mode: str) -> None:
    partner = session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-cxml")
    ).one()
    partner.accepted_deployment_mode = mode
    session.commit()


def newest_session(session: Session) -> PunchOutSession:
    session.expire_all()
    return session.scalars(
        select(PunchOutSession).order_by(PunchOutSession.id.desc()).limit(1)
    ).one()


# --- recorded ----------------------------------------------------------------------------------


def test_a_test_order_request_is_recorded_as_test_and_a_plain_one_as_production(
    client: FlaskClient, db_session: Session
) -> None:
    assert send(client, buyer.order_request(order_id="PO-T1", deployment_mode=TEST)) == (200, "OK")
    assert send(client, buyer.order_request(order_id="PO-P1")) == (200, "OK")
    assert order_of(db_session, "PO-T1").deployment_mode == "test"
    assert order_of(db_session, "PO-P1").deployment_mode == "production"
    listed = {
        o.buyer_reference: o.deployment_mode
        for o in list_orders(db_session, customer_number="1001")
    }
    assert (listed["PO-T1"], listed["PO-P1"]) == ("test", "production")


def test_shop_orders_are_production(client: FlaskClient, db_session: Session) -> None:
    shop.login(client, "buyer@1001.demo")
    add_to_cart(client, "DEMO-0001", "2")
    page = client.get("/checkout")
    placed = client.post("/checkout", data=shop.form_values(page.text, "cart_digest"))
    assert placed.status_code == 302, placed.text
    [order] = db_session.scalars(select(Order)).all()
    assert order.deployment_mode == "production"


def test_a_punchout_keeps_its_setup_mode_and_returns_its_cart_in_it(
    client: FlaskClient, db_session: Session
) -> None:
    punch_in(client, buyer.setup_request(deployment_mode=TEST))
    assert newest_session(db_session).deployment_mode == "test"
    banner = client.get("/cart").text
    assert 'data-deployment-mode="test"' in banner
    assert "data-test-badge" in banner
    add_to_cart(client, "DEMO-0001", "1")
    _fields, _message, document = transfer(client)
    assert cxml.parse(document).deployment_mode == "test"
    assert b'<Message deploymentMode="test">' in document


def test_a_production_punchout_returns_its_cart_without_a_mode(
    client: FlaskClient, db_session: Session
) -> None:
    punch_in(client, buyer.setup_request())
    assert newest_session(db_session).deployment_mode == "production"
    assert "data-test-badge" not in client.get("/cart").text
    add_to_cart(client, "DEMO-0001", "1")
    _fields, _message, document = transfer(client)
    assert b"deploymentMode" not in document


def test_documents_about_a_test_order_go_back_in_test_mode(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    for po_number, mode in (("PO-T2", TEST), ("PO-P2", None)):
        body = buyer.order_request(order_id=po_number, deployment_mode=mode)
        assert send(client, body) == (200, "OK")
        settings = punchout_settings(app.config)
        order = order_of(db_session, po_number)
        documents.accept(db_session, actor=None, order_id=order.id, settings=settings, now=utcnow())
        db_session.flush()
        queued = db_session.scalars(
            select(OutboxMessage).where(OutboxMessage.order_id == order.id)
        ).one()
        assert (b'<Request deploymentMode="test">' in queued.body) is (mode == TEST)
        if mode is None:
            assert b"deploymentMode" not in queued.body


def test_an_update_in_the_other_mode_never_changes_the_order(
    client: FlaskClient, db_session: Session
) -> None:
    body = buyer.order_request(order_id="PO-M", payload_id="po-m-1@buyer.example")
    assert send(client, body) == (200, "OK")
    update = buyer.order_request(
        order_id="PO-M",
        request_type=cxml.OrderRequestType.UPDATE,
        reference="po-m-1@buyer.example",
        items=(("DEMO-0001", None, "9", "0.85"),),
        deployment_mode=TEST,
    )
    code, text = send(client, update)
    order = order_of(db_session, "PO-M")
    assert code == 400
    assert text == (
        f"Bad Request: deploymentMode 'test' does not match order {order.number}, "
        "received in production mode"
    )
    assert [line.quantity for line in order.lines] == [Decimal(2)]
    assert [change.status for change in order.history] == ["received"]


def test_a_resend_of_a_production_order_in_test_mode_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    assert send(client, buyer.order_request(order_id="PO-R")) == (200, "OK")
    code, _text = send(client, buyer.order_request(order_id="PO-R", deployment_mode=TEST))
    assert code == 400
    assert order_count(db_session) == 1
    assert order_of(db_session, "PO-R").deployment_mode == "production"


# --- never counted --------------------------------------------------------------------------


def test_a_test_order_leaves_every_budget_figure_unchanged(
    client: FlaskClient, db_session: Session
) -> None:
    budget = make_budget(db_session, user=None, period_amount="1000.00", name="Whole customer")
    db_session.commit()
    zone = "Europe/Amsterdam"

    def spent() -> tuple[Decimal, Decimal]:
        db_session.expire_all()
        state = budgets.state(db_session, budget=budget, now=utcnow(), zone=zone)
        return state.spent, state.reserved

    before = spent()
    body = buyer.order_request(
        order_id="PO-BIG", items=(("DEMO-0001", None, "1000", "0.85"),), deployment_mode=TEST
    )
    assert send(client, body) == (200, "OK")
    assert order_of(db_session, "PO-BIG").net_total == Decimal("850.00")
    assert spent() == before
    shop.login(client, "superuser@1001.demo")
    page = client.get("/account/budgets").text
    assert re.search(rf'data-budget-id="{budget.id}"[^>]*data-spent="0"', page)

    # the same figure does move for an order that counts: a checkout of the customer
    add_to_cart(client, "DEMO-0001", "10")
    checkout = client.get("/checkout")
    assert (
        client.post("/checkout", data=shop.form_values(checkout.text, "cart_digest")).status_code
        == 302
    )
    assert spent()[0] > before[0]


# --- shown as test ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Test document from the buying system: not counted in budgets or figures."),
        ("nl", "Testdocument uit het inkoopsysteem: telt niet mee voor budgetten of cijfers."),
    ],
)
def test_the_shop_marks_test_orders_in_the_history_and_on_the_order_page(
    client: FlaskClient, db_session: Session, language: str, title: str
) -> None:
    assert send(client, buyer.order_request(order_id="PO-T3", deployment_mode=TEST)) == (200, "OK")
    assert send(client, buyer.order_request(order_id="PO-P3")) == (200, "OK")
    test_order, production = order_of(db_session, "PO-T3"), order_of(db_session, "PO-P3")
    shop.login(client, "superuser@1001.demo")
    headers = {"Accept-Language": language}

    history = client.get("/orders", headers=headers).text
    test_row = _element(history, "tr", f'data-order-id="{test_order.id}"')
    production_row = _element(history, "tr", f'data-order-id="{production.id}"')
    assert 'data-deployment-mode="test"' in test_row
    assert f'title="{title}">Test</span>' in test_row
    assert 'data-deployment-mode="production"' in production_row
    assert "data-test-badge" not in production_row

    page = client.get(f"/orders/{test_order.id}", headers=headers).text
    assert 'data-deployment-mode="test"' in _element(page, "article", 'class="order"')
    assert f'title="{title}">Test</span>' in page
    other = client.get(f"/orders/{production.id}", headers=headers).text
    assert 'data-deployment-mode="production"' in other
    assert "data-test-badge" not in other


def test_the_staff_customer_page_marks_test_orders(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    assert send(client, buyer.order_request(order_id="PO-T4", deployment_mode=TEST)) == (200, "OK")
    assert send(client, buyer.order_request(order_id="PO-P4")) == (200, "OK")
    service = app.test_client()
    staff.log_in(service, "service@supplier.demo")
    page = service.get("/staff/customers/1001").text
    test_row = _element(page, "tr", f'data-order-number="{order_of(db_session, "PO-T4").number}"')
    production_row = _element(
        page, "tr", f'data-order-number="{order_of(db_session, "PO-P4").number}"'
    )
    assert 'data-deployment-mode="test"' in test_row
    assert ">Test</span>" in test_row
    assert 'data-deployment-mode="production"' in production_row
    assert "data-test-badge" not in production_row


def test_the_message_log_marks_a_test_punchout(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    punch_in(client, buyer.setup_request(deployment_mode=TEST))
    punchout = newest_session(db_session)
    entry = db_session.scalars(
        select(MessageLogEntry).where(
            MessageLogEntry.punchout_session_id == punchout.id,
            MessageLogEntry.direction == MessageDirection.IN,
        )
    ).one()
    admin = app.test_client()
    staff.log_in(admin)
    page = admin.get(f"/admin/messages/{entry.id}").text
    assert f'data-punchout-session="{punchout.id}" data-deployment-mode="test"' in page
    assert "data-test-badge" in page


def _element(html: str, tag: str, marker: str) -> str:
    """The element `<tag ... marker ...>…</tag>` (not nested in its own kind)."""
    match = re.search(rf"<{tag}\b[^>]*{re.escape(marker)}.*?</{tag}>", html, re.DOTALL)
    assert match is not None, f"no <{tag}> with {marker}"
    return match.group(0)


# --- refused by a partner set to the other mode -----------------------------------------------


@pytest.mark.parametrize(
    ("accepted", "mode", "kind"),
    [
        ("production", TEST, "setup"),
        ("production", TEST, "order"),
        ("test", None, "setup"),
        ("test", None, "order"),
    ],
)
def test_a_partner_refuses_the_mode_it_does_not_expect(
    client: FlaskClient, db_session: Session, accepted: str, mode: str | None, kind: str
) -> None:
    accept_only(db_session, accepted)
    sessions_before = db_session.scalar(select(func.count()).select_from(PunchOutSession))
    if kind == "setup":
        body, document_type = buyer.setup_request(deployment_mode=mode), "PunchOutSetupRequest"
    else:
        body, document_type = (
            buyer.order_request(order_id="PO-X", deployment_mode=mode),
            "OrderRequest",
        )
    code, text = send(client, body)
    sent = mode or "production"
    assert code == FORBIDDEN
    assert text == (
        f"Forbidden: {document_type} with deploymentMode {sent!r} refused: this partner is set "
        f"to accept {accepted} documents only"
    )
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(PunchOutSession)) == sessions_before
    assert order_count(db_session) == 0
    logged = db_session.scalars(
        select(MessageLogEntry).where(
            MessageLogEntry.direction == MessageDirection.IN,
            MessageLogEntry.document_type == document_type,
        )
    ).one()
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-cxml")
    ).one()
    assert (logged.status_code, logged.partner_id) == (FORBIDDEN, partner.id)
    assert ('<Request deploymentMode="test">' in logged.body) is (mode == TEST)


@pytest.mark.parametrize("accepted", ["both", "test"])
def test_a_partner_set_to_test_or_both_takes_test_documents(
    client: FlaskClient, db_session: Session, accepted: str
) -> None:
    accept_only(db_session, accepted)
    answer = post_cxml(client, buyer.setup_request(deployment_mode=TEST))
    assert buyer.status_of(answer) == (200, "OK")
    assert send(client, buyer.order_request(order_id="PO-OK", deployment_mode=TEST)) == (200, "OK")
    assert order_of(db_session, "PO-OK").deployment_mode == "test"


def test_a_profile_request_is_answered_in_any_mode(
    client: FlaskClient, db_session: Session
) -> None:
    """The ping only describes what we support: a test account may ask a production partner."""
    accept_only(db_session, "production")
    body = buyer.profile_request().replace(b"<Request>", b'<Request deploymentMode="test">')
    assert cxml.parse(body).deployment_mode == "test"
    assert send(client, body) == (200, "OK")


# --- set on the partner page ------------------------------------------------------------------


def test_the_partner_page_sets_the_accepted_mode(app: Flask, db_session: Session) -> None:
    admin = app.test_client()
    staff.log_in(admin)
    new_page = admin.get("/admin/partners/new?protocol=cxml").text
    assert '<option value="both" selected>Production and test</option>' in new_page
    secret = create_acme(admin, deployment_mode="production")
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "acme-ariba")
    ).one()
    assert partner.accepted_deployment_mode == "production"
    body = buyer.setup_request(identity=ACME_IDENTITY, secret=secret, deployment_mode=TEST)
    code, text = buyer.status_of(post_cxml(app.test_client(), body))
    assert (code, text.endswith("accept production documents only")) == (FORBIDDEN, True)

    path = f"/admin/partners/{partner.id}"
    assert '<option value="production" selected>Production</option>' in admin.get(path).text
    assert post_form(admin, path, cxml_form(deployment_mode="test")).status_code == 302
    db_session.expire_all()
    assert db_session.get_one(TradingPartner, partner.id).accepted_deployment_mode == "test"
    assert buyer.status_of(post_cxml(app.test_client(), body)) == (200, "OK")

    bad = post_form(admin, path, cxml_form(deployment_mode="staging", unit_map="EA=X"))
    assert bad.status_code == 400
    assert "The deployment mode must be one of production, test, both." in bad.text
    db_session.expire_all()
    partner = db_session.get_one(TradingPartner, partner.id)
    assert partner.accepted_deployment_mode == "test"
    assert partner.settings["cxml_mapping"]["unit_map"] == {"EA": "PCE", "RM": "RM"}
    refused_new = post_form(
        admin,
        "/admin/partners/new?protocol=cxml",
        cxml_form(name="x", identities="NetworkID:AN-X", deployment_mode="x"),
    )
    assert refused_new.status_code == 400
    assert "The deployment mode must be one of" in refused_new.text
