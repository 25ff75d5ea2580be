"""E-mails in the recipient's language, as plain text with an HTML alternative."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Order
from tests import shop
from tests.integration.test_shop_checkout import _fill_cart, _place
from tests.mail import Inbox, deliver_mail, html_of, text_of


def _order_mail(app: Flask, client: FlaskClient, inbox: Inbox, session: Session) -> Order:
    _fill_cart(client, ("DEMO-0001", "10"))
    assert _place(client).status_code == 302
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    return session.scalars(select(Order)).one()


def test_a_dutch_buyer_gets_a_dutch_confirmation(
    app: Flask, client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    shop.login(client, "buyer@1001.demo")
    shop.post(client, "/locale", {"locale": "nl", "next": "/cart"})
    order = _order_mail(app, client, inbox, db_session)
    mail = inbox.messages[0]
    assert mail["Subject"] == f"Bestelling {order.number}: Geplaatst"
    text = text_of(mail)
    assert f"Dank u voor uw bestelling {order.number}." in text
    assert "Totaal excl. btw: €\xa06,90" in text  # Dutch amounts
    assert "10 EA DEMO-0001" in text
    assert f"http://shop.example/orders/{order.id}" in text
    html = html_of(mail)
    assert '<html lang="nl">' in html
    assert f'<a href="http://shop.example/orders/{order.id}">' in html
    assert "Dank u voor uw bestelling" in html


def test_the_language_of_the_page_decides_without_a_setting(
    app: Flask, client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    shop.login(client, "buyer@1001.demo")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    order = _order_mail(app, client, inbox, db_session)
    mail = inbox.messages[0]
    assert mail["Subject"] == f"Order {order.number}: Placed"
    assert "Total excl. VAT: €6.90" in text_of(mail)
    assert '<html lang="en">' in html_of(mail)


def test_what_people_typed_is_escaped_in_the_html(
    app: Flask, client: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    """A guest's name goes into the mail; in the HTML part it stays text."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    assert (
        shop.post(client, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": "1"}).status_code
        == 302
    )
    details = {
        "name": "<b>Piet</b>",
        "email": "piet@example.com",
        "street": "Dorpsstraat 1",
        "postcode": "1234 AB",
        "city": "Utrecht",
        "country": "NL",
        "phone": "",
    }
    response = shop.post(client, "/guest/checkout", details, via="/guest/checkout")
    assert response.status_code == 302, response.text
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    mail = inbox.messages[0]
    assert "Dank u voor uw bestelling" in text_of(mail)
    assert "<b>Piet</b>" in text_of(mail)
    assert "&lt;b&gt;Piet&lt;/b&gt;" in html_of(mail)
    assert "<b>Piet</b>" not in html_of(mail)
