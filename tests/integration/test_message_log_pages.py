"""The message log pages: who may read them, filters, one document checked, download."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import MessageLogEntry
from tests import buyer, staff
from tests.paths import official_dtd_dir

BROKEN = b"""<?xml version="1.0" encoding="UTF-8"?>
<cXML payloadID="broken-1@buyer.example" timestamp="2024-05-01 10:00:00">
  <Header>
    <From><Credential domain="NetworkID"><Identity>AN01000000001</Identity></Credential></From>
    <To><Credential domain="DUNS"><Identity>1</Identity></Credential></To>
    <Sender><Credential domain="NetworkID"><Identity>AN01000000001</Identity>
      <SharedSecret>demo-secret</SharedSecret></Credential><UserAgent>t</UserAgent></Sender>
  </Header>
  <Request><PunchOutSetupRequest operation="create">
    <BrowserFormPost><URL>http://127.0.0.1:5000/tools/simulator/receive</URL></BrowserFormPost>
  </PunchOutSetupRequest></Request>
</cXML>
"""


def post_cxml(client: FlaskClient, body: bytes) -> None:
    assert client.post("/cxml", data=body, content_type="text/xml").status_code == 200


def latest(db_session: Session, direction: str = "in") -> MessageLogEntry:
    return db_session.scalars(
        select(MessageLogEntry)
        .where(MessageLogEntry.direction == direction)
        .order_by(MessageLogEntry.id.desc())
    ).first()


def test_anonymous_visitors_are_sent_to_the_login(client: FlaskClient) -> None:
    answer = client.get("/admin/messages")
    assert answer.status_code == 302
    assert answer.location.startswith("/login?next=/admin/messages")


def test_buyers_may_not_read_the_log(client: FlaskClient) -> None:
    staff.log_in(client, "buyer@1001.demo")
    assert client.get("/admin/messages").status_code == 403
    assert client.get("/admin/messages/1").status_code == 403
    assert client.get("/admin/messages/1/download").status_code == 403


def test_a_broken_document_shows_its_problems_and_secrets_stay_hidden(
    client: FlaskClient, db_session: Session
) -> None:
    post_cxml(client, BROKEN)
    entry = latest(db_session)
    staff.log_in(client)
    page = client.get(f"/admin/messages/{entry.id}")
    assert page.status_code == 200
    assert 'data-validation="invalid"' in page.text
    assert ('data-problem="dtd"' in page.text) == (official_dtd_dir() is not None)
    assert "/cXML/@timestamp: must be an ISO 8601" in page.text  # our XSD, line 2
    assert "<td>2</td><td>schema</td>" in page.text
    assert "Expected is ( BuyerCookie )." in page.text  # our XSD names what is missing
    assert "demo-secret" not in page.text
    assert "&lt;SharedSecret&gt;***&lt;/SharedSecret&gt;" in page.text
    assert 'data-status="406"' in page.text


def test_a_valid_exchange_links_its_session_and_validates(
    client: FlaskClient, db_session: Session
) -> None:
    post_cxml(client, buyer.setup_request(buyer_cookie="cookie-log"))
    entry = latest(db_session)
    assert entry.punchout_session_id is not None
    staff.log_in(client)
    page = client.get(f"/admin/messages/{entry.id}")
    assert 'data-validation="valid"' in page.text
    if official_dtd_dir() is None:
        assert "valid against our XSD and the cXML rules (official DTD not installed)" in page.text
    else:
        assert "valid against the official DTD, our XSD and the cXML rules<" in page.text
    assert f'data-punchout-session="{entry.punchout_session_id}"' in page.text
    assert "BuyerCookie cookie-log" in page.text
    assert 'data-status="200"' in page.text
    download = client.get(f"/admin/messages/{entry.id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="message-{entry.id}-in-PunchOutSetupRequest.xml"'
    )
    assert download.data == entry.body.encode()
    assert b"demo-secret" not in download.data


def test_filters_narrow_the_list(client: FlaskClient, db_session: Session) -> None:
    post_cxml(client, buyer.setup_request())
    post_cxml(client, buyer.setup_request(secret="wrong-secret"))
    old = latest(db_session, "out")
    old.created_at = utcnow() - timedelta(days=40)
    db_session.commit()
    staff.log_in(client)
    everything = client.get("/admin/messages")
    ids = {e.id for e in db_session.scalars(select(MessageLogEntry))}
    assert all(f'data-message-id="{i}"' in everything.text for i in ids)

    def shown(query: str) -> set[int]:
        text = client.get(f"/admin/messages?{query}").text
        return {i for i in ids if f'data-message-id="{i}"' in text}

    by_status = shown("status=401")
    assert by_status
    assert all(db_session.get(MessageLogEntry, i).status_code == 401 for i in by_status)
    assert all(
        db_session.get(MessageLogEntry, i).status_code not in range(200, 300)
        for i in shown("status=error")
    )
    assert all(
        db_session.get(MessageLogEntry, i).direction == "out" for i in shown("direction=out")
    )
    typed = shown("type=Response")
    assert typed
    assert all(db_session.get(MessageLogEntry, i).document_type == "Response" for i in typed)
    recent = shown(f"from={(utcnow() - timedelta(days=1)).date().isoformat()}")
    assert old.id not in recent
    assert old.id in shown(f"to={(utcnow() - timedelta(days=30)).date().isoformat()}")
    partner_id = latest(db_session).partner_id
    assert shown(f"partner={partner_id}") == {
        i for i in ids if db_session.get(MessageLogEntry, i).partner_id == partner_id
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("direction=sideways", "direction must be in or out"),
        ("status=bad", "status must be ok, error or a status code"),
        ("from=yesterday", "dates must look like"),
        ("partner=x", "partner must be a partner id"),
    ],
)
def test_bad_filters_are_refused(client: FlaskClient, query: str, message: str) -> None:
    staff.log_in(client)
    answer = client.get(f"/admin/messages?{query}")
    assert answer.status_code == 400
    assert message in answer.text


def test_customer_service_reads_the_log(client: FlaskClient, db_session: Session) -> None:
    # service@supplier.demo is a demo account holding the customer_service role
    post_cxml(client, buyer.setup_request())
    staff.log_in(client, "service@supplier.demo")
    assert client.get("/admin/messages").status_code == 200
    assert client.get(f"/admin/messages/{latest(db_session).id}").status_code == 200
    assert client.get("/admin/messages/999999").status_code == 404


def test_download_names_are_safe_and_text_stays_text(
    client: FlaskClient, db_session: Session
) -> None:
    from gateway.services import message_log  # noqa: PLC0415 - only this test writes directly

    entry = message_log.record(
        db_session,
        direction="in",
        document_type='OCI "launch"\r\nX: y',
        body=b"USERNAME=demo-oci&PASSWORD=***",
        protocol="oci",
    )
    db_session.commit()
    staff.log_in(client)
    page = client.get(f"/admin/messages/{entry.id}")
    assert 'data-validation="not-checked"' in page.text
    assert "not an XML document" in page.text
    download = client.get(f"/admin/messages/{entry.id}/download")
    assert download.headers["Content-Disposition"] == (
        f'attachment; filename="message-{entry.id}-in-OCI_launch_X_y.txt"'
    )
    assert download.mimetype == "text/plain"
