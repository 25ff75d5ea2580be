"""What real buyers send is read: any Content-Type on an XML body, zone-less timestamps, the
DOCTYPE as Ariba spells it. What is refused says why, and the message log keeps enough of a
request refused unread for support to see who sent what."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import MessageLogEntry, PunchOutSession, TradingPartner
from tests import buyer
from tests.factories import make_cxml_partner
from tests.paths import FIXTURES

VALID_SETUP = FIXTURES / "cxml" / "valid" / "punchout_setup_request"
RETURN_URL = "http://127.0.0.1:5000/tools/simulator/receive"
NOT_XML = (
    "Not Acceptable: the body is not an XML document: post the cXML document itself "
    "(it starts with <), preferably as text/xml"
)


@pytest.fixture
def partner(db_session: Session) -> TradingPartner:
    """A buyer with replay protection on, so the timestamp is read, not merely parsed."""
    partner = make_cxml_partner(db_session, replay_protection=True)
    db_session.commit()
    return partner


def setup_for(
    partner: TradingPartner, *, timestamp: datetime | None = None, payload_id: str | None = None
) -> bytes:
    """A setup request from `partner` (as `make_cxml_partner` sets it up)."""
    identity = partner.identities[0]
    return buyer.setup_request(
        identity=(identity.domain, identity.identity),
        secret="partner-secret",
        timestamp=timestamp,
        payload_id=payload_id,
    )


def zoneless(body: bytes) -> bytes:
    """The document with its root timestamp's `+00:00` dropped (a UTC wall time, no zone)."""
    changed, count = re.subn(rb'(timestamp="[0-9T:.-]+)\+00:00"', rb'\1"', body, count=1)
    assert count == 1
    return changed


def opens_a_shop_session(client: FlaskClient, response_body: bytes) -> None:
    """The StartPage opens a punchout shop session whose cart offers the transfer back."""
    assert buyer.status_of(response_body) == (200, "OK")
    landing = client.get(buyer.start_path(response_body))
    assert (landing.status_code, landing.location) == (302, "/catalog")
    cart = client.get("/cart")
    assert cart.status_code == 200
    assert 'action="/punchout/transfer"' in cart.text


# --- Done when: each of these opens a punchout --------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Content-Type at all
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "text/plain; charset=UTF-8"},
        {"Content-Type": "application/octet-stream"},
    ],
    ids=["none", "form", "text-plain", "octet-stream"],
)
def test_an_xml_body_opens_a_punchout_whatever_its_content_type(
    client: FlaskClient, partner: TradingPartner, headers: dict[str, str]
) -> None:
    response = client.post("/cxml", data=setup_for(partner), headers=headers)
    assert response.status_code == 200
    opens_a_shop_session(client, response.data)


def test_a_bom_and_whitespace_before_the_document_still_make_it_xml(
    client: FlaskClient, partner: TradingPartner
) -> None:
    body = b"\xef\xbb\xbf\r\n  " + setup_for(partner)
    response = client.post("/cxml", data=body, content_type="application/x-www-form-urlencoded")
    opens_a_shop_session(client, response.data)


def test_a_zone_less_timestamp_is_read_as_utc_and_opens_a_punchout(
    client: FlaskClient, partner: TradingPartner
) -> None:
    body = zoneless(setup_for(partner))
    response = client.post("/cxml", data=body, content_type="text/xml")
    opens_a_shop_session(client, response.data)


def test_a_zone_less_timestamp_an_hour_old_in_utc_is_stale(
    client: FlaskClient, partner: TradingPartner
) -> None:
    """Read as UTC, not as our local time: a UTC wall time an hour ago is out of the window."""
    body = zoneless(setup_for(partner, timestamp=datetime.now(UTC) - timedelta(hours=1)))
    code, text = buyer.status_of(client.post("/cxml", data=body, content_type="text/xml").data)
    assert (code, "/cXML/@timestamp is outside the accepted window" in text) == (400, True)


@pytest.mark.parametrize(
    "fixture", ["doctype_capital_host.xml", "doctype_1_1_010.xml", "zoneless_timestamp.xml"]
)
def test_the_doctype_and_timestamp_fixtures_open_a_punchout(
    client: FlaskClient, fixture: str
) -> None:
    """The demo buyer's fixtures (no replay protection: their timestamps are fixed)."""
    body = (VALID_SETUP / fixture).read_bytes()
    response = client.post("/cxml", data=body, content_type="text/xml")
    opens_a_shop_session(client, response.data)


def test_the_capitalised_doctype_host_opens_a_punchout_with_replay_protection(
    client: FlaskClient, partner: TradingPartner
) -> None:
    body = setup_for(partner).replace(b"http://xml.cxml.org/", b"http://xml.cXML.org/", 1)
    assert b"xml.cXML.org/schemas/cXML/" in body
    response = client.post("/cxml", data=body)  # and no Content-Type either
    opens_a_shop_session(client, response.data)


# --- refusals that say which rule, the window and our clock ---------------------------------


def test_a_stale_timestamp_names_the_rule_the_window_and_our_clock(
    app: Flask, client: FlaskClient, partner: TradingPartner
) -> None:
    app.config["GATEWAY_SETUP_CLOCK_SKEW"] = 300
    stale = setup_for(partner, timestamp=datetime.now(UTC) - timedelta(hours=2))
    before = datetime.now(UTC).replace(microsecond=0)
    code, text = buyer.status_of(client.post("/cxml", data=stale, content_type="text/xml").data)
    assert code == 400
    assert text.startswith(
        "Bad Request: /cXML/@timestamp is outside the accepted window: a setup request must be "
        "sent within 300 seconds of our clock (our clock read "
    )
    clock = datetime.fromisoformat(re.search(r"our clock read (\S+?);", text)[1])  # type: ignore[index]
    assert before <= clock <= datetime.now(UTC)
    assert "a timestamp without a zone is read as UTC" in text


def test_a_reused_payload_id_names_the_rule_the_window_and_our_clock(
    client: FlaskClient, partner: TradingPartner, db_session: Session
) -> None:
    body = setup_for(partner, payload_id="once@buyer.example")
    assert buyer.status_of(client.post("/cxml", data=body, content_type="text/xml").data)[0] == 200
    code, text = buyer.status_of(client.post("/cxml", data=body, content_type="text/xml").data)
    assert code == 409
    assert text.startswith(
        "Conflict: /cXML/@payloadID already used for a punchout: every setup request needs a "
        "new payloadID (replay protection; timestamps are accepted within 600 seconds of our "
        "clock, and our clock read "
    )
    count = select(PunchOutSession).where(PunchOutSession.partner_id == partner.id)
    assert len(db_session.scalars(count).all()) == 1


# --- what is not XML is refused, and logged ----------------------------------------------------


def logged_refusals(db_session: Session) -> list[MessageLogEntry]:
    return list(db_session.scalars(select(MessageLogEntry).order_by(MessageLogEntry.id)))


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"hello, this is not a document", "text/plain"),
        (b"", None),
        (b'{"payloadID": "1"}', "application/json"),
        (b"BuyerCookie=1&operation=create", "application/x-www-form-urlencoded"),
    ],
    ids=["text", "empty", "json", "form"],
)
def test_a_body_that_is_not_xml_is_refused_precisely_and_kept_in_the_log(
    client: FlaskClient, db_session: Session, body: bytes, content_type: str | None
) -> None:
    response = client.post("/cxml", data=body, content_type=content_type)
    assert response.status_code == 200
    assert buyer.status_of(response.data) == (406, NOT_XML)
    (entry,) = logged_refusals(db_session)
    assert (entry.direction, entry.document_type, entry.status_code) == ("in", "unread", 406)
    assert entry.status_text == NOT_XML
    shown = body.decode().replace("&", "\n") if content_type and "form" in content_type else body
    assert entry.body == (shown if isinstance(shown, str) else shown.decode())
    assert entry.partner_id is None


def test_a_text_xml_body_that_is_not_xml_gets_the_parsers_reason(client: FlaskClient) -> None:
    response = client.post("/cxml", data=b"not xml", content_type="text/xml")
    code, text = buyer.status_of(response.data)
    assert code == 406
    assert text.startswith("Not Acceptable: not well-formed XML (syntax error at line 1")


def test_a_form_holding_the_document_names_its_partner_and_hides_its_secrets(
    client: FlaskClient, db_session: Session, partner: TradingPartner
) -> None:
    """A buyer tool that posts the setup request as a cxml-urlencoded field, plus a password
    field: refused (the body is not XML), logged readable, the secrets blanked."""
    document = setup_for(partner).decode()
    fields = {"cxml-urlencoded": document, "PASSWORD": "hunter2-pw", "SharedSecret": "s3cr3t-x"}
    body = urlencode(fields).encode()
    response = client.post("/cxml", data=body, content_type="application/x-www-form-urlencoded")
    assert buyer.status_of(response.data) == (406, NOT_XML)
    (entry,) = logged_refusals(db_session)
    assert entry.partner_id == partner.id
    assert "<BuyerCookie>cookie-1</BuyerCookie>" in entry.body
    assert "<SharedSecret>***</SharedSecret>" in entry.body
    assert "partner-secret" not in entry.body
    assert "PASSWORD=***" in entry.body
    assert "SharedSecret=***" in entry.body
    assert "hunter2" not in entry.body
    assert "s3cr3t" not in entry.body


def test_a_base64_form_field_is_decoded_for_the_log(
    client: FlaskClient, db_session: Session, partner: TradingPartner
) -> None:
    encoded = base64.b64encode(setup_for(partner)).decode()
    body = f"cXML-base64={quote(encoded)}".encode()
    client.post("/cxml", data=body, content_type="application/x-www-form-urlencoded")
    (entry,) = logged_refusals(db_session)
    assert entry.partner_id == partner.id
    assert "partner-secret" not in entry.body
    assert "<SharedSecret>***</SharedSecret>" in entry.body


def test_a_body_over_the_limit_keeps_its_head_and_names_its_partner(
    app: Flask, client: FlaskClient, db_session: Session, partner: TradingPartner
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 200 * 1024
    padding = b"<!--" + b"x" * (300 * 1024) + b"-->"
    body = setup_for(partner).replace(b"</cXML>", padding + b"</cXML>")
    response = client.post("/cxml", data=body, content_type="text/xml")
    assert response.status_code == 413
    assert buyer.status_of(response.data)[0] == 406
    (entry,) = logged_refusals(db_session)
    assert entry.partner_id == partner.id
    assert entry.body.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "<SharedSecret>***</SharedSecret>" in entry.body
    assert "partner-secret" not in entry.body
    assert entry.body.endswith(f"[... {len(body) - 64 * 1024} more bytes not logged]")
    assert len(entry.body) < 70 * 1024


def test_an_unknown_from_credential_names_nobody(
    app: Flask, client: FlaskClient, db_session: Session
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1024
    body = buyer.setup_request(identity=("NetworkID", "AN-NOBODY")) + b" " * 2048
    assert client.post("/cxml", data=body, content_type="text/xml").status_code == 413
    (entry,) = logged_refusals(db_session)
    assert entry.partner_id is None
    assert "AN-NOBODY" in entry.body


def test_a_compressed_body_stays_refused_and_unread(
    client: FlaskClient, db_session: Session
) -> None:
    response = client.post(
        "/cxml",
        data=buyer.setup_request(),
        headers={"Content-Encoding": "gzip", "Content-Type": "text/xml"},
    )
    code, text = buyer.status_of(response.data)
    assert (code, "Content-Encoding" in text) == (406, True)
    (entry,) = logged_refusals(db_session)
    assert entry.body.startswith("[refused before parsing: Content-Encoding")
    assert entry.partner_id is None


def test_a_broken_document_is_logged_under_the_partner_its_from_names(
    client: FlaskClient, db_session: Session, partner: TradingPartner
) -> None:
    body = setup_for(partner).replace(b"</Request>", b"</Requests>")
    code, text = buyer.status_of(client.post("/cxml", data=body, content_type="text/xml").data)
    assert (code, text.startswith("Not Acceptable: not well-formed XML")) == (406, True)
    received, answered = logged_refusals(db_session)
    assert (received.document_type, received.partner_id) == ("unreadable", partner.id)
    assert answered.partner_id == partner.id
    assert "partner-secret" not in received.body
