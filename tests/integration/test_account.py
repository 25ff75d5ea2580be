"""Superuser self-service under /account: users, roles, catalogs, budgets, organisation data."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.models import (
    Address,
    AuditEntry,
    Budget,
    Catalog,
    Membership,
    Organisation,
    Role,
    Supervision,
    membership_catalog,
)
from tests import shop
from tests.factories import customer, make_budget, make_user, user_named
from tests.mail import Inbox, deliver_mail, text_of


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    shop.login(client, email)
    return client


def _post(client: FlaskClient, url: str, data: dict[str, object]) -> object:
    return shop.post(client, url, data, via="/catalog")


def _count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _link(session: Session, email: str, number: str = "1001") -> Membership:
    session.expire_all()
    return session.scalars(
        select(Membership).where(
            Membership.user_id == user_named(session, email).id,
            Membership.organisation_id == customer(session, number).id,
        )
    ).one()


@pytest.fixture
def superuser(app: Flask) -> FlaskClient:
    return _client(app, "superuser@1001.demo")


def test_the_user_list_shows_the_own_customer_only(superuser: FlaskClient) -> None:
    page = superuser.get("/account/users").text
    assert "requester@1001.demo" in page
    assert "buyer@1002.demo" not in page
    assert "superuser@1002.demo" not in page


def test_a_buyer_has_no_account_pages(app: Flask) -> None:
    buyer = _client(app, "buyer@1001.demo")
    for url in ("/account/users", "/account/organisation"):
        assert buyer.get(url).status_code == 403
    assert _post(buyer, "/account/users", {"email": "x@y.test", "role": "buyer"}).status_code == 403


def test_an_invited_user_chooses_a_password_once(
    app: Flask, superuser: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    members = _count(db_session, Membership)
    response = _post(
        superuser, "/account/users", {"email": "New@1001.test", "name": "Nina New", "role": "buyer"}
    )
    assert response.status_code == 302
    new = user_named(db_session, "new@1001.test")
    assert new.name == "Nina New"
    assert _count(db_session, Membership) == members  # a user once they chose a password
    assert inbox.messages == []  # queued with the invitation, sent by the outbox worker
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    body = text_of(inbox.messages[-1])
    assert inbox.messages[-1]["To"] == "new@1001.test"
    assert inbox.messages[-1]["Subject"] == "You are invited to order for Acme Municipality"
    assert "Sam Superuser (1001) invited you to the shop for Acme Municipality." in body
    path = re.search(r"http://shop.example(/invitation/[\w-]+)", body)
    assert path is not None
    client = app.test_client()
    page = client.get(path[1])
    assert page.status_code == 200
    fields = {"password": "a good long password", "password_confirm": "a good long password"}
    assert shop.post(client, path[1], fields, via=path[1]).status_code == 302
    shop.login(client, "new@1001.test", "a good long password")
    assert _link(db_session, "new@1001.test").role.name == "buyer"
    assert client.get(path[1]).status_code == 410  # single use
    audit = db_session.scalars(select(AuditEntry.action)).all()
    assert {"user.invite", "invitation.accept"} <= set(audit)


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("punchout", 403),  # holds punchout:cart:transfer, which the superuser lacks
        ("customer_service", 403),  # a staff role
        ("no-such-role", 400),
    ],
)
def test_roles_beyond_the_superusers_rights_are_refused(
    superuser: FlaskClient, db_session: Session, role: str, status: int
) -> None:
    members = _count(db_session, Membership)
    response = _post(superuser, "/account/users", {"email": "esc@1001.test", "role": role})
    assert response.status_code == status
    assert _count(db_session, Membership) == members
    response = _post(
        superuser,
        f"/account/users/{user_named(db_session, 'buyer@1001.demo').id}",
        {"role": role},
    )
    assert response.status_code == status
    assert _link(db_session, "buyer@1001.demo").role.name == "buyer"


def test_a_role_with_an_internal_right_is_never_assignable(
    superuser: FlaskClient, db_session: Session
) -> None:
    db_session.add(
        Role(
            name="sneaky", kind="customer", permissions=["shop:catalog:read", "assist:impersonate"]
        )
    )
    db_session.commit()
    buyer = user_named(db_session, "buyer@1001.demo")
    response = _post(superuser, f"/account/users/{buyer.id}", {"role": "sneaky"})
    assert response.status_code == 403
    assert _link(db_session, "buyer@1001.demo").role.name == "buyer"


def test_a_user_manager_without_approval_rights_cannot_make_superusers(
    app: Flask, db_session: Session
) -> None:
    db_session.add(
        Role(
            name="user-admin",
            kind="customer",
            permissions=["account:user:write", "shop:catalog:read", "shop:price:read"],
        )
    )
    db_session.flush()
    make_user(db_session, "useradmin@1001.test", role="user-admin")
    db_session.commit()
    manager = _client(app, "useradmin@1001.test")
    buyer = user_named(db_session, "buyer@1001.demo")
    response = _post(manager, f"/account/users/{buyer.id}", {"role": "superuser"})
    assert response.status_code == 403
    # Nor may they edit a user who is stronger than they are.
    superuser = user_named(db_session, "superuser@1001.demo")
    response = _post(manager, f"/account/users/{superuser.id}/deactivate", {})
    assert response.status_code == 403
    assert _link(db_session, "superuser@1001.demo").active
    assert _link(db_session, "buyer@1001.demo").role.name == "buyer"


def test_users_of_another_customer_are_not_found(
    superuser: FlaskClient, db_session: Session
) -> None:
    other = user_named(db_session, "buyer@1002.demo")
    assert superuser.get(f"/account/users/{other.id}").status_code == 404
    for url, data in (
        (f"/account/users/{other.id}", {"name": "Hacked", "role": "viewer"}),
        (f"/account/users/{other.id}/deactivate", {}),
        (f"/account/users/{other.id}/catalogs", {"catalog": "1"}),
        (f"/account/users/{other.id}/supervisors", {}),
    ):
        assert _post(superuser, url, data).status_code == 404, url
    link = _link(db_session, "buyer@1002.demo", "1002")
    assert (link.role.name, link.active, link.user.name) == ("buyer", True, "Bob Buyer (1002)")


def test_forged_fields_are_ignored(superuser: FlaskClient, db_session: Session) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    budgets_before = _count(db_session, Budget)
    response = _post(
        superuser,
        f"/account/users/{buyer.id}",
        {
            "role": "viewer",
            "is_admin": "1",
            "organisation_id": str(customer(db_session, "1002").id),
            "budget_limit": "1",
            "active": "0",
        },
    )
    assert response.status_code == 302
    link = _link(db_session, "buyer@1001.demo")
    assert (link.role.name, link.active) == ("viewer", True)
    assert link.organisation_id == customer(db_session).id
    assert _count(db_session, Budget) == budgets_before
    assert (
        db_session.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == buyer.id)
        )
        == 1
    )


def test_a_role_change_applies_at_once(
    app: Flask, superuser: FlaskClient, db_session: Session
) -> None:
    buyer_client = _client(app, "buyer@1001.demo")
    assert buyer_client.get("/checkout").status_code == 200
    buyer = user_named(db_session, "buyer@1001.demo")
    assert (
        _post(superuser, f"/account/users/{buyer.id}", {"name": "", "role": "viewer"}).status_code
        == 302
    )
    assert buyer_client.get("/checkout").status_code == 403


def test_deactivation_is_per_customer(app: Flask, db_session: Session) -> None:
    multi = user_named(db_session, "multi@demo.test")
    multi_client = _client(app, "multi@demo.test")  # acting for 1001
    assert multi_client.get("/checkout").status_code == 200
    superuser = _client(app, "superuser@1001.demo")
    assert _post(superuser, f"/account/users/{multi.id}/deactivate", {}).status_code == 302
    assert not _link(db_session, "multi@demo.test").active
    assert _link(db_session, "multi@demo.test", "1002").active
    assert multi_client.get("/checkout").status_code == 403  # the running session loses its rights
    fresh = app.test_client()
    shop.login(fresh, "multi@demo.test")
    assert 'data-customer="1002"' in fresh.get("/catalog").text  # still works for 1002
    assert _post(superuser, f"/account/users/{multi.id}/reactivate", {}).status_code == 302
    assert _link(db_session, "multi@demo.test").active


def test_a_superuser_cannot_deactivate_or_demote_themselves(
    superuser: FlaskClient, db_session: Session
) -> None:
    me = user_named(db_session, "superuser@1001.demo")
    response = _post(superuser, f"/account/users/{me.id}/deactivate", {})
    assert response.status_code == 400
    response = _post(superuser, f"/account/users/{me.id}", {"name": "", "role": "viewer"})
    assert response.status_code == 400
    link = _link(db_session, "superuser@1001.demo")
    assert (link.active, link.role.name) == (True, "superuser")


def test_catalogs_of_the_customer_only(superuser: FlaskClient, db_session: Session) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    specials = db_session.scalars(select(Catalog).where(Catalog.name == "1001 specials")).one()
    foreign = Catalog(name="Not for 1001", public=False)
    db_session.add(foreign)
    db_session.commit()
    url = f"/account/users/{buyer.id}/catalogs"
    assert _post(superuser, url, {"catalog": str(foreign.id)}).status_code == 404
    assert _count(db_session, membership_catalog) == 0
    assert _post(superuser, url, {"catalog": str(specials.id)}).status_code == 302
    link = _link(db_session, "buyer@1001.demo")
    assert db_session.scalars(
        select(membership_catalog.c.catalog_id).where(membership_catalog.c.membership_id == link.id)
    ).all() == [specials.id]


def test_supervisors_are_colleagues(superuser: FlaskClient, db_session: Session) -> None:
    requester = user_named(db_session, "requester@1001.demo")
    url = f"/account/users/{requester.id}/supervisors"
    outsider = user_named(db_session, "buyer@1002.demo")
    assert _post(superuser, url, {"supervisor": str(outsider.id)}).status_code == 404
    assert _post(superuser, url, {"supervisor": str(requester.id)}).status_code == 400
    assert _count(db_session, Supervision) == 0
    colleague = user_named(db_session, "buyer@1001.demo")
    assert _post(superuser, url, {"supervisor": str(colleague.id)}).status_code == 302
    assert db_session.scalars(select(Supervision.supervisor_id)).all() == [colleague.id]


def test_budgets_are_defined_for_the_customers_users(
    superuser: FlaskClient, db_session: Session
) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    form = {
        "name": "Quarterly",
        "user": str(buyer.id),
        "period_amount": "1250,50",
        "max_order_amount": "",
        "period": "quarter",
        "policy": "block",
        "fiscal_start_month": "1",
    }
    assert _post(superuser, "/account/budgets", form).status_code == 302
    budget = db_session.scalars(select(Budget).where(Budget.name == "Quarterly")).one()
    assert (budget.user_id, str(budget.period_amount), budget.period, budget.policy) == (
        buyer.id,
        "1250.5",
        "quarter",
        "block",
    )
    assert budget.currency == "EUR"
    assert f'data-budget-id="{budget.id}"' in superuser.get("/account/budgets").text
    assert db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == f"budget {budget.id}")
    ).all() == ["budget.create"]


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"period_amount": "-5"}, 400, "cannot be negative"),
        ({"max_order_amount": "-0.01"}, 400, "cannot be negative"),
        ({"period_amount": "ten"}, 400, "is not an amount"),
        ({"period": "fortnight"}, 400, "Unknown budget period"),
        ({"policy": "warn"}, 400, "Unknown budget policy"),
        ({"fiscal_start_month": "13"}, 400, "month 1 to 12"),
        ({"user": "other-customer"}, 404, "Not found"),
    ],
)
def test_bad_budgets_are_refused_and_change_nothing(
    superuser: FlaskClient,
    db_session: Session,
    changes: dict[str, str],
    status: int,
    message: str,
) -> None:
    if changes.get("user") == "other-customer":
        changes = {"user": str(user_named(db_session, "buyer@1002.demo").id)}
    before = _count(db_session, Budget)
    form = {"name": "Bad", "period_amount": "100", "period": "month", "policy": "block"}
    response = _post(superuser, "/account/budgets", {**form, **changes})
    assert response.status_code == status
    assert message in response.text
    assert _count(db_session, Budget) == before


def test_budgets_of_another_customer_are_not_found(
    superuser: FlaskClient, db_session: Session
) -> None:
    other = make_budget(db_session, user=None, number="1002", period_amount="100", name="Theirs")
    db_session.commit()
    form = {"name": "Mine now", "period_amount": "1", "period": "month", "policy": "block"}
    assert _post(superuser, f"/account/budgets/{other.id}", form).status_code == 404
    db_session.expire_all()
    assert (other.name, other.period_amount, other.organisation_id) == (
        "Theirs",
        100,
        customer(db_session, "1002").id,
    )
    assert f'data-budget-id="{other.id}"' not in superuser.get("/account/budgets").text


def test_a_buyer_sees_their_budget_but_cannot_change_it(app: Flask, db_session: Session) -> None:
    limited = _client(app, "limited@1001.demo")
    page = limited.get("/account/budgets").text
    assert "Monthly office budget" in page
    assert "budget-form" not in page
    budget = db_session.scalars(select(Budget).where(Budget.name == "Monthly office budget")).one()
    form = {"name": "x", "period_amount": "100000", "period": "month", "policy": "block"}
    assert _post(limited, f"/account/budgets/{budget.id}", form).status_code == 403
    db_session.refresh(budget)
    assert budget.period_amount == 500


def test_organisation_data_changes_are_audited(superuser: FlaskClient, db_session: Session) -> None:
    form = {
        "name": "Acme Municipality (renamed)",
        "vat_number": "NL001234567B02",
        "street": "Postbus 200",
        "postcode": "3500 AB",
        "city": "Utrecht",
        "country": "nl",
        "number": "9999",
        "organisation_id": str(customer(db_session, "1002").id),
    }
    assert _post(superuser, "/account/organisation", form).status_code == 302
    organisation = customer(db_session)
    db_session.refresh(organisation)
    assert (organisation.name, organisation.vat_number, organisation.number) == (
        "Acme Municipality (renamed)",
        "NL001234567B02",
        "1001",
    )
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "organisation.edit")
    ).one()
    assert entry.changes["vat_number"] == ["NL001234567B01", "NL001234567B02"]
    assert entry.changes["street"] == ["Postbus 100", "Postbus 200"]
    assert entry.actor_id == user_named(db_session, "superuser@1001.demo").id
    assert "organisation.edit" in superuser.get("/account/organisation").text
    other = db_session.get_one(Organisation, customer(db_session, "1002").id)
    assert other.name == "Globex Industries"


def test_an_organisation_without_a_name_is_refused(
    superuser: FlaskClient, db_session: Session
) -> None:
    response = _post(superuser, "/account/organisation", {"name": " ", "vat_number": "X"})
    assert response.status_code == 400
    assert "needs a name" in response.text
    organisation = customer(db_session)
    db_session.refresh(organisation)
    assert (organisation.name, organisation.vat_number) == ("Acme Municipality", "NL001234567B01")
    assert _count(db_session, AuditEntry) == 0


def _delivery(session: Session, number: str) -> Address:
    return session.scalars(
        select(Address)
        .where(Address.organisation_id == customer(session, number).id, Address.kind == "delivery")
        .order_by(Address.id)
    ).first()


ADDRESS = {
    "name": "Acme, Depot",
    "street": "Havenweg 3",
    "postcode": "3500 CC",
    "city": "Utrecht",
    "country": "nl",
}


def test_delivery_addresses_are_added_and_edited_with_an_audit_trail(
    superuser: FlaskClient, db_session: Session
) -> None:
    assert _post(superuser, "/account/addresses", ADDRESS).status_code == 302
    added = db_session.scalars(select(Address).where(Address.street == "Havenweg 3")).one()
    assert (added.organisation_id, added.kind, added.country) == (
        customer(db_session).id,
        "delivery",
        "NL",
    )
    head_office = _delivery(db_session, "1001")
    changed = {**ADDRESS, "name": head_office.name, "street": "Stationsplein 2"}
    assert _post(superuser, f"/account/addresses/{head_office.id}", changed).status_code == 302
    db_session.refresh(head_office)
    assert head_office.street == "Stationsplein 2"
    entry = db_session.scalars(select(AuditEntry).where(AuditEntry.action == "address.edit")).one()
    assert entry.changes["street"] == ["Stationsplein 1", "Stationsplein 2"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"street": " "}, "Fill in"), ({"country": "Netherlands"}, "two-letter code")],
)
def test_incomplete_addresses_are_refused(
    superuser: FlaskClient, db_session: Session, changes: dict[str, str], message: str
) -> None:
    before = _count(db_session, Address)
    response = _post(superuser, "/account/addresses", {**ADDRESS, **changes})
    assert response.status_code == 400
    assert message in response.text
    assert _count(db_session, Address) == before


def test_another_customers_address_is_not_found(
    superuser: FlaskClient, db_session: Session
) -> None:
    theirs = _delivery(db_session, "1002")
    street = theirs.street
    assert _post(superuser, f"/account/addresses/{theirs.id}", ADDRESS).status_code == 404
    db_session.refresh(theirs)
    assert theirs.street == street
    assert _count(db_session, AuditEntry) == 0
