"""The cXML punchout end to end through the Flask test client."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import Operation, PunchOutOrderMessage, StatusCode
from gateway.models import MessageLogEntry, PunchOutSession
from gateway.services.partners.registry import CXMLPartnerSpec, add_cxml_partner
from tests import buyer
from tests.buyer import add_to_cart
from tests.conftest import DIGEST_KEY
from tests.cxml_checks import assert_valid_cxml
from tests.tiny_dtd import write_tiny_dtds


def post_cxml(client: FlaskClient, body: bytes) -> bytes:
    response = client.post("/cxml", data=body, content_type="text/xml; charset=UTF-8")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return response.data


def punch_in(client: FlaskClient, body: bytes) -> None:
    """Set up a punchout and open its StartPage in the client's browser."""
    answer = post_cxml(client, body)
    assert buyer.status_of(answer) == (200, "OK")
    response = client.get(buyer.start_path(answer))
    assert response.status_code == 302
    assert "/punchout/" not in response.location


def transfer(
    client: FlaskClient, action: str = "/punchout/transfer"
) -> tuple[dict, PunchOutOrderMessage, bytes]:
    """Press the cart's transfer (or cancel) button and read the auto-posting form."""
    cart = client.get("/cart")
    response = client.post(action, data={"csrf_token": buyer.csrf_token(cart.text)})
    assert response.status_code == 200
    forms = buyer.read_forms(response.text)
    assert len(forms) == 1
    form = forms[0]
    assert form["attrs"]["action"] == buyer.RETURN_URL
    assert form["attrs"]["method"] == "post"
    assert "data-autosubmit" in form["attrs"]
    fields = dict(form["fields"])
    assert len(fields) == 1, "exactly one hidden cXML field"
    document = cxml.decode_cart(fields)
    assert_valid_cxml(document)
    message = cxml.parse(document).payload
    assert isinstance(message, PunchOutOrderMessage)
    return fields, message, document


@pytest.mark.parametrize("encoding", ["base64", "urlencoded"])
def test_create_round_trip_returns_a_valid_priced_cart(
    client: FlaskClient, db_session: Session, encoding: str
) -> None:
    identity = ("NetworkID", "AN01000000001")
    if encoding == "urlencoded":
        identity = ("DUNS", "555000111")
        add_cxml_partner(
            db_session,
            spec=CXMLPartnerSpec(
                name="urlencoded-buyer",
                customer_number="1001",
                identities=("DUNS:555000111",),
                shared_secret="another-secret",
                allowed_urls=("http://127.0.0.1:5000/tools/",),
                encoding="urlencoded",
            ),
            digest_key=DIGEST_KEY,
        )
        db_session.commit()
    secret = "demo-secret" if encoding == "base64" else "another-secret"
    punch_in(
        client, buyer.setup_request(buyer_cookie="ck-42 <&>", identity=identity, secret=secret)
    )
    add_to_cart(client, "DEMO-0001", "2")
    add_to_cart(client, "DEMO-0002", "1.5")
    add_to_cart(client, "DEMO-0001", "1")  # same product: the line grows, no second line

    fields, message, document = transfer(client)

    assert list(fields) == [f"cxml-{encoding}"]
    if encoding == "urlencoded":
        document.decode("ascii")  # pure US-ASCII
    assert message.buyer_cookie == "ck-42 <&>"
    assert message.operation_allowed == Operation.EDIT
    lines = {item.item_id.supplier_part_id: item for item in message.items}
    assert set(lines) == {"DEMO-0001", "DEMO-0002"}
    assert lines["DEMO-0001"].quantity == Decimal(3)
    assert lines["DEMO-0002"].quantity == Decimal("1.5")
    # DEMO-0001 carries customer 1001's contract price (90 % of list), DEMO-0002 the list price.
    assert lines["DEMO-0001"].detail.unit_price.amount == Decimal("0.77")
    assert lines["DEMO-0002"].detail.unit_price.amount == Decimal("0.94")
    assert message.total.amount == Decimal("0.77") * 3 + Decimal("1.41")
    assert message.total.currency == "EUR"
    assert all(item.item_id.supplier_part_auxiliary_id for item in message.items)
    assert lines["DEMO-0001"].detail.classifications[0].code == "44121701"


def test_session_ends_after_transfer(client: FlaskClient) -> None:
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0003", "1")
    transfer(client)
    assert client.get("/cart").status_code == 302  # back to login: the punchout is over


def test_edit_keeps_auxiliary_ids_across_the_round_trip(client: FlaskClient) -> None:
    punch_in(
        client,
        buyer.setup_request(
            operation=Operation.EDIT,
            buyer_cookie="edit-cookie",
            items=(("DEMO-0001", "line-a", "3"), ("DEMO-0005", "line-b", "1")),
        ),
    )
    cart = client.get("/cart")
    assert 'data-sku="DEMO-0001"' in cart.text
    add_to_cart(client, "DEMO-0001", "2")
    _, message, _ = transfer(client)
    ids = {item.item_id.supplier_part_id: item for item in message.items}
    assert ids["DEMO-0001"].item_id.supplier_part_auxiliary_id == "line-a"
    assert ids["DEMO-0001"].quantity == Decimal(5)
    assert ids["DEMO-0005"].item_id.supplier_part_auxiliary_id == "line-b"
    assert message.buyer_cookie == "edit-cookie"


def test_edit_with_unknown_products_answers_412(client: FlaskClient, db_session: Session) -> None:
    body = buyer.setup_request(
        operation=Operation.EDIT, items=(("NO-SUCH-PART", "x", "1"), ("DEMO-0001", "y", "1"))
    )
    code, text = buyer.status_of(post_cxml(client, body))
    assert code == 412
    assert "NO-SUCH-PART" in text
    assert db_session.scalar(select(func.count()).select_from(PunchOutSession)) == 0


def test_inspect_is_read_only_and_returns_no_items(client: FlaskClient) -> None:
    punch_in(
        client,
        buyer.setup_request(operation=Operation.INSPECT, items=(("DEMO-0001", "a1", "2"),)),
    )
    page = client.get("/cart")
    assert 'data-sku="DEMO-0001"' in page.text
    assert "/cart/lines/" not in page.text  # no quantity or remove forms
    assert "Add to cart" not in client.get("/products/DEMO-0002").text
    refused = client.post(
        "/cart/items",
        data={"sku": "DEMO-0002", "quantity": "1", "csrf_token": buyer.csrf_token(page.text)},
    )
    assert refused.status_code == 403
    _, message, _ = transfer(client)
    assert message.items == ()


def test_cancelled_create_returns_an_empty_cart(client: FlaskClient) -> None:
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0001", "1")
    _, message, _ = transfer(client, "/punchout/cancel")
    assert message.items == ()
    assert message.total.amount == 0
    assert message.status is None


def test_abandoned_edit_returns_status_204_and_no_change(client: FlaskClient) -> None:
    punch_in(
        client, buyer.setup_request(operation=Operation.EDIT, items=(("DEMO-0001", "a", "1"),))
    )
    _, message, _ = transfer(client, "/punchout/cancel")
    assert message.items == ()
    assert message.status is not None
    assert message.status.code == StatusCode.NO_CONTENT


def test_emptied_edit_cart_returns_no_items(client: FlaskClient) -> None:
    """An edit whose lines were all removed tells the buyer to delete its lines."""
    punch_in(
        client, buyer.setup_request(operation=Operation.EDIT, items=(("DEMO-0001", "a", "1"),))
    )
    cart = client.get("/cart")
    delete = next(
        form["attrs"]["action"]
        for form in buyer.read_forms(cart.text)
        if form["attrs"].get("action", "").endswith("/delete")
    )
    line_id = delete.split("/")[3]
    client.post(f"/cart/lines/{line_id}/delete", data={"csrf_token": buyer.csrf_token(cart.text)})
    _, message, _ = transfer(client)
    assert message.items == ()
    assert message.status is None


def test_start_token_works_once(client: FlaskClient, app: Flask) -> None:
    answer = post_cxml(client, buyer.setup_request())
    path = buyer.start_path(answer)
    assert client.get(path).status_code == 302
    other = app.test_client()
    again = other.get(path)
    assert again.status_code == 410
    assert "used already or has expired" in again.text


def test_expired_start_token_is_refused(client: FlaskClient, app: Flask) -> None:
    app.config["GATEWAY_START_TOKEN_TTL"] = -1
    path = buyer.start_path(post_cxml(client, buyer.setup_request()))
    assert client.get(path).status_code == 410


def test_redemption_opens_a_fresh_session(client: FlaskClient) -> None:
    client.get("/login")
    before = client.get_cookie("gateway_session")
    answer = post_cxml(client, buyer.setup_request())
    response = client.get(buyer.start_path(answer))
    after = client.get_cookie("gateway_session")
    assert after is not None
    assert before is None or before.value != after.value
    assert response.location == "/catalog"


def test_message_log_keeps_both_documents_without_the_secret(
    client: FlaskClient, db_session: Session
) -> None:
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0001", "1")
    transfer(client)
    entries = db_session.scalars(select(MessageLogEntry).order_by(MessageLogEntry.id)).all()
    kinds = [(e.direction, e.document_type) for e in entries]
    assert kinds == [
        ("in", "PunchOutSetupRequest"),
        ("out", "Response"),
        ("out", "PunchOutOrderMessage"),
    ]
    assert all("demo-secret" not in e.body for e in entries)
    assert "<SharedSecret>***</SharedSecret>" in entries[0].body
    assert entries[0].partner_id is not None
    assert entries[0].status_code == 200
    assert "/punchout/start/***" in entries[1].body


def test_catalog_shows_the_customer_price(client: FlaskClient) -> None:
    anonymous = client.get("/products/DEMO-0001")
    assert '"price": "1.03"' in anonymous.text  # list price 0.85 incl. 21 % VAT (guests, issue 3)
    punch_in(client, buyer.setup_request())
    page = client.get("/products/DEMO-0001")
    assert '"price": "0.77"' in page.text  # customer 1001's price
    catalog = client.get("/catalog")
    assert 'href="/products/DEMO-0001"' in catalog.text


def test_our_answer_is_checked_against_the_configured_dtd_before_it_is_sent(
    app: Flask, client: FlaskClient, tmp_path: Path
) -> None:
    folder = write_tiny_dtds(tmp_path / "dtd")
    dtd = folder / "cXML.dtd"
    # A DTD that our StartPage answer cannot follow: the answer is never sent, the buyer
    # gets a 500 to retry (an invalid document of ours is our bug).
    refusing = dtd.read_text().replace(
        "<!ELEMENT PunchOutSetupResponse ANY>", "<!ELEMENT PunchOutSetupResponse (URL)>"
    )
    assert refusing != dtd.read_text()
    dtd.write_text(refusing)
    app.config["GATEWAY_CXML_DTD_DIR"] = folder
    answer = post_cxml(client, buyer.setup_request())
    assert buyer.status_of(answer) == (500, "Internal Server Error: please retry later")
