"""Checklist §6, items 34 to 40, 43 and 51: authentication, start tokens, return URLs, escaping
and CSRF in the cXML punchout."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import PunchOutOrderMessage
from gateway.models import CartLine, PunchOutSession
from tests import buyer
from tests.factories import make_cxml_partner, make_product
from tests.integration.test_cxml_punchout import add_to_cart, post_cxml, punch_in

HOSTILE_NAME = '19" Rack "><script>alert(1)</script> & Co'


def sessions(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(PunchOutSession)) or 0


def test_case_34_wrong_secret_and_unknown_identity_answer_identically(client: FlaskClient) -> None:
    def bare(answer: bytes) -> bytes:
        return re.sub(rb'(payloadID|timestamp)="[^"]*"', b"", answer)

    wrong = post_cxml(client, buyer.setup_request(secret="wrong-secret"))
    unknown = post_cxml(client, buyer.setup_request(identity=("NetworkID", "AN-UNKNOWN")))
    no_secret = post_cxml(client, buyer.setup_request(secret=""))
    assert bare(wrong) == bare(unknown) == bare(no_secret)
    assert buyer.status_of(wrong)[0] == 401


def test_case_35_a_replayed_setup_request_opens_no_second_session(
    client: FlaskClient, db_session: Session
) -> None:
    make_cxml_partner(db_session, identities=("NetworkID:AN-REPLAY",), replay_protection=True)
    db_session.commit()
    body = buyer.setup_request(
        identity=("NetworkID", "AN-REPLAY"),
        secret="partner-secret",
        url="http://127.0.0.1:5000/tools/simulator/receive",
    )
    assert buyer.status_of(post_cxml(client, body))[0] == 200
    assert buyer.status_of(post_cxml(client, body))[0] == 409
    assert sessions(db_session) == 1


@pytest.mark.parametrize("offset", [timedelta(hours=-1), timedelta(hours=1)])
def test_case_36_a_setup_timestamp_an_hour_off_is_refused(
    client: FlaskClient, db_session: Session, offset: timedelta
) -> None:
    make_cxml_partner(db_session, identities=("NetworkID:AN-CLOCK",))
    db_session.commit()
    body = buyer.setup_request(
        identity=("NetworkID", "AN-CLOCK"),
        secret="partner-secret",
        timestamp=datetime.now(UTC) + offset,
    )
    assert buyer.status_of(post_cxml(client, body))[0] == 400
    assert sessions(db_session) == 0


def test_case_37_a_start_url_works_once_and_not_after_its_ttl(
    app: Flask, client: FlaskClient
) -> None:
    path = buyer.start_path(post_cxml(client, buyer.setup_request()))
    assert client.get(path).status_code == 302
    assert app.test_client().get(path).status_code == 410
    app.config["GATEWAY_START_TOKEN_TTL"] = 0
    expired = buyer.start_path(post_cxml(client, buyer.setup_request()))
    assert app.test_client().get(expired).status_code == 410


def test_case_38_redemption_leaves_no_token_in_the_url_and_a_new_cookie(
    client: FlaskClient,
) -> None:
    client.get("/login")  # a pre-login cookie (CSRF state)
    before = client.get_cookie("gateway_session")
    assert before is not None
    path = buyer.start_path(post_cxml(client, buyer.setup_request()))
    response = client.get(path)
    assert response.location == "/catalog"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    after = client.get_cookie("gateway_session")
    assert after is not None
    assert after.value != before.value
    assert path.rsplit("/", 1)[1] not in after.value


@pytest.mark.parametrize(
    "url",
    [
        "https://attacker.example/",
        "https://127.0.0.1.attacker.example/cart",
        "javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
    ],
)
def test_cases_39_40_return_urls_off_the_allow_list_are_refused(
    client: FlaskClient, db_session: Session, url: str
) -> None:
    code, text = buyer.status_of(post_cxml(client, buyer.setup_request(url=url)))
    assert (code, "BrowserFormPost URL not allowed" in text) == (400, True)
    assert sessions(db_session) == 0


def test_case_40_plain_http_needs_a_prefix_that_says_http(
    client: FlaskClient, db_session: Session
) -> None:
    make_cxml_partner(
        db_session, identities=("NetworkID:AN-TLS",), allowed_urls=("https://buyer.example/",)
    )
    db_session.commit()
    body = buyer.setup_request(
        identity=("NetworkID", "AN-TLS"), secret="partner-secret", url="http://buyer.example/cart"
    )
    assert buyer.status_of(post_cxml(client, body))[0] == 400
    assert sessions(db_session) == 0


@pytest.mark.parametrize("encoding", ["base64", "urlencoded"])
def test_case_43_markup_in_a_description_is_escaped_exactly_once(
    client: FlaskClient, db_session: Session, encoding: str
) -> None:
    make_product(db_session, sku="HOSTILE-1", name=HOSTILE_NAME, description=HOSTILE_NAME)
    identity = ("NetworkID", "AN01000000001")
    secret = "demo-secret"
    if encoding == "urlencoded":
        make_cxml_partner(db_session, identities=("NetworkID:AN-URLENC",), encoding="urlencoded")
        identity, secret = ("NetworkID", "AN-URLENC"), "partner-secret"
    db_session.commit()
    punch_in(client, buyer.setup_request(identity=identity, secret=secret))
    page = client.get("/products/HOSTILE-1")
    assert "<script>alert(1)</script>" not in page.text
    add_to_cart(client, "HOSTILE-1", "1")
    assert "<script>alert(1)</script>" not in client.get("/cart").text
    cart = client.get("/cart")
    response = client.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    assert "<script>alert(1)</script>" not in response.text
    fields = dict(buyer.read_forms(response.text)[0]["fields"])  # type: ignore[arg-type]
    message = cxml.parse(cxml.decode_cart(fields)).payload
    assert isinstance(message, PunchOutOrderMessage)
    assert message.items[0].detail.description == HOSTILE_NAME
    assert message.items[0].detail.short_name == HOSTILE_NAME


def test_case_51_shop_forms_refuse_missing_or_foreign_csrf_tokens(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    other = app.test_client()
    foreign_token = buyer.csrf_token(other.get("/login").text)
    punch_in(client, buyer.setup_request())
    for token in (None, foreign_token):
        data = {"sku": "DEMO-0001", "quantity": "1"}
        if token:
            data["csrf_token"] = token
        assert client.post("/cart/items", data=data).status_code == 400
    assert db_session.scalar(select(func.count()).select_from(CartLine)) == 0
    # The machine endpoint needs no CSRF token.
    assert buyer.status_of(post_cxml(client, buyer.setup_request()))[0] == 200
