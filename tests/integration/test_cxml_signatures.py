"""Partners that must sign: unsigned or badly signed orders are refused, signed ones accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.cli import main
from gateway.cxml import signing
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import Order, OutboxMessage
from gateway.punchout.settings import punchout_settings
from gateway.services.ordering import documents
from gateway.services.partners.order_settings import configure
from tests import buyer
from tests.conftest import TEST_CONFIG
from tests.cxml_checks import assert_valid_cxml
from tests.integration.test_cxml_punchout import post_cxml
from tests.unit.cxml.test_signing import ATTACKER_CERT, ATTACKER_KEY, BUYER_CERT, BUYER_KEY


@pytest.fixture
def signing_partner(db_session: Session) -> None:
    configure(
        db_session,
        partner_name="demo-cxml",
        signature_certificate=BUYER_CERT.decode(),
        require_signature=True,
    )
    db_session.commit()


def orders(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Order)) or 0


@pytest.mark.usefixtures("signing_partner")
def test_signed_order_is_accepted(client: FlaskClient, db_session: Session) -> None:
    body = signing.sign(buyer.order_request(), key_pem=BUYER_KEY, certificate_pem=BUYER_CERT)
    assert buyer.status_of(post_cxml(client, body)) == (200, "OK")
    assert orders(db_session) == 1


@pytest.mark.usefixtures("signing_partner")
@pytest.mark.parametrize(
    ("make", "code"),
    [
        (buyer.order_request, 475),
        (
            lambda: signing.sign(
                buyer.order_request(), key_pem=ATTACKER_KEY, certificate_pem=ATTACKER_CERT
            ),
            477,
        ),
        (
            lambda: signing.sign(
                buyer.order_request(), key_pem=BUYER_KEY, certificate_pem=BUYER_CERT
            ).replace(b'quantity="2"', b'quantity="20"', 1),
            476,
        ),
    ],
    ids=["unsigned", "other-certificate", "tampered"],
)
def test_unsigned_or_bad_signatures_are_refused(
    client: FlaskClient, db_session: Session, make: object, code: int
) -> None:
    answer = post_cxml(client, make())  # type: ignore[operator]
    assert buyer.status_of(answer)[0] == code
    assert orders(db_session) == 0


def test_requiring_signatures_needs_a_pinned_certificate(db_session: Session) -> None:
    with pytest.raises(InvalidInput, match="Pin the partner's certificate"):
        configure(db_session, partner_name="demo-cxml", require_signature=True)
    with pytest.raises(InvalidInput, match="not a PEM certificate"):
        configure(db_session, partner_name="demo-cxml", signature_certificate="nonsense")


def test_outbound_documents_are_signed_when_configured(
    app: Flask, client: FlaskClient, db_session: Session, tmp_path: Path
) -> None:
    (tmp_path / "key.pem").write_bytes(BUYER_KEY)
    (tmp_path / "cert.pem").write_bytes(BUYER_CERT)
    app.config["GATEWAY_SIGNING_KEY_FILE"] = str(tmp_path / "key.pem")
    app.config["GATEWAY_SIGNING_CERT_FILE"] = str(tmp_path / "cert.pem")
    assert buyer.status_of(post_cxml(client, buyer.order_request()))[0] == 200
    order_id = db_session.scalars(select(Order.id)).one()
    documents.accept(
        db_session,
        actor=None,
        order_id=order_id,
        settings=punchout_settings(app.config),
        now=utcnow(),
    )
    db_session.commit()
    [message] = db_session.scalars(select(OutboxMessage)).all()
    assert b'signatureVersion="1.0"' in message.body
    assert b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd">' in (
        message.body
    )
    assert_valid_cxml(message.body, "Fulfill.dtd")
    verified = signing.verified_document(message.body, certificate_pem=BUYER_CERT)
    assert b"ConfirmationRequest" in verified


def test_cli_pins_the_certificate_and_requires_signatures(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 's.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    (tmp_path / "buyer.pem").write_bytes(BUYER_CERT)
    args = ["partner", "order-settings", "--name", "demo-cxml"]
    result = runner.invoke(main, [*args, "--require-signature"])
    assert result.exit_code != 0
    assert "Pin the partner's certificate" in result.output
    result = runner.invoke(
        main, [*args, "--signature-certificate", str(tmp_path / "buyer.pem"), "--require-signature"]
    )
    assert result.exit_code == 0, result.output
    answer = app.test_client().post("/cxml", data=buyer.order_request(), content_type="text/xml")
    assert buyer.status_of(answer.data)[0] == 475
