"""Shopping as a customer through the one policy (b2b-rules I-6): the actor knows it is assisting,
and every refusal of what only the user in person may do is 403 plus one audit row, wherever
the policy refused it. Pinned cases of the staff suite live in `test_staff.py`."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import can, require
from gateway.models import Address, AuditEntry, ShopSession
from gateway.services.people import shop_sessions
from gateway.web import context
from gateway.web.database import get_session
from tests import shop
from tests.factories import customer, user_named

SERVICE = "service@supplier.demo"
ADDRESS = {
    "name": "Dock",
    "street": "Kade 1",
    "postcode": "1000 AA",
    "city": "Ede",
    "country": "NL",
}


def _forbidden(session: Session) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "impersonation.forbidden")
            .order_by(AuditEntry.id)
        )
    )


def _assist(app: Flask, db_session: Session, email: str) -> FlaskClient:
    """Customer service shopping as `email` of customer 1001."""
    client = app.test_client()
    shop.login(client, SERVICE)
    subject = user_named(db_session, email)
    answer = shop.post(
        client,
        "/staff/customers/1001/impersonate",
        {"on_behalf_of": str(subject.id), "reason": "phoned for advice"},
    )
    assert answer.status_code == 302, answer.text
    return client


@pytest.fixture
def as_superuser(app: Flask, db_session: Session) -> FlaskClient:
    return _assist(app, db_session, "superuser@1001.demo")


REFUSED_GETS = [  # (url, endpoint): pages no assisted session opens, whatever the subject's role
    ("/account/users", "account.users"),
    ("/account/approval-tiers", "account.approval_tiers_page"),
    ("/approvals", "approvals.inbox"),
    ("/approvals/absence", "approvals.absence_page"),
    ("/password/forgot", "shop.forgot_password"),
    ("/password/reset/some-token", "shop.reset_password"),
    ("/invitation/some-token", "account.invitation"),
    ("/account/invitations", "account.invitations_page"),
    ("/staff/audit", "staff.audit"),
    ("/staff/accounts", "staff.accounts"),
    ("/admin/messages", "admin_messages.index"),
    ("/admin/partners", "admin_partners.index"),
]


@pytest.mark.parametrize(("url", "endpoint"), REFUSED_GETS)
def test_a_page_for_the_user_in_person_is_refused_and_audited(
    as_superuser: FlaskClient, db_session: Session, url: str, endpoint: str
) -> None:
    before = len(_forbidden(db_session))
    assert as_superuser.get(url).status_code == 403
    rows = _forbidden(db_session)[before:]
    assert [row.subject for row in rows] == [endpoint]
    assert rows[0].actor_id == user_named(db_session, SERVICE).id
    assert rows[0].on_behalf_of_id == user_named(db_session, "superuser@1001.demo").id


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/customer", {"customer": "1002"}),
        ("/account/invitations/1/accept", {}),
        ("/account/invitations/1/refuse", {}),
        ("/account/users/1/catalogs", {}),
        ("/approvals/1/take-over", {}),
        ("/approvals/1/reject", {"comment": "no"}),
        ("/approvals/bulk-approve", {"order_id": "1"}),
        ("/approvals/absence", {"starts_on": "2030-01-01", "ends_on": "2030-01-02"}),
        ("/approvals/absence/1/end", {}),
        ("/staff/customers", {"name": "Initech"}),
    ],
)
def test_a_post_for_the_user_in_person_is_refused_and_audited(
    as_superuser: FlaskClient, db_session: Session, url: str, data: dict[str, str]
) -> None:
    before = len(_forbidden(db_session))
    assert shop.post(as_superuser, url, data, via="/catalog").status_code == 403
    assert len(_forbidden(db_session)) == before + 1


def test_what_the_subject_may_do_stays_open_and_unaudited(
    as_superuser: FlaskClient, db_session: Session
) -> None:
    for url in ("/account/organisation", "/account/budgets", "/orders", "/catalog"):
        assert as_superuser.get(url).status_code == 200, url
    assert shop.post(as_superuser, "/account/addresses", ADDRESS, via="/catalog").status_code == (
        302
    )
    assert _forbidden(db_session) == []


def test_the_menu_hides_what_the_policy_refuses(as_superuser: FlaskClient) -> None:
    page = as_superuser.get("/account/organisation").text
    assert 'href="/account/approval-tiers"' not in page
    assert 'href="/approvals"' not in page
    assert 'href="/staff/customers"' not in page


def test_the_menu_shows_the_same_links_to_the_user_in_person(app: Flask) -> None:
    client = app.test_client()
    shop.login(client, "superuser@1001.demo")
    page = client.get("/account/organisation").text
    assert 'href="/account/approval-tiers"' in page
    assert 'href="/approvals"' in page


def test_the_actor_of_an_assisted_session_knows_it_is_assisting(
    as_superuser: FlaskClient, db_session: Session
) -> None:
    assisted = db_session.scalars(
        select(ShopSession).where(ShopSession.acting_staff_id.is_not(None))
    ).one()
    actor = shop_sessions.actor_for(db_session, assisted)
    assert actor.assisting
    assert actor.acting_staff_id == user_named(db_session, SERVICE).id
    assert actor.user_id == user_named(db_session, "superuser@1001.demo").id
    assert Permission.ORDER_APPROVE in actor.permissions  # the subject's role, as it is...
    assert not can(actor, Permission.ORDER_APPROVE)  # ...and the policy refuses it (I-6)


@pytest.fixture
def refusing_view(app: Flask) -> None:
    """A view that stores an address and only then asks for a right refused while assisting."""
    blueprint = Blueprint("refusing", __name__)

    @blueprint.post("/test/refuse-after-a-change")
    def refuse_after_a_change() -> str:
        shopper = context.require_shopper()
        db = get_session()
        db.add(Address(organisation_id=shopper.organisation.id, kind="delivery", **ADDRESS))
        db.flush()
        require(shopper.actor, Permission.ORDER_APPROVE)
        return "not reached"

    app.register_blueprint(blueprint)


def test_a_refusal_keeps_its_audit_row_and_nothing_the_request_began(
    refusing_view: None, app: Flask, db_session: Session
) -> None:
    client = _assist(app, db_session, "superuser@1001.demo")
    addresses = _addresses(db_session)
    answer = shop.post(client, "/test/refuse-after-a-change", {}, via="/catalog")
    assert answer.status_code == 403
    assert _addresses(db_session) == addresses
    assert [row.subject for row in _forbidden(db_session)] == ["refusing.refuse_after_a_change"]


def _addresses(session: Session) -> int:
    session.expire_all()
    return (
        session.scalar(
            select(func.count())
            .select_from(Address)
            .where(Address.organisation_id == customer(session).id)
        )
        or 0
    )
