"""Staff roles (issue 5): customer pages, shopping as a customer, agents, admins, the audit log.

Every refusal asserts the answer, that nothing changed and, where it matters, the audit row.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.models import (
    AgentAssignment,
    AuditEntry,
    Cart,
    Invitation,
    Membership,
    Order,
    Organisation,
    ShopSession,
    TradingPartner,
)
from gateway.services.demo import seed_demo
from gateway.services.people.users import role_named
from tests import shop
from tests.conftest import DIGEST_KEY
from tests.factories import customer, make_budget, user_named
from tests.mail import Inbox, deliver_mail, text_of

SERVICE = "service@supplier.demo"
AGENT = "agent@supplier.demo"
AGENT2 = "agent2@supplier.demo"
ADMIN = "admin@supplier.demo"
PROSPECT = {
    "name": "Initech B.V.",
    "coc_number": "55554444",
    "vat_number": "NL555544440B01",
    "street": "Stationsplein 1",
    "postcode": "3511 ED",
    "city": "Utrecht",
    "country": "NL",
    "contact_name": "Peter Gibbons",
    "contact_email": "peter@initech.test",
}


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    shop.login(client, email)
    return client


def _count(session: Session, model: type, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _audit(session: Session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )


def _impersonate(
    client: FlaskClient, number: str, on_behalf_of: str, reason: str = "phoned for advice", **more
):
    return shop.post(
        client,
        f"/staff/customers/{number}/impersonate",
        {"on_behalf_of": on_behalf_of, "reason": reason, **more},
    )


def _open_sessions(session: Session) -> int:
    session.expire_all()
    return _count(
        session,
        ShopSession,
        ShopSession.acting_staff_id.is_not(None),
        ShopSession.ended_at.is_(None),
    )


@pytest.fixture
def service(app: Flask) -> FlaskClient:
    return _client(app, SERVICE)


@pytest.fixture
def assisting(service: FlaskClient, db_session: Session) -> FlaskClient:
    """Customer service shopping as buyer@1001.demo."""
    buyer = user_named(db_session, "buyer@1001.demo")
    response = _impersonate(service, "1001", str(buyer.id))
    assert response.status_code == 302, response.text
    return service


# Customer service sees every customer


def test_customer_service_finds_customers_by_name_number_and_user_email(
    service: FlaskClient,
) -> None:
    for query, expected in (("acme", "1001"), ("1002", "1002"), ("bob", None)):
        page = service.get("/staff/customers", query_string={"q": query})
        assert page.status_code == 200
        if expected:
            assert f'data-customer-row="{expected}"' in page.text
    page = service.get("/staff/customers", query_string={"q": "buyer@1002.demo"})
    assert 'data-customer-row="1002"' in page.text
    assert 'data-customer-row="1001"' not in page.text
    assert 'data-customer-row="SUPPLIER"' not in service.get("/staff/customers").text


def test_the_customer_page_shows_its_prices_users_budgets_and_orders(
    service: FlaskClient, db_session: Session
) -> None:
    first = customer(db_session)
    make_budget(db_session, user=None, period_amount="900.00", name="Whole-customer budget")
    db_session.add(
        Order(
            number="CX-77",
            organisation_id=first.id,
            source="cxml",
            status="received",
            currency="EUR",
            net_total=Decimal("12.00"),
        )
    )
    db_session.commit()
    page = service.get("/staff/customers/1001")
    assert page.status_code == 200
    assert "buyer@1001.demo" in page.text
    assert "Whole-customer budget" in page.text
    assert 'data-order-number="CX-77" data-source="cxml"' in page.text
    # The customer's contract price (90 % of the list price), not the list price, both as
    # amounts people read (`€0.85`, never `EUR 0.85`).
    match = re.search(
        r'data-sku="DEMO-0001">.*?<td>€([\d.]+)</td><td data-customer-price="([\d.]+)">€[\d.]+<',
        page.text,
    )
    assert match is not None
    assert Decimal(match.group(2)) < Decimal(match.group(1))
    assert "EUR " not in page.text


def test_customer_users_cannot_open_staff_pages(app: Flask) -> None:
    superuser = _client(app, "superuser@1001.demo")
    assert superuser.get("/staff/customers").status_code == 403
    assert superuser.get("/staff/customers/1001").status_code == 403
    assert superuser.get("/staff/audit").status_code == 403


# Shopping as a customer


def test_customer_service_shops_as_a_user_and_the_order_names_both(
    app: Flask, assisting: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    staff = user_named(db_session, SERVICE)
    buyer = user_named(db_session, "buyer@1001.demo")
    start = _audit(db_session, "impersonation.start")[-1]
    assert (start.actor_id, start.on_behalf_of_id, start.note) == (
        staff.id,
        buyer.id,
        "phoned for advice",
    )
    assert start.organisation_id == customer(db_session).id
    assert start.client_address == "127.0.0.1"
    catalog = assisting.get("/catalog")
    assert f'data-acting-staff="{SERVICE}"' in catalog.text
    assert 'data-subject="buyer@1001.demo"' in catalog.text
    assert f'data-acting-staff="{SERVICE}"' in assisting.get("/cart").text
    assert (
        shop.post(assisting, "/cart/items", {"sku": "DEMO-0001", "quantity": "3"}).status_code
        == 302
    )
    page = assisting.get("/checkout")
    response = assisting.post("/checkout", data=shop.form_values(page.text, "cart_digest"))
    assert response.status_code == 302, response.text
    db_session.expire_all()
    order = db_session.scalars(select(Order).where(Order.source == "shop")).one()
    assert (order.user_id, order.placed_by_id) == (buyer.id, staff.id)
    deliver_mail(app, inbox.port)
    confirmation = inbox.messages[-1]
    assert confirmation["To"] == "buyer@1001.demo"
    assert "Placed on your behalf by Cees Service" in text_of(confirmation)
    shown = assisting.get(response.location)
    assert f'data-placed-by="{SERVICE}"' in shown.text
    assert 'data-ordered-for="buyer@1001.demo"' in shown.text
    changes = _audit(db_session, "impersonation.change")
    assert any("checkout" in entry.subject for entry in changes)
    assert all(
        entry.actor_id == staff.id and entry.on_behalf_of_id == buyer.id for entry in changes
    )
    # Ending restores a staff session (not the assisted one) and is audited.
    ended = shop.post(assisting, "/staff/session/end", {})
    assert ended.status_code == 302
    assert ended.location == "/staff/customers/1001"
    assert _open_sessions(db_session) == 0
    assert _audit(db_session, "impersonation.end")[-1].actor_id == staff.id
    page = assisting.get("/staff/customers")
    assert page.status_code == 200
    assert "data-acting-staff" not in page.text


def test_a_user_who_orders_themself_is_named_as_placing_it(app: Flask, db_session: Session) -> None:
    buyer = _client(app, "buyer@1001.demo")
    shop.post(buyer, "/cart/items", {"sku": "DEMO-0001", "quantity": "1"})
    page = buyer.get("/checkout")
    # A forged on_behalf_of field is ignored: the order is the buyer's own.
    other = user_named(db_session, "limited@1001.demo")
    data = {**shop.form_values(page.text, "cart_digest"), "on_behalf_of": str(other.id)}
    response = buyer.post("/checkout", data=data)
    assert response.status_code == 302
    order = db_session.scalars(select(Order).where(Order.source == "shop")).one()
    me = user_named(db_session, "buyer@1001.demo")
    assert (order.user_id, order.placed_by_id) == (me.id, me.id)
    assert 'data-placed-by="buyer@1001.demo"' in buyer.get(response.location).text


def test_ordering_for_the_customer_directly(service: FlaskClient, db_session: Session) -> None:
    assert _impersonate(service, "1002", "").status_code == 302
    page = service.get("/catalog")
    assert f'data-acting-staff="{SERVICE}"' in page.text
    assert "data-subject" not in page.text
    start = _audit(db_session, "impersonation.start")[-1]
    assert start.on_behalf_of_id is None
    assert start.organisation_id == customer(db_session, "1002").id


def test_a_fresh_cart_by_default_and_the_saved_cart_only_when_asked(
    app: Flask, service: FlaskClient, db_session: Session
) -> None:
    buyer_client = _client(app, "buyer@1001.demo")
    shop.post(buyer_client, "/cart/items", {"sku": "DEMO-0002", "quantity": "4"})
    buyer = user_named(db_session, "buyer@1001.demo")
    assert _impersonate(service, "1001", str(buyer.id)).status_code == 302
    assert "DEMO-0002" not in service.get("/cart").text
    shop.post(service, "/staff/session/end", {})
    assert _impersonate(service, "1001", str(buyer.id), cart="saved").status_code == 302
    assert "DEMO-0002" in service.get("/cart").text


def test_forbidden_while_shopping_as_a_customer(
    app: Flask, service: FlaskClient, db_session: Session
) -> None:
    superuser = user_named(db_session, "superuser@1001.demo")
    assert _impersonate(service, "1001", str(superuser.id)).status_code == 302
    members = _count(db_session, Membership)
    role = db_session.scalar(select(Membership.role_id).where(Membership.user_id == superuser.id))
    attempts = [
        ("/account/users", {"email": "new@1001.test", "name": "New", "role": "buyer"}),
        (f"/account/users/{user_named(db_session, 'buyer@1001.demo').id}", {"role": "viewer"}),
        ("/approvals/1/approve", {}),
        ("/password/forgot", {"email": "superuser@1001.demo"}),
        ("/staff/customers/1002/impersonate", {"on_behalf_of": "", "reason": "again"}),
        ("/account/staff-access", {"allow": "no"}),
        (f"/account/punchout/{_demo_cxml(db_session).id}", {"match_shop_accounts": "yes"}),
    ]
    for url, data in attempts:
        assert shop.post(service, url, data).status_code == 403, url
    assert service.get("/account/users").status_code == 403
    assert service.get("/staff/customers").status_code == 403
    db_session.expire_all()
    assert _count(db_session, Membership) == members
    assert (
        db_session.scalar(select(Membership.role_id).where(Membership.user_id == superuser.id))
        == role
    )
    assert customer(db_session).allow_impersonation
    assert not _demo_cxml(db_session).match_shop_accounts
    assert _open_sessions(db_session) == 1
    refused = _audit(db_session, "impersonation.forbidden")
    assert len(refused) == len(attempts) + 2
    assert {entry.on_behalf_of_id for entry in refused} == {superuser.id}


def test_logging_out_ends_the_assisted_session(assisting: FlaskClient, db_session: Session) -> None:
    assert shop.post(assisting, "/logout", {}).status_code == 302
    assert _open_sessions(db_session) == 0
    assert len(_audit(db_session, "impersonation.logout")) == 1


@pytest.mark.parametrize("limit", ["idle", "absolute"])
def test_a_session_past_its_timeout_ends(
    app: Flask, assisting: FlaskClient, db_session: Session, limit: str
) -> None:
    assisted = db_session.scalars(
        select(ShopSession).where(ShopSession.acting_staff_id.is_not(None))
    ).one()
    if limit == "idle":
        seconds = app.config["GATEWAY_IMPERSONATION_IDLE_TIMEOUT"] + 1
        assisted.last_seen_at = assisted.last_seen_at - timedelta(seconds=seconds)
    else:
        seconds = app.config["GATEWAY_IMPERSONATION_MAX_AGE"] + 1
        assisted.created_at = assisted.created_at - timedelta(seconds=seconds)
    db_session.commit()
    response = assisting.get("/cart")
    assert response.status_code == 302
    assert "/login" in response.location
    assert _open_sessions(db_session) == 0
    assert len(_audit(db_session, "impersonation.timeout")) == 1
    carts = _count(db_session, Cart)
    assert (
        shop.post(assisting, "/cart/items", {"sku": "DEMO-0001", "quantity": "1"}).status_code
        == 302
    )
    assert _count(db_session, Cart) == carts  # nothing added as the customer


def test_customer_service_cannot_shop_as_a_staff_account(
    service: FlaskClient, db_session: Session
) -> None:
    admin = user_named(db_session, ADMIN)
    db_session.add(  # an admin who is also linked to a customer is still no subject
        Membership(
            user_id=admin.id,
            organisation=customer(db_session),
            role=role_named(db_session, "buyer"),
        )
    )
    db_session.commit()
    sessions = _count(db_session, ShopSession)
    response = _impersonate(service, "1001", str(admin.id))
    assert response.status_code == 403
    assert _count(db_session, ShopSession) == sessions
    refusal = _audit(db_session, "impersonation.refused")[-1]
    assert (refusal.subject, refusal.on_behalf_of_id) == ("staff subject", admin.id)
    assert "data-acting-staff" not in service.get("/staff/customers").text


def test_a_customer_that_forbids_it_cannot_be_shopped_as(
    app: Flask, service: FlaskClient, db_session: Session
) -> None:
    superuser = _client(app, "superuser@1001.demo")
    assert 'data-staff-access="allowed"' in superuser.get("/account/organisation").text
    assert shop.post(superuser, "/account/staff-access", {}).status_code == 302
    db_session.expire_all()
    assert not customer(db_session).allow_impersonation
    assert _audit(db_session, "customer.staff_access")[-1].changes == {
        "allow_impersonation": ["True", "False"]
    }
    sessions = _count(db_session, ShopSession)
    buyer = user_named(db_session, "buyer@1001.demo")
    response = _impersonate(service, "1001", str(buyer.id))
    assert response.status_code == 403
    assert _count(db_session, ShopSession) == sessions
    assert _audit(db_session, "impersonation.refused")[-1].subject == "customer forbids it"


def test_new_customers_allow_it_by_default_and_the_default_is_configurable(
    app: Flask, service: FlaskClient, db_session: Session
) -> None:
    app.config["GATEWAY_IMPERSONATION_DEFAULT"] = False
    assert shop.post(service, "/staff/customers", PROSPECT).status_code == 302
    created = db_session.scalars(
        select(Organisation).where(Organisation.coc_number == "55554444")
    ).one()
    assert created.allow_impersonation is False
    assert customer(db_session, "1002").allow_impersonation is True


@pytest.mark.parametrize("forged", ["buyer@1002.demo", "99999", "1 OR 1=1"])
def test_a_forged_on_behalf_of_is_not_found(
    service: FlaskClient, db_session: Session, forged: str
) -> None:
    value = str(user_named(db_session, forged).id) if "@" in forged else forged
    sessions = _count(db_session, ShopSession)
    response = _impersonate(service, "1001", value)
    assert response.status_code == 404
    assert _count(db_session, ShopSession) == sessions
    assert _audit(db_session, "impersonation.refused")[-1].subject.startswith(
        "not a user of this customer"
    )


def test_a_reason_is_required(service: FlaskClient, db_session: Session) -> None:
    sessions = _count(db_session, ShopSession)
    response = _impersonate(service, "1001", "", reason="  ")
    assert response.status_code == 400
    assert "Give the reason" in response.text
    assert _count(db_session, ShopSession) == sessions


# Sales agents


def test_an_agent_sees_and_shops_for_their_own_customers_only(
    app: Flask, db_session: Session
) -> None:
    agent = _client(app, AGENT)
    listing = agent.get("/staff/customers")
    assert 'data-customer-row="1001"' in listing.text
    assert 'data-customer-row="1002"' not in listing.text
    assert agent.get("/staff/customers/1001").status_code == 200
    assert agent.get("/staff/customers/1002").status_code == 404
    assert (
        agent.get("/staff/customers", query_string={"q": "globex"}).text.count("data-customer-row=")
        == 0
    )
    sessions = _count(db_session, ShopSession)
    buyer = user_named(db_session, "buyer@1002.demo")
    assert _impersonate(agent, "1002", str(buyer.id)).status_code == 404
    assert _impersonate(agent, "1002", "").status_code == 404
    assert shop.post(agent, "/staff/customers/1002/activate", {}).status_code == 404
    assert _count(db_session, ShopSession) == sessions
    denied = _audit(db_session, "staff.denied")
    assert len(denied) == 4
    assert {entry.actor_id for entry in denied} == {user_named(db_session, AGENT).id}
    assert {entry.organisation_id for entry in denied} == {customer(db_session, "1002").id}
    assert not _audit(db_session, "impersonation.start")
    assert _impersonate(agent, "1001", "").status_code == 302


def test_an_agent_registers_a_prospect_and_activates_it(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    agent = _client(app, AGENT)
    response = shop.post(agent, "/staff/prospects", PROSPECT)
    assert response.status_code == 302
    prospect = db_session.scalars(
        select(Organisation).where(Organisation.coc_number == "55554444")
    ).one()
    assert (prospect.status, prospect.active) == ("prospect", False)
    assert response.location == f"/staff/customers/{prospect.number}"
    me = user_named(db_session, AGENT)
    assert (
        _count(
            db_session,
            AgentAssignment,
            AgentAssignment.agent_id == me.id,
            AgentAssignment.organisation_id == prospect.id,
        )
        == 1
    )
    assert _count(db_session, Invitation, Invitation.organisation_id == prospect.id) == 0
    assert not inbox.messages
    # A prospect cannot be shopped for, and its contact cannot log in to order yet.
    assert _impersonate(agent, prospect.number, "").status_code == 400
    # Another agent does not even see it.
    other = _client(app, AGENT2)
    assert other.get(f"/staff/customers/{prospect.number}").status_code == 404
    assert shop.post(other, f"/staff/customers/{prospect.number}/activate", {}).status_code == 404
    db_session.expire_all()
    assert db_session.get(Organisation, prospect.id).status == "prospect"
    # Activation enables ordering and invites the first superuser.
    assert shop.post(agent, f"/staff/customers/{prospect.number}/activate", {}).status_code == 302
    db_session.expire_all()
    prospect = db_session.get(Organisation, prospect.id)
    assert (prospect.status, prospect.active) == ("active", True)
    assert not inbox.messages  # queued with the activation, sent by the outbox worker
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    assert inbox.messages[-1]["To"] == "peter@initech.test"
    assert inbox.messages[-1]["Subject"] == f"Your shop account for {prospect.name}"
    assert "http://shop.example/invitation/" in text_of(inbox.messages[-1])
    link = db_session.scalars(
        select(Membership).where(Membership.organisation_id == prospect.id)
    ).one()
    assert link.role.name == "superuser"
    assert [entry.action for entry in _audit(db_session, "customer.register")] == [
        "customer.register"
    ]
    assert len(_audit(db_session, "customer.activate")) == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [("coc_number", "12345678"), ("vat_number", "nl 0012.34.567.b01")],
)
def test_a_duplicate_registration_is_refused(
    app: Flask, db_session: Session, field: str, value: str
) -> None:
    assert (customer(db_session).coc_number, customer(db_session).vat_number) == (
        "12345678",
        "NL001234567B01",
    )
    organisations = _count(db_session, Organisation)
    agent = _client(app, AGENT)
    data = {**PROSPECT, "coc_number": "", "vat_number": "", field: value.replace(".", "")}
    response = shop.post(agent, "/staff/prospects", data)
    assert response.status_code == 400
    assert "Customer 1001 already has this" in response.text
    assert _count(db_session, Organisation) == organisations
    assert not _audit(db_session, "customer.register")


def test_customer_service_creates_a_customer_with_an_invited_superuser(
    app: Flask, service: FlaskClient, db_session: Session, inbox: Inbox
) -> None:
    response = shop.post(service, "/staff/customers", PROSPECT)
    assert response.status_code == 302
    created = db_session.scalars(
        select(Organisation).where(Organisation.coc_number == "55554444")
    ).one()
    assert (created.status, created.active) == ("active", True)
    deliver_mail(app, inbox.port)
    assert inbox.messages[-1]["To"] == "peter@initech.test"
    assert "http://shop.example/invitation/" in text_of(inbox.messages[-1])
    assert len(_audit(db_session, "customer.create")) == 1
    # Agents register prospects; they cannot create active customers directly.


def test_an_agent_cannot_create_an_active_customer(app: Flask, db_session: Session) -> None:
    organisations = _count(db_session, Organisation)
    agent = _client(app, AGENT)
    assert shop.post(agent, "/staff/customers", PROSPECT).status_code == 403
    assert _count(db_session, Organisation) == organisations


# Admins


def test_an_admin_adds_staff_assigns_customers_and_reads_the_audit_log(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    admin = _client(app, ADMIN)
    response = shop.post(
        admin,
        "/staff/accounts",
        {"email": "new.agent@supplier.test", "name": "N", "role": "sales_agent"},
    )
    assert response.status_code == 302
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    assert inbox.messages[-1]["To"] == "new.agent@supplier.test"
    assert inbox.messages[-1]["Subject"] == "Your staff account for the shop"
    assert "http://shop.example/invitation/" in text_of(inbox.messages[-1])
    assert (
        'data-staff="new.agent@supplier.test" data-role="sales_agent"'
        in admin.get("/staff/accounts").text
    )
    assert (
        shop.post(
            admin, "/staff/customers/1002/agents", {"agent": "new.agent@supplier.test"}
        ).status_code
        == 302
    )
    new_agent = user_named(db_session, "new.agent@supplier.test")
    assert (
        _count(
            db_session,
            AgentAssignment,
            AgentAssignment.agent_id == new_agent.id,
            AgentAssignment.organisation_id == customer(db_session, "1002").id,
        )
        == 1
    )
    log = admin.get("/staff/audit", query_string={"action": "staff."})
    assert 'data-audit-action="staff.role"' in log.text
    assert "customer.assign" not in log.text
    log = admin.get("/staff/audit", query_string={"customer": "1002"})
    assert 'data-audit-action="customer.assign"' in log.text


def test_an_admin_cannot_make_a_customer_user_staff_or_change_their_own_role(
    app: Flask, db_session: Session
) -> None:
    admin = _client(app, ADMIN)
    members = _count(db_session, Membership)
    response = shop.post(
        admin, "/staff/accounts", {"email": "buyer@1001.demo", "role": "customer_service"}
    )
    assert response.status_code == 400
    assert (
        shop.post(admin, "/staff/accounts", {"email": ADMIN, "role": "sales_agent"}).status_code
        == 403
    )
    assert (
        shop.post(
            admin, "/staff/accounts", {"email": "x@supplier.test", "role": "superuser"}
        ).status_code
        == 400
    )
    assert _count(db_session, Membership) == members


@pytest.mark.parametrize("email", [SERVICE, AGENT, "superuser@1001.demo"])
def test_only_admins_manage_staff_and_read_the_audit_log(
    app: Flask, db_session: Session, email: str
) -> None:
    client = _client(app, email)
    members = _count(db_session, Membership)
    assert client.get("/staff/audit").status_code == 403
    assert client.get("/staff/accounts").status_code == 403
    response = shop.post(client, "/staff/accounts", {"email": "me@x.test", "role": "admin"})
    assert response.status_code == 403
    assert shop.post(client, "/staff/customers/1002/agents", {"agent": AGENT}).status_code in (403,)
    assert _count(db_session, Membership) == members


def test_there_is_no_way_to_change_audit_rows(app: Flask) -> None:
    rules = [rule for rule in app.url_map.iter_rules() if "audit" in rule.rule]
    assert [rule.rule for rule in rules] == ["/staff/audit"]
    assert rules[0].methods == {"GET", "HEAD", "OPTIONS"}


def test_a_budget_changed_while_shopping_as_a_superuser_is_attributed_to_staff(
    service: FlaskClient, db_session: Session
) -> None:
    superuser = user_named(db_session, "superuser@1001.demo")
    assert _impersonate(service, "1001", str(superuser.id)).status_code == 302
    response = shop.post(
        service,
        "/account/budgets",
        {
            "name": "Set up by phone",
            "period_amount": "250.00",
            "period": "month",
            "policy": "block",
        },
    )
    assert response.status_code == 302, response.text
    entry = _audit(db_session, "budget.create")[-1]
    assert (entry.actor_id, entry.on_behalf_of_id) == (
        user_named(db_session, SERVICE).id,
        superuser.id,
    )
    assert any("budget" in change.subject for change in _audit(db_session, "impersonation.change"))


def test_a_deactivated_user_or_staff_member_has_no_rights_in_the_session(
    app: Flask, service: FlaskClient, db_session: Session
) -> None:
    buyer = user_named(db_session, "buyer@1001.demo")
    link = db_session.scalars(
        select(Membership).where(
            Membership.user_id == buyer.id, Membership.organisation_id == customer(db_session).id
        )
    ).one()
    link.active = False
    db_session.commit()
    assert _impersonate(service, "1001", str(buyer.id)).status_code == 404  # not a live user
    link.active = True
    db_session.commit()
    assert _impersonate(service, "1001", str(buyer.id)).status_code == 302
    carts = _count(db_session, Cart)
    staff = user_named(db_session, SERVICE)
    staff.active = False
    db_session.commit()
    response = shop.post(service, "/cart/items", {"sku": "DEMO-0001", "quantity": "1"})
    assert response.status_code == 403
    assert _count(db_session, Cart) == carts


def test_the_staff_demo_seed_is_idempotent_and_keeps_an_existing_admin(
    db_session: Session,
) -> None:
    admin = user_named(db_session, ADMIN)
    admin.password_hash = "kept"
    db_session.execute(  # as if another seed had created the account without the link
        Membership.__table__.delete().where(Membership.user_id == admin.id)
    )
    db_session.flush()
    memberships, assignments = _count(db_session, Membership), _count(db_session, AgentAssignment)
    seed_demo(db_session, digest_key=DIGEST_KEY)
    seed_demo(db_session, digest_key=DIGEST_KEY)
    assert _count(db_session, Membership) == memberships + 1
    assert _count(db_session, AgentAssignment) == assignments
    link = db_session.scalars(select(Membership).where(Membership.user_id == admin.id)).one()
    assert (link.role.name, link.organisation.number) == ("admin", "SUPPLIER")
    assert user_named(db_session, ADMIN).password_hash == "kept"


def _demo_cxml(session: Session) -> TradingPartner:
    return session.scalars(select(TradingPartner).where(TradingPartner.name == "demo-cxml")).one()
