"""Roles per customer (issue 17): the role editor at /account/roles, the templates at
/admin/roles, the user and invitation forms, the "by catalog" approval rule and the checkout
preview. Every refusal is tested on real objects of a second customer."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.policy import Actor
from gateway.errors import InvalidInput, NotFound
from gateway.models import AuditEntry, Catalog, Membership, Order, Role
from gateway.services.people import customers, roles
from gateway.services.people.roles import RoleData
from tests import shop
from tests.conftest import ENCRYPTION_KEY
from tests.factories import actor_of, customer, make_user, user_named
from tests.integration.test_approvals import _client, _fill_cart, _place

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
BUYER_RIGHTS = ["shop:budget:read", "shop:cart:write", "shop:catalog:read", "shop:order:place"]


def _role(session: Session, name: str, number: str = "1001") -> Role:
    session.expire_all()
    return session.scalars(
        select(Role).where(Role.organisation_id == customer(session, number).id, Role.name == name)
    ).one()


def _superuser(session: Session, number: str = "1001") -> Actor:
    return actor_of(session, user_named(session, f"superuser@{number}.demo"), number)


def _post(client: FlaskClient, url: str, data: dict[str, object]) -> object:
    return shop.post(client, url, data, via="/catalog")


def _role_form(name: str, **fields: object) -> dict[str, object]:
    return {"name": name, "permission": [*BUYER_RIGHTS, "shop:price:read"], **fields}


# Copies and templates ---------------------------------------------------------------------------


def test_every_customer_holds_its_own_copies_and_its_users_hold_them(db_session: Session) -> None:
    for number in ("1001", "1002"):
        organisation = customer(db_session, number)
        names = set(
            db_session.scalars(select(Role.name).where(Role.organisation_id == organisation.id))
        )
        assert {"superuser", "buyer", "requester", "punchout", "viewer"} <= names
        assert not {"admin", "customer_service", "sales_agent"} & names  # staff roles stay global
        links = db_session.scalars(
            select(Membership).where(Membership.organisation_id == organisation.id)
        ).all()
        assert links
        assert all(link.role.organisation_id == organisation.id for link in links)


def test_a_new_customer_starts_with_copies_of_the_templates(db_session: Session) -> None:
    admin = actor_of(db_session, user_named(db_session, "admin@supplier.demo"), "SUPPLIER")
    template = roles.customer_role(db_session, organisation_id=-1, name="buyer")
    assert template.organisation_id is None
    roles.save_template(
        db_session,
        actor=admin,
        role_id=template.id,
        data=RoleData(name="buyer", permissions=frozenset(BUYER_RIGHTS), max_order_value=None),
        now=NOW,
    )
    organisation = customers.create_customer(
        db_session,
        actor=admin,
        data=customers.CustomerData(
            name="Initech",
            coc_number="99887766",
            vat_number="",
            street="Main 1",
            postcode="1000 AA",
            city="Amsterdam",
            country="NL",
            contact_name="Ina",
            contact_email="ina@initech.test",
        ),
        now=NOW,
        allow_impersonation=True,
        invitation_ttl=3600,
        mail_key=ENCRYPTION_KEY,
    )
    copies = {
        role.name: role
        for role in db_session.scalars(select(Role).where(Role.organisation_id == organisation.id))
    }
    assert copies["buyer"].permissions == sorted(BUYER_RIGHTS)  # the template as changed
    assert copies["buyer"].id != template.id
    link = db_session.scalars(
        select(Membership).where(Membership.organisation_id == organisation.id)
    ).one()
    assert link.role.id == copies["superuser"].id
    assert "account:role:write" in link.role.permissions


def test_the_admin_edits_templates_and_customers_cannot(app: Flask, db_session: Session) -> None:
    admin = _client(app, "admin@supplier.demo")
    page = admin.get("/admin/roles")
    assert page.status_code == 200
    assert 'data-template="buyer"' in page.text
    assert 'data-template="admin"' not in page.text  # staff roles are not templates
    template = roles.customer_role(db_session, organisation_id=-1, name="viewer")
    response = _post(
        admin,
        f"/admin/roles/{template.id}",
        {"name": "viewer", "permission": ["shop:catalog:read"], "max_order_value": "99"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert template.permissions == ["shop:catalog:read"]
    assert template.max_order_value == Decimal(99)
    assert _role(db_session, "viewer").permissions != ["shop:catalog:read"]  # copies stay
    refused = _post(
        admin,
        f"/admin/roles/{template.id}",
        {"name": "viewer", "permission": ["shop:catalog:read", "admin:partner:write"]},
    )
    assert refused.status_code == 400
    assert "Staff rights cannot be given" in refused.text
    own_copy = _role(db_session, "viewer")
    assert _post(admin, f"/admin/roles/{own_copy.id}", {"name": "x"}).status_code == 404
    superuser = _client(app, "superuser@1001.demo")
    assert superuser.get("/admin/roles").status_code == 403
    assert _post(superuser, f"/admin/roles/{template.id}", {"name": "x"}).status_code == 403


# The role editor --------------------------------------------------------------------------------


def test_a_superuser_creates_edits_and_deletes_a_role_with_its_history(
    app: Flask, db_session: Session
) -> None:
    client = _client(app, "superuser@1001.demo")
    page = client.get("/account/roles").text
    assert 'data-role-name="Inkoper tot 250"' in page
    assert 'value="assist:impersonate"' not in page  # staff rights are never offered
    assert 'value="shop:order:approve"' in page
    response = _post(client, "/account/roles", _role_form("Teamlead", max_order_value="1000,50"))
    assert response.status_code == 302
    role = _role(db_session, "Teamlead")
    assert role.max_order_value == Decimal("1000.50")
    assert role.min_order_value is None
    assert not role.requires_approval
    catalog = db_session.scalars(select(Catalog).where(Catalog.name == "1001 specials")).one()
    response = _post(
        client,
        f"/account/roles/{role.id}",
        _role_form(
            "Team lead",
            min_order_value="10",
            max_order_value="",
            needs_approval="yes",
            approval_catalogs=[str(catalog.id)],
        ),
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert role.name == "Team lead"
    assert role.min_order_value == Decimal(10)
    assert role.max_order_value is None
    assert role.requires_approval
    assert [c.name for c in role.approval_catalogs] == ["1001 specials"]
    edit = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "role.edit").order_by(AuditEntry.id.desc())
    ).first()
    assert edit is not None
    assert edit.organisation_id == customer(db_session).id
    assert edit.changes["name"] == ["Teamlead", "Team lead"]
    assert edit.changes["max_order_value"] == ["1000.50", None]
    assert edit.changes["needs_approval"] == ["no", "yes"]
    assert edit.changes["approval_catalogs"] == ["", "1001 specials"]
    history = client.get("/account/organisation").text
    assert 'data-audit-action="role.edit"' in history
    assert 'data-audit-action="role.create"' in history
    role_id = role.id
    assert _post(client, f"/account/roles/{role_id}/delete", {}).status_code == 302
    db_session.expire_all()
    assert db_session.scalar(select(Role.id).where(Role.id == role_id)) is None
    assert db_session.scalars(select(AuditEntry).where(AuditEntry.action == "role.delete")).one()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"permission": ["shop:catalog:read", "assist:impersonate"]}, "Staff rights cannot"),
        ({"permission": ["admin:role:write"]}, "Staff rights cannot"),
        ({"permission": ["shop:everything:write"]}, "Unknown right"),
        ({"permission": ["punchout:cart:transfer"]}, "rights you hold yourself"),
        ({"min_order_value": "300", "max_order_value": "200"}, "minimum order value is above"),
        ({"max_order_value": "-5"}, "cannot be negative"),
        ({"max_order_value": "lots"}, "is not an amount"),
        ({"name": "  "}, "Enter the role"),
        ({"name": "buyer"}, "There is a role named 'buyer' already"),
    ],
)
def test_the_editor_refuses_with_a_clear_message(
    app: Flask, db_session: Session, fields: dict[str, object], message: str
) -> None:
    client = _client(app, "superuser@1001.demo")
    before = db_session.scalars(select(Role.id).order_by(Role.id)).all()
    response = _post(client, "/account/roles", {**_role_form("New"), **fields})
    assert response.status_code == 400
    assert message in re.sub(r"&#3[49];", "'", response.text)
    db_session.expire_all()
    assert db_session.scalars(select(Role.id).order_by(Role.id)).all() == before


def test_a_name_is_unique_within_the_customer_only(db_session: Session) -> None:
    data = RoleData(name="Inkoper tot 250", permissions=frozenset(BUYER_RIGHTS))
    roles.save_role(
        db_session, actor=_superuser(db_session, "1002"), role_id=None, data=data, now=NOW
    )
    assert _role(db_session, data.name, "1002").id != _role(db_session, data.name).id
    with pytest.raises(InvalidInput, match="already"):
        roles.save_role(db_session, actor=_superuser(db_session), role_id=None, data=data, now=NOW)


def test_a_role_with_holders_cannot_be_deleted(app: Flask, db_session: Session) -> None:
    make_user(db_session, "second@1001.test", role="Inkoper tot 250")
    db_session.commit()
    role = _role(db_session, "Inkoper tot 250")
    client = _client(app, "superuser@1001.demo")
    response = _post(client, f"/account/roles/{role.id}/delete", {})
    assert response.status_code == 400
    assert "still has 2 holder(s)" in response.text
    assert _role(db_session, "Inkoper tot 250").id == role.id


def test_a_superuser_cannot_lock_themselves_out(db_session: Session) -> None:
    actor = _superuser(db_session)
    own = _role(db_session, "superuser")
    with pytest.raises(InvalidInput, match="You hold this role yourself"):
        roles.save_role(
            db_session,
            actor=actor,
            role_id=own.id,
            data=RoleData(
                name="superuser",
                permissions=frozenset(own.permissions) - {"account:role:write"},
            ),
            now=NOW,
        )


def test_a_buyer_has_no_role_editor(app: Flask) -> None:
    buyer = _client(app, "buyer@1001.demo")
    assert buyer.get("/account/roles").status_code == 403
    assert _post(buyer, "/account/roles", _role_form("Mine")).status_code == 403


# Another customer's roles -----------------------------------------------------------------------


def test_another_customers_role_is_not_found_anywhere(app: Flask, db_session: Session) -> None:
    foreign_role = _role(db_session, "Inkoper tot 250")  # customer 1001's
    other = _client(app, "superuser@1002.demo")
    assert 'data-role-name="Inkoper tot 250"' not in other.get("/account/roles").text
    assert other.get(f"/account/roles/{foreign_role.id}").status_code == 404
    assert _post(other, f"/account/roles/{foreign_role.id}", _role_form("Taken")).status_code == 404
    assert _post(other, f"/account/roles/{foreign_role.id}/delete", {}).status_code == 404
    template = roles.customer_role(db_session, organisation_id=-1, name="buyer")
    assert other.get(f"/account/roles/{template.id}").status_code == 404
    # The user form and the invitation form refuse the foreign role's id.
    buyer = user_named(db_session, "buyer@1002.demo")
    assert f'value="{foreign_role.id}"' not in other.get(f"/account/users/{buyer.id}").text
    response = _post(other, f"/account/users/{buyer.id}", {"role": str(foreign_role.id)})
    assert response.status_code == 404
    response = _post(
        other, "/account/users", {"email": "x@1002.test", "role": str(foreign_role.id)}
    )
    assert response.status_code == 404
    db_session.expire_all()
    link = db_session.scalars(
        select(Membership).where(
            Membership.user_id == buyer.id,
            Membership.organisation_id == customer(db_session, "1002").id,
        )
    ).one()
    assert link.role.name == "buyer"
    assert link.role.organisation_id == customer(db_session, "1002").id
    with pytest.raises(NotFound):
        roles.customer_role_by_id(
            db_session, actor=_superuser(db_session, "1002"), role_id=foreign_role.id
        )


def test_a_foreign_catalog_is_not_found_in_the_role_form(app: Flask, db_session: Session) -> None:
    specials = db_session.scalars(select(Catalog).where(Catalog.name == "1001 specials")).one()
    other = _client(app, "superuser@1002.demo")
    response = _post(
        other, "/account/roles", _role_form("Specials", approval_catalogs=[str(specials.id)])
    )
    assert response.status_code == 404


def test_the_user_page_offers_the_customers_roles_by_name(app: Flask, db_session: Session) -> None:
    client = _client(app, "superuser@1001.demo")
    buyer = user_named(db_session, "buyer@1001.demo")
    page = client.get(f"/account/users/{buyer.id}").text
    own = _role(db_session, "Inkoper tot 250")
    assert f'<option value="{own.id}">Inkoper tot 250</option>' in page
    assert f'value="{_role(db_session, "buyer", "1002").id}"' not in page
    assert (
        'value="{}"'.format(_role(db_session, "Inkoper tot 250").id)
        in client.get("/account/users").text
    )  # the invitation form too
    assert _post(client, f"/account/users/{buyer.id}", {"role": str(own.id)}).status_code == 302
    db_session.expire_all()
    link = db_session.scalars(
        select(Membership).where(
            Membership.user_id == buyer.id, Membership.organisation_id == customer(db_session).id
        )
    ).one()
    assert link.role_id == own.id


# Checkout: the preview, the limits and the catalog rule -----------------------------------------


def test_a_change_reaches_the_holder_at_the_next_request_and_checkout_shows_it(
    app: Flask, db_session: Session
) -> None:
    holder = _client(app, "inkoper@1001.demo")
    _fill_cart(holder, ("DEMO-0081", "1"))
    page = holder.get("/checkout").text
    assert 'data-checkout-verdict="ok"' in page
    assert "data-within-limits" in page
    _fill_cart(holder, ("DEMO-0081", "19"))  # 20 pieces: above 250
    page = holder.get("/checkout").text
    assert 'data-checkout-verdict="blocked"' in page
    assert "maximum order value is EUR 250.00" in page
    assert re.search(r'<button type="submit" class="primary" disabled', page)
    assert _place(holder).status_code == 400
    assert not db_session.scalars(select(Order)).first()
    # The superuser raises the maximum: the holder's next page knows it.
    superuser = _client(app, "superuser@1001.demo")
    role = _role(db_session, "Inkoper tot 250")
    assert (
        _post(
            superuser, f"/account/roles/{role.id}", _role_form(role.name, max_order_value="5000")
        ).status_code
        == 302
    )
    page = holder.get("/checkout").text
    assert 'data-checkout-verdict="ok"' in page
    assert _place(holder).status_code == 302


def test_a_role_that_needs_approval_says_why_before_placing(app: Flask) -> None:
    requester = _client(app, "requester@1001.demo")
    _fill_cart(requester, ("DEMO-0081", "1"))
    page = requester.get("/checkout").text
    assert 'data-checkout-verdict="approval"' in page
    assert "Your role needs approval for every order." in page
    assert 'class="warning"' in page
    assert not re.search(r'class="primary" disabled', page)


def test_products_of_an_approval_catalog_need_approval_naming_the_catalog(
    app: Flask, db_session: Session
) -> None:
    specials = db_session.scalars(select(Catalog).where(Catalog.name == "1001 specials")).one()
    role = _role(db_session, "Inkoper tot 250")
    roles.save_role(
        db_session,
        actor=_superuser(db_session),
        role_id=role.id,
        data=RoleData(
            name=role.name,
            permissions=frozenset(role.permissions),
            max_order_value=role.max_order_value,
            approval_catalog_ids=frozenset({specials.id}),
        ),
        now=NOW,
    )
    db_session.commit()
    holder = _client(app, "inkoper@1001.demo")
    _fill_cart(holder, ("DEMO-0081", "1"))
    assert 'data-checkout-verdict="ok"' in holder.get("/checkout").text  # not of the catalog
    _fill_cart(holder, ("ACME-0001", "1"))
    page = holder.get("/checkout").text
    assert 'data-checkout-verdict="approval"' in page
    reason = "Your role needs approval for products of the catalog '1001 specials'."
    assert "Your role needs approval for products of the catalog “1001 specials”." in page
    assert _place(holder).status_code == 302
    order = db_session.scalars(select(Order)).one()
    assert order.status == "pending_approval"
    assert order.approval_reasons == [reason]


def test_a_block_budget_blocks_in_the_preview(app: Flask, db_session: Session) -> None:
    limited = _client(app, "limited@1001.demo")  # 500 a month, policy block
    _fill_cart(limited, ("DEMO-0081", "30"))
    page = limited.get("/checkout").text
    assert 'data-checkout-verdict="blocked"' in page
    assert "Monthly office budget" in page.replace("&#39;", "'")
    assert re.search(r'class="primary" disabled', page)


@pytest.mark.parametrize("value", ["9" * 400, "\u00b2", "\u0663\u0663", "0", ""])
def test_a_nonsense_role_value_is_an_unknown_role(
    app: Flask, db_session: Session, value: str
) -> None:
    client = _client(app, "superuser@1001.demo")
    buyer = user_named(db_session, "buyer@1001.demo")
    response = _post(client, f"/account/users/{buyer.id}", {"role": value})
    assert response.status_code == 400
    assert "Unknown role" in response.text
