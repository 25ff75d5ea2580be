"""Checklist items 46 and 47 where tests/integration/test_account.py leaves a gap: the admin
role, and forged fields on every account form (not only the user form)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Address, Budget, Invitation, Membership, Organisation
from gateway.services.people.roles import customer_role
from tests import shop
from tests.factories import customer, user_named
from tests.mail import Inbox


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    shop.login(client, email)
    return client


def _snapshot(db: Session) -> dict[str, Any]:
    """What customer 1002 holds and who is linked to it, and every membership's role."""
    db.expire_all()
    second = customer(db, "1002")
    return {
        "organisation": (second.name, second.vat_number, second.active),
        "addresses": sorted(
            (a.id, a.name, a.street)
            for a in db.scalars(select(Address).where(Address.organisation_id == second.id))
        ),
        "budgets": db.scalars(select(Budget.id).where(Budget.organisation_id == second.id)).all(),
        "memberships": sorted(
            (m.user_id, m.organisation_id, m.role_id, m.active)
            for m in db.scalars(select(Membership))
        ),
        "invitations": db.scalars(
            select(Invitation.id).where(Invitation.organisation_id == second.id)
        ).all(),
    }


def test_a_superuser_cannot_grant_the_admin_role(app: Flask, db_session: Session) -> None:
    superuser = _client(app, "superuser@1001.demo")
    buyer = user_named(db_session, "buyer@1001.demo")
    before = _snapshot(db_session)
    response = shop.post(superuser, f"/account/users/{buyer.id}", {"role": "admin"}, via="/catalog")
    assert response.status_code == 403
    response = shop.post(
        superuser, "/account/users", {"email": "x@1001.test", "role": "admin"}, via="/catalog"
    )
    assert response.status_code == 403
    assert _snapshot(db_session) == before
    assert "/admin/partners" not in superuser.get("/catalog").text
    assert superuser.get("/admin/partners").status_code == 403


FORGED = {"is_admin": "1", "organisation_id": "<B>", "budget_limit": "1", "customer": "1002"}


@pytest.mark.parametrize(
    ("url", "form", "status"),
    [
        (
            "/account/organisation",
            {"name": "Acme Municipality", "street": "Main 1", "postcode": "1000 AA"}
            | {"city": "Amsterdam", "country": "NL"},
            302,
        ),
        (
            "/account/addresses",
            {"kind": "delivery", "name": "Depot", "street": "Dock 2", "postcode": "1000 AB"}
            | {"city": "Amsterdam", "country": "NL"},
            302,
        ),
        ("/account/budgets", {"name": "Forged", "period": "month", "policy": "block"}, 302),
        ("/account/users", {"email": "forged@1001.test", "role": "buyer"}, 302),
    ],
)
def test_forged_fields_on_account_forms_are_ignored(
    url: str, form: dict[str, str], status: int, app: Flask, db_session: Session, inbox: Inbox
) -> None:
    superuser = _client(app, "superuser@1001.demo")
    second = str(customer(db_session, "1002").id)
    before = _snapshot(db_session)
    forged = {key: value.replace("<B>", second) for key, value in FORGED.items()}
    response = shop.post(superuser, url, form | forged, via="/catalog")
    assert response.status_code == status, response.text
    after = _snapshot(db_session)
    if url == "/account/users":  # invited to 1001 only, as a buyer (a member once they accept)
        new = user_named(db_session, "forged@1001.test")
        invitation = db_session.scalars(
            select(Invitation).where(Invitation.user_id == new.id)
        ).one()
        assert (invitation.organisation_id, invitation.role_id) == (
            customer(db_session).id,
            customer_role(  # the customer's own buyer role (roles are per customer)
                db_session, organisation_id=customer(db_session).id, name="buyer"
            ).id,
        )
    assert after == before
    db_session.expire_all()
    assert db_session.get(Organisation, int(second)) is not None
    link = db_session.scalars(
        select(Membership).where(
            Membership.user_id == user_named(db_session, "superuser@1001.demo").id
        )
    ).one()
    assert link.role.name == "superuser"
