"""Why an order waits for approval, in the reader's language: on the requester's checkout and
order page, in the approver's inbox and in the approver's mail."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Order, OrderStatus
from tests import shop
from tests.factories import user_named
from tests.integration.test_shop_checkout import _fill_cart, _place
from tests.mail import Inbox, deliver_mail, html_of, text_of

ENGLISH = "needs approval for every order"


def _waiting_order(client: FlaskClient, session: Session) -> Order:
    shop.login(client, "requester@1001.demo")
    shop.post(client, "/locale", {"locale": "nl", "next": "/cart"})
    _fill_cart(client, ("DEMO-0001", "2"))
    checkout = client.get("/checkout").text
    assert "Uw rol vereist goedkeuring voor elke bestelling." in checkout
    assert ENGLISH not in checkout
    assert _place(client).status_code == 302
    order = session.scalars(select(Order)).one()
    assert order.status == OrderStatus.PENDING_APPROVAL
    return order


def test_the_requester_reads_the_reason_in_dutch(client: FlaskClient, db_session: Session) -> None:
    order = _waiting_order(client, db_session)
    page = client.get(f"/orders/{order.id}").text
    assert "Uw rol vereist goedkeuring voor elke bestelling." in page
    assert ENGLISH not in page


def test_the_approver_reads_it_in_dutch_in_the_inbox_and_the_mail(
    app: Flask, client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    user_named(db_session, "superuser@1001.demo").locale = "nl"
    db_session.commit()
    _waiting_order(client, db_session)
    deliver_mail(app, inbox.port)
    [mail] = [m for m in inbox.messages if m["To"] == "superuser@1001.demo"]
    words = "De rol van de aanvrager vereist goedkeuring voor elke bestelling."
    assert words in text_of(mail)
    assert words in html_of(mail)
    assert ENGLISH not in text_of(mail)
    approver = app.test_client()
    shop.login(approver, "superuser@1001.demo")
    assert words in approver.get("/approvals").text
