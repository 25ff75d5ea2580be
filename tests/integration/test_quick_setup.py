"""The everyday PunchOutSetupRequest (a known buyer, person and secret) costs four SQL statements
on either engine, and opens the same punchout as the general path: the same rows, landing,
message log (redacted), and the same refusals when anything is not as usual."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from gateway.models import Cart, Catalog, Membership, MessageLogEntry, PunchOutSession, User
from tests import buyer
from tests.factories import make_product
from tests.integration.test_cxml_punchout import post_cxml
from tests.statements import counted

# What the request's own transaction sends in tests (a savepoint in the test's transaction).
_TRANSACTION = ("SAVEPOINT", "RELEASE SAVEPOINT")


def _setup_statements(client: FlaskClient, connection: Connection, body: bytes) -> list[str]:
    """The statements one setup sends (its transaction's own aside), after a first setup has
    made the person a punchout identity of the partner."""
    post_cxml(client, buyer.setup_request())
    with counted(connection) as statements:
        answer = post_cxml(client, body)
    assert buyer.status_of(answer) == (200, "OK")
    return [_kind(s) for s in statements if not s.startswith(_TRANSACTION)]


def _kind(statement: str) -> str:
    """ "SELECT", or the verb and table of a write ("INSERT INTO cart")."""
    words = statement.split()
    return "SELECT" if words[0] == "SELECT" else " ".join(words[:3])


def _latest(db_session: Session) -> PunchOutSession:
    db_session.expire_all()
    return db_session.scalars(select(PunchOutSession).order_by(PunchOutSession.id.desc())).first()


def test_a_setup_costs_four_statements(
    client: FlaskClient, connection: Connection, db_session: Session
) -> None:
    statements = _setup_statements(client, connection, buyer.setup_request(buyer_cookie="c-4"))
    assert statements == [
        "SELECT",
        "INSERT INTO punchout_session",
        "INSERT INTO cart",
        "INSERT INTO message_log",
    ]
    first, second = db_session.scalars(
        select(PunchOutSession).order_by(PunchOutSession.id.desc()).limit(2)
    ).all()[::-1]
    assert second.buyer_cookie == "c-4"
    assert (second.user_id, second.organisation_id, second.partner_id) == (
        first.user_id,
        first.organisation_id,
        first.partner_id,
    )
    same = ("operation", "return_url", "buyer_credentials", "status", "deployment_mode", "landing")
    assert {name: getattr(second, name) for name in same} == {
        name: getattr(first, name) for name in same
    }
    assert second.token_expires_at - second.created_at == first.token_expires_at - first.created_at
    cart = db_session.scalars(select(Cart).where(Cart.punchout_session_id == second.id)).one()
    assert (cart.user_id, cart.status, cart.lines) == (second.user_id, "open", [])
    logged = db_session.scalars(
        select(MessageLogEntry)
        .where(MessageLogEntry.punchout_session_id == second.id)
        .order_by(MessageLogEntry.id)
    ).all()
    assert [(e.direction, e.document_type, e.status_code, e.partner_id) for e in logged] == [
        ("in", "PunchOutSetupRequest", 200, second.partner_id),
        ("out", "Response", 200, second.partner_id),
    ]
    assert logged[0].payload_id == second.payload_id
    assert "<SharedSecret>***</SharedSecret>" in logged[0].body
    assert "demo-secret" not in logged[0].body
    assert "/punchout/start/***" in logged[1].body


def _opened(client: FlaskClient, connection: Connection, selected: str) -> str:
    body = buyer.setup_request(selected_item=selected)
    assert len(_setup_statements(client, connection, body)) == 4
    response = client.get(buyer.start_path(post_cxml(client, body)))
    return response.location


def test_a_level_2_setup_lands_on_the_product_in_four_statements(
    client: FlaskClient, connection: Connection, db_session: Session
) -> None:
    assert _opened(client, connection, "DEMO-0005") == "/products/DEMO-0005"
    unknown = "/catalog?q=NO-SUCH-ITEM&selected=NO-SUCH-ITEM"
    assert _opened(client, connection, "NO-SUCH-ITEM") == unknown
    db_session.add(Catalog(name="Only for 1002"))
    db_session.flush()
    product = make_product(db_session, catalog="Only for 1002")
    db_session.commit()
    outside = _opened(client, connection, product.sku)
    assert outside == f"/catalog?q={product.sku}&selected={product.sku}"


def test_a_replayed_setup_of_a_known_person_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    post_cxml(client, buyer.setup_request())
    _latest(db_session).partner.replay_protection = True
    db_session.commit()
    body = buyer.setup_request(payload_id="twice@buyer.example")
    assert buyer.status_of(post_cxml(client, body)) == (200, "OK")
    assert buyer.status_of(post_cxml(client, body))[0] == 409
    stale = buyer.setup_request(timestamp=_latest(db_session).created_at - timedelta(hours=1))
    assert buyer.status_of(post_cxml(client, stale))[0] == 400


def test_a_throttled_sender_is_refused_even_with_the_right_secret(
    app: Flask, client: FlaskClient
) -> None:
    post_cxml(client, buyer.setup_request())
    for _ in range(app.config["GATEWAY_LOGIN_ATTEMPTS"]):
        assert buyer.status_of(post_cxml(client, buyer.setup_request(secret="guess")))[0] == 401
    blocked = client.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    assert blocked.status_code == 429


@pytest.mark.parametrize("what", ["membership", "user"])
def test_a_deactivated_person_is_refused(
    client: FlaskClient, db_session: Session, what: str
) -> None:
    post_cxml(client, buyer.setup_request())
    user = db_session.get_one(User, _latest(db_session).user_id)
    if what == "user":
        user.active = False
    else:
        for link in db_session.scalars(select(Membership).where(Membership.user_id == user.id)):
            link.active = False
    db_session.commit()
    assert buyer.status_of(post_cxml(client, buyer.setup_request()))[0] == 403
