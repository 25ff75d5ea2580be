"""Bad input at the cXML endpoint and in the punchout shop: a clear answer, nothing stored."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.cxml import Operation
from gateway.models import Cart, CartLine, MessageLogEntry, PunchOutSession, TradingPartner
from tests import buyer
from tests.buyer import add_to_cart
from tests.integration.test_cxml_punchout import post_cxml, punch_in
from tests.paths import FIXTURES

INVALID = FIXTURES / "cxml" / "invalid" / "punchout_setup_request"


def sessions_created(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(PunchOutSession)) or 0


def without_ids(answer: bytes) -> bytes:
    return re.sub(rb'(payloadID|timestamp)="[^"]*"', b"", answer)


def test_wrong_secret_and_unknown_sender_look_the_same(
    client: FlaskClient, db_session: Session
) -> None:
    wrong_secret = post_cxml(client, buyer.setup_request(secret="not-the-secret"))
    unknown = post_cxml(client, buyer.setup_request(identity=("NetworkID", "AN-NOBODY")))
    assert buyer.status_of(wrong_secret) == (
        401,
        "Unauthorized: unknown sender or wrong credentials",
    )
    assert without_ids(wrong_secret) == without_ids(unknown)
    assert b"not-the-secret" not in wrong_secret
    assert sessions_created(db_session) == 0


def test_disabled_partner_is_refused(client: FlaskClient, db_session: Session) -> None:
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-cxml")
    ).one()
    partner.active = False
    db_session.commit()
    assert buyer.status_of(post_cxml(client, buyer.setup_request()))[0] == 401


def test_credential_domain_compares_case_insensitively(client: FlaskClient) -> None:
    answer = post_cxml(client, buyer.setup_request(identity=("networkid", "AN01000000001")))
    assert buyer.status_of(answer)[0] == 200


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/cart",
        "http://127.0.0.1.attacker.example/cart",
        "javascript:alert(1)",
        "data:text/html,x",
        "",
    ],
)
def test_return_url_off_the_allow_list_gets_400_and_no_session(
    client: FlaskClient, db_session: Session, url: str
) -> None:
    code, text = buyer.status_of(post_cxml(client, buyer.setup_request(url=url)))
    assert code == 400
    assert "BrowserFormPost URL" in text
    assert sessions_created(db_session) == 0


def test_source_operation_is_not_implemented(client: FlaskClient, db_session: Session) -> None:
    code, _ = buyer.status_of(post_cxml(client, buyer.setup_request(operation=Operation.SOURCE)))
    assert code == 450
    assert sessions_created(db_session) == 0


@pytest.mark.parametrize(
    ("fixture", "code"),
    [
        ("malformed_unclosed.xml", 406),
        ("xxe_file.xml", 406),
        ("billion_laughs.xml", 406),
        ("parameter_entity.xml", 406),
        ("doctype_ssrf.xml", 406),
        ("unknown_operation.xml", 450),
        ("missing_buyer_cookie.xml", 406),
        ("negative_quantity.xml", 406),
        ("zero_quantity.xml", 406),
        ("non_numeric_quantity.xml", 406),
    ],
)
def test_hostile_and_broken_documents_get_a_cxml_status_and_store_only_the_log(
    client: FlaskClient, db_session: Session, fixture: str, code: int
) -> None:
    answer = post_cxml(client, (INVALID / fixture).read_bytes())
    status, text = buyer.status_of(answer)
    assert status == code
    assert b"root:" not in answer  # no /etc/passwd content
    assert b"Traceback" not in answer
    assert sessions_created(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(Cart)) == 0
    logged = db_session.scalars(select(MessageLogEntry).order_by(MessageLogEntry.id)).all()
    assert [(e.direction, e.status_code) for e in logged] == [("in", code), ("out", code)]
    assert text.split(":")[0] in logged[1].body


def test_body_over_the_limit_gets_413_before_parsing(app: Flask, client: FlaskClient) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 2048
    response = client.post("/cxml", data=b"<cXML>" + b" " * 4096, content_type="text/xml")
    assert response.status_code == 413
    code, text = buyer.status_of(response.data)
    assert code == 406
    assert "larger than 2048 bytes" in text


@pytest.mark.parametrize(
    ("body", "headers", "reason"),
    [
        (b'{"cXML": "setup"}', {"Content-Type": "application/json"}, "not an XML document"),
        (buyer.setup_request(), {"Content-Type": "text/xml", "Content-Encoding": "gzip"},
         "Content-Encoding"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_xml_or_is_encoded_gets_406(
    client: FlaskClient, body: bytes, headers: dict[str, str], reason: str
) -> None:
    response = client.post("/cxml", data=body, headers=headers)
    assert response.status_code == 200
    code, text = buyer.status_of(response.data)
    assert code == 406
    assert reason in text


def test_replayed_payload_id_and_stale_timestamp_are_refused(
    client: FlaskClient, db_session: Session
) -> None:
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-cxml")
    ).one()
    partner.replay_protection = True
    db_session.commit()
    body = buyer.setup_request(payload_id="once@buyer.example")
    assert buyer.status_of(post_cxml(client, body))[0] == 200
    assert buyer.status_of(post_cxml(client, body))[0] == 409
    stale = buyer.setup_request(timestamp=datetime.now(UTC) - timedelta(hours=1))
    code, text = buyer.status_of(post_cxml(client, stale))
    assert (code, "timestamp" in text) == (400, True)
    assert sessions_created(db_session) == 1


def test_unexpected_fault_answers_cxml_500(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("gateway.services.punchout.cxml_punchout.start", broken)
    response = client.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    assert response.status_code == 200
    code, text = buyer.status_of(response.data)
    assert code == 500
    assert "database went away" not in text


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("-1", "greater than zero"), ("0", "greater than zero"), ("abc", "must be a number")],
)
def test_bad_cart_quantity_gets_a_form_message_and_changes_nothing(
    client: FlaskClient, db_session: Session, quantity: str, message: str
) -> None:
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0001", "2")
    page = client.get("/products/DEMO-0003")
    response = client.post(
        "/cart/items",
        data={"sku": "DEMO-0003", "quantity": quantity, "csrf_token": buyer.csrf_token(page.text)},
    )
    assert response.status_code == 400
    assert message in response.text
    assert f'value="{quantity}"' in response.text  # what the user typed is kept
    lines = db_session.scalars(select(CartLine)).all()
    assert [(line.product.sku, line.quantity) for line in lines] == [("DEMO-0001", 2)]


def test_bad_quantity_update_keeps_the_line(client: FlaskClient, db_session: Session) -> None:
    punch_in(client, buyer.setup_request())
    add_to_cart(client, "DEMO-0001", "2")
    cart = client.get("/cart")
    line = db_session.scalars(select(CartLine)).one()
    response = client.post(
        f"/cart/lines/{line.id}", data={"quantity": "-3", "csrf_token": buyer.csrf_token(cart.text)}
    )
    assert response.status_code == 400
    assert "greater than zero" in response.text
    db_session.refresh(line)
    assert line.quantity == 2


def test_unknown_product_is_404(client: FlaskClient) -> None:
    punch_in(client, buyer.setup_request())
    assert client.get("/products/NO-SUCH").status_code == 404
    page = client.get("/products/DEMO-0001")
    response = client.post(
        "/cart/items",
        data={"sku": "NO-SUCH", "quantity": "1", "csrf_token": buyer.csrf_token(page.text)},
    )
    assert response.status_code == 404


def test_shop_forms_need_a_csrf_token(client: FlaskClient, db_session: Session) -> None:
    punch_in(client, buyer.setup_request())
    response = client.post("/cart/items", data={"sku": "DEMO-0001", "quantity": "1"})
    assert response.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(CartLine)) == 0
    assert client.post("/punchout/transfer").status_code == 400


def test_cart_pages_need_a_session(client: FlaskClient) -> None:
    response = client.get("/cart")
    assert response.status_code == 302
    assert response.location.startswith("/login")
