"""Invitations are accepted by the person invited (issue 16 §3): a customer's superuser cannot
attach another customer's user or a staff account, nor change a person's name, e-mail address or
password; inviting an existing account tells its holder, who accepts or refuses while logged in.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import AuditEntry, Invitation, Membership, OutboxMessage, User
from gateway.services.people import members, staff
from tests import shop
from tests.factories import actor_of, customer, user_named
from tests.mail import Inbox, deliver_mail, text_of

INVITED = "buyer@1002.demo"


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    shop.login(client, email)
    return client


@pytest.fixture
def superuser(app: Flask) -> FlaskClient:
    return _client(app, "superuser@1001.demo")


def _invite(superuser: FlaskClient, email: str, role: str = "viewer") -> TestResponse:
    return shop.post(superuser, "/account/users", {"email": email, "role": role}, via="/catalog")


def _memberships(session: Session, email: str) -> dict[str, tuple[str, bool]]:
    """The user's customers by number, with role and active flag."""
    session.expire_all()
    return {
        link.organisation.number: (link.role.name, link.active)
        for link in session.scalars(
            select(Membership).where(Membership.user_id == user_named(session, email).id)
        )
    }


def _invitation(session: Session, email: str) -> Invitation:
    session.expire_all()
    return session.scalars(
        select(Invitation).where(Invitation.user_id == user_named(session, email).id)
    ).one()


def _answer(client: FlaskClient, invitation: Invitation, answer: str) -> TestResponse:
    url = f"/account/invitations/{invitation.id}/{answer}"
    return shop.post(client, url, {}, via="/account/invitations")


def test_an_existing_account_joins_only_when_its_holder_accepts(
    app: Flask, superuser: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    before = _memberships(db_session, INVITED)
    response = _invite(superuser, INVITED)
    assert response.status_code == 302
    assert _memberships(db_session, INVITED) == before == {"1002": ("buyer", True)}
    users_page = superuser.get("/account/users?sent=1").text
    assert 'data-notice="invitation-sent"' in users_page
    assert f'data-invitation="{INVITED}" data-state="pending"' in users_page
    deliver_mail(app, inbox.port)
    assert inbox.messages[-1]["To"] == INVITED
    assert "http://shop.example/account/invitations" in text_of(inbox.messages[-1])

    holder = _client(app, INVITED)
    assert 'data-invitations="1"' in holder.get("/catalog").text  # the notice after login
    page = holder.get("/account/invitations").text
    invitation = _invitation(db_session, INVITED)
    assert f'data-invitation-id="{invitation.id}" data-customer="1001"' in page
    assert _answer(holder, invitation, "accept").status_code == 302

    assert _memberships(db_session, INVITED) == {"1002": ("buyer", True), "1001": ("viewer", True)}
    assert user_named(db_session, INVITED).name == "Bob Buyer (1002)"
    assert 'data-invitations="' not in holder.get("/catalog").text
    assert (
        f'data-invitation="{INVITED}" data-state="accepted"' in superuser.get("/account/users").text
    )
    trail = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.organisation_id == customer(db_session).id)
    ).all()
    assert {"user.invite", "invitation.accept"} <= set(trail)
    switched = shop.post(holder, "/customer", {"customer": "1001"}, via="/catalog")
    assert switched.status_code == 302
    assert 'data-customer="1001"' in holder.get("/catalog").text


def test_refusing_leaves_the_account_untouched(
    app: Flask, superuser: FlaskClient, db_session: Session
) -> None:
    _invite(superuser, INVITED)
    holder = _client(app, INVITED)
    invitation = _invitation(db_session, INVITED)
    assert _answer(holder, invitation, "refuse").status_code == 302
    assert _memberships(db_session, INVITED) == {"1002": ("buyer", True)}
    assert _invitation(db_session, INVITED).state == "refused"
    assert (
        f'data-invitation="{INVITED}" data-state="refused"' in superuser.get("/account/users").text
    )
    again = _answer(holder, invitation, "accept")
    assert again.status_code == 400
    assert _memberships(db_session, INVITED) == {"1002": ("buyer", True)}


def test_only_the_holder_answers_an_invitation(
    app: Flask, superuser: FlaskClient, db_session: Session
) -> None:
    _invite(superuser, INVITED)
    invitation = _invitation(db_session, INVITED)
    colleague = _client(app, "superuser@1002.demo")
    assert _answer(colleague, invitation, "accept").status_code == 404
    assert _answer(superuser, invitation, "accept").status_code == 404
    assert _invitation(db_session, INVITED).state == "pending"
    assert _memberships(db_session, INVITED) == {"1002": ("buyer", True)}


def test_an_expired_invitation_cannot_be_accepted(
    app: Flask, superuser: FlaskClient, db_session: Session
) -> None:
    _invite(superuser, INVITED)
    invitation = _invitation(db_session, INVITED)
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    holder = _client(app, INVITED)
    assert 'data-invitations="' not in holder.get("/catalog").text
    assert _answer(holder, invitation, "accept").status_code == 400
    assert _memberships(db_session, INVITED) == {"1002": ("buyer", True)}
    assert 'data-state="expired"' in superuser.get("/account/users").text


@pytest.mark.parametrize("email", ["service@supplier.demo", "Admin@Supplier.demo"])
def test_staff_accounts_are_never_invited(
    superuser: FlaskClient, db_session: Session, email: str
) -> None:
    staff = user_named(db_session, email.lower())
    before = _memberships(db_session, staff.email)
    outbox = db_session.scalar(select(func.count()).select_from(OutboxMessage))
    response = _invite(superuser, email)
    assert response.status_code == 400
    assert "Staff accounts cannot be invited" in response.text
    assert _memberships(db_session, staff.email) == before
    assert db_session.scalars(select(Invitation).where(Invitation.user_id == staff.id)).all() == []
    assert db_session.scalar(select(func.count()).select_from(OutboxMessage)) == outbox


def test_the_service_refuses_staff_whatever_the_path(db_session: Session) -> None:
    actor = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    with pytest.raises(InvalidInput, match="Staff accounts"):
        members.invite(
            db_session,
            actor=actor,
            email="service@supplier.demo",
            name="",
            role_name="buyer",
            now=utcnow(),
            ttl_seconds=60,
            mail_key="k" * 32,
        )


def test_the_inviter_learns_the_same_about_new_and_existing_addresses(
    superuser: FlaskClient,
) -> None:
    answers = []
    for email in (INVITED, "nobody-yet@1002.test"):
        response = _invite(superuser, email)
        page = superuser.get(response.location).text
        row = re.search(rf'<tr data-invitation="{re.escape(email)}".*?</tr>', page, re.S)
        assert row is not None
        answers.append((response.status_code, response.location, row[0].replace(email, "…")))
    assert answers[0] == answers[1]
    assert answers[0][0] == 302
    again = _invite(superuser, INVITED)  # an open invitation, whoever holds the address
    assert again.status_code == 400


def test_a_new_address_joins_by_choosing_a_password(
    app: Flask, superuser: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    _invite(superuser, "new@1001.test", role="buyer")
    assert _memberships(db_session, "new@1001.test") == {}
    deliver_mail(app, inbox.port)
    path = re.search(r"http://shop.example(/invitation/[\w-]+)", text_of(inbox.messages[-1]))
    assert path is not None
    client = app.test_client()
    fields = {"password": "a good long password", "password_confirm": "a good long password"}
    assert shop.post(client, path[1], fields, via=path[1]).status_code == 302
    assert _memberships(db_session, "new@1001.test") == {"1001": ("buyer", True)}
    assert _invitation(db_session, "new@1001.test").state == "accepted"


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "Renamed"), ("email", "evil@example.test"), ("password", "a new password 123")],
)
def test_a_superuser_cannot_change_a_persons_own_data(
    superuser: FlaskClient, db_session: Session, field: str, value: str
) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    before = (buyer.name, buyer.email, buyer.password_hash)
    response = shop.post(
        superuser,
        f"/account/users/{buyer.id}",
        {"role": "viewer", field: value},
        via="/catalog",
    )
    assert response.status_code == 400
    assert "theirs to change" in response.text
    db_session.expire_all()
    buyer = db_session.get_one(User, buyer.id)
    assert (buyer.name, buyer.email, buyer.password_hash) == before
    assert _memberships(db_session, "buyer@1001.demo") == {"1001": ("buyer", True)}


def test_the_service_refuses_personal_data_whatever_the_path(db_session: Session) -> None:
    actor = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    buyer = user_named(db_session, "buyer@1001.demo")
    name = buyer.name
    with pytest.raises(InvalidInput, match="theirs to change"):
        members.edit_member(
            db_session,
            actor=actor,
            user_id=buyer.id,
            role_name="viewer",
            now=utcnow(),
            personal={"name": "Renamed"},
        )
    assert (buyer.name, _memberships(db_session, buyer.email)) == (name, {"1001": ("buyer", True)})


def test_role_and_access_still_change(superuser: FlaskClient, db_session: Session) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    page = superuser.get(f"/account/users/{buyer.id}").text
    assert 'name="name"' not in page  # the member form has no personal fields
    assert (
        shop.post(
            superuser, f"/account/users/{buyer.id}", {"role": "viewer"}, via="/catalog"
        ).status_code
        == 302
    )
    assert (
        shop.post(
            superuser, f"/account/users/{buyer.id}/deactivate", {}, via="/catalog"
        ).status_code
        == 302
    )
    assert _memberships(db_session, "buyer@1001.demo") == {"1001": ("viewer", False)}


def test_the_refusals_read_in_dutch(superuser: FlaskClient, db_session: Session) -> None:
    superuser.environ_base["HTTP_ACCEPT_LANGUAGE"] = "nl"
    staff = _invite(superuser, "service@supplier.demo")
    assert "Accounts van medewerkers kunnen niet" in staff.text
    buyer = user_named(db_session, "buyer@1001.demo")
    renamed = shop.post(
        superuser, f"/account/users/{buyer.id}", {"role": "buyer", "name": "X"}, via="/catalog"
    )
    assert "Naam, e-mailadres en wachtwoord wijzigt de persoon zelf" in renamed.text


def test_an_account_made_staff_meanwhile_cannot_accept(
    app: Flask, superuser: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    _invite(superuser, "new@1001.test")
    admin = user_named(db_session, "admin@supplier.demo")
    staff.save_staff(
        db_session,
        actor=actor_of(db_session, admin, staff.SUPPLIER_NUMBER),
        email="new@1001.test",
        name="",
        role_name="customer_service",
        now=utcnow(),
        invitation_ttl=60,
        mail_key="k" * 32,
    )
    db_session.commit()
    deliver_mail(app, inbox.port)
    to_customer = [m for m in inbox.messages if "invited you to the shop" in text_of(m)]
    path = re.search(r"http://shop.example(/invitation/[\w-]+)", text_of(to_customer[0]))
    assert path is not None
    client = app.test_client()
    fields = {"password": "a good long password", "password_confirm": "a good long password"}
    assert shop.post(client, path[1], fields, via=path[1]).status_code == 400
    assert _memberships(db_session, "new@1001.test") == {"SUPPLIER": ("customer_service", True)}
