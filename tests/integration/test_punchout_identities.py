"""Whom a punchout acts as: a punchout user of the partner's own customer, never an account the
buyer's system merely names (issue 16 §1), unless the customer's superuser allows its own shop
accounts to be matched by e-mail."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import Contact
from gateway.models import (
    AuditEntry,
    Membership,
    Order,
    PunchOutIdentity,
    PunchOutSession,
    ShopSession,
    TradingPartner,
    User,
)
from gateway.services.people.users import role_named
from tests import buyer, shop
from tests.factories import customer, make_user, user_named
from tests.integration import test_oci_punchout as oci
from tests.integration.test_cxml_punchout import post_cxml, punch_in

Snapshot = tuple[object, ...]


def account(session: Session, email: str) -> Snapshot:
    """Everything a punchout must leave alone: the user's fields and every membership."""
    session.expire_all()
    user = user_named(session, email)
    links = session.execute(
        select(Membership.organisation_id, Membership.role_id, Membership.active)
        .where(Membership.user_id == user.id)
        .order_by(Membership.organisation_id)
    ).all()
    return (user.id, user.email, user.name, user.password_hash, user.active, tuple(links))


def acting_user(session: Session) -> User:
    """The user of the newest punchout shop session."""
    session.expire_all()
    shop_session = session.scalars(
        select(ShopSession)
        .where(ShopSession.punchout_session_id.is_not(None))
        .order_by(ShopSession.id.desc())
    ).first()
    assert shop_session is not None
    assert shop_session.organisation.number == "1001"
    return shop_session.user


def assert_punchout_user_of_1001(session: Session, user: User) -> None:
    """`user` is a punchout user: member of customer 1001 alone, with the partner's role."""
    links = session.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    assert [(link.organisation.number, link.role.name) for link in links] == [("1001", "punchout")]
    assert user.password_hash is None
    assert user.email.endswith(".punchout.invalid")


def setup_naming(
    *, email: str | None = None, unique_name: str | None = None, contact_name: str | None = None
) -> bytes:
    """A create request of the demo partner (customer 1001) naming a user as buyers do."""
    return buyer.setup_request(
        email=email,
        extrinsics=(cxml.Extrinsic(name="UniqueName", value=unique_name),) if unique_name else (),
        contacts=(Contact(name=contact_name, email=None, role="endUser"),) if contact_name else (),
    )


def deactivated_user(session: Session) -> str:
    """A shop user of 1001 whose account is deactivated."""
    user = make_user(session, "gone@1001.test")
    user.active = False
    session.commit()
    return user.email


def deactivated_member(session: Session) -> str:
    """A shop user of 1001 whose membership the superuser deactivated."""
    user = make_user(session, "left@1001.test")
    session.scalars(select(Membership).where(Membership.user_id == user.id)).one().active = False
    session.commit()
    return user.email


def another_customers_user(session: Session) -> str:
    return "buyer@1002.demo"


def staff_account(session: Session) -> str:
    return "service@supplier.demo"


def staff_with_a_customer_link(session: Session) -> str:
    """A staff account that also holds a membership of 1001 (as a captured account would)."""
    user = user_named(session, "agent@supplier.demo")
    session.add(
        Membership(user=user, organisation=customer(session), role=role_named(session, "buyer"))
    )
    session.commit()
    return user.email


NEVER_MATCHED = [
    another_customers_user,
    staff_account,
    staff_with_a_customer_link,
    deactivated_user,
    deactivated_member,
]


def switch_matching(app: Flask, on: bool) -> None:
    """The superuser of 1001 switches matching shop accounts for demo-cxml on or off."""
    superuser = app.test_client()
    shop.login(superuser, "superuser@1001.demo")
    page = superuser.get("/account/punchout")
    partner_id = page.text.split('data-partner-id="', 1)[1].split('"', 1)[0]
    answer = shop.post(
        superuser,
        f"/account/punchout/{partner_id}",
        {"match_shop_accounts": "yes"} if on else {},
        via="/account/punchout",
    )
    assert answer.status_code == 302, answer.text


@pytest.mark.parametrize("victim", NEVER_MATCHED, ids=lambda f: f.__name__)
@pytest.mark.parametrize("matching", [False, True], ids=["switch-off", "switch-on"])
def test_a_named_account_outside_the_customer_is_never_captured(
    client: FlaskClient, app: Flask, db_session: Session, victim: object, matching: bool
) -> None:
    email = victim(db_session)  # type: ignore[operator]
    if matching:
        switch_matching(app, on=True)
    before = account(db_session, email)

    punch_in(client, setup_naming(email=email))

    assert account(db_session, email) == before
    user = acting_user(db_session)
    assert user.id != before[0]
    assert_punchout_user_of_1001(db_session, user)
    switched = shop.post(client, "/customer", {"number": "1002"}, via="/cart")
    assert switched.status_code in (403, 404)
    assert acting_user(db_session).id == user.id  # still customer 1001's punchout user
    for page in ("/staff/customers", "/admin/partners"):
        assert client.get(page).status_code == 403, page


def test_naming_a_colleague_does_not_open_their_orders(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    colleague = app.test_client()
    shop.login(colleague, "buyer@1001.demo")
    assert (
        shop.post(colleague, "/cart/items", {"sku": "DEMO-0001", "quantity": "1"}).status_code
        == 302
    )
    page = colleague.get("/checkout")
    placed = colleague.post("/checkout", data=shop.form_values(page.text, "cart_digest"))
    assert placed.status_code == 302, placed.text
    order = db_session.scalars(select(Order)).one()
    before = account(db_session, "buyer@1001.demo")

    punch_in(client, setup_naming(email="buyer@1001.demo", unique_name="bea"))

    assert account(db_session, "buyer@1001.demo") == before
    assert acting_user(db_session).id != before[0]
    assert f'data-order-id="{order.id}"' not in client.get("/orders").text
    assert client.get(f"/orders/{order.id}").status_code == 404


def test_with_the_switch_on_a_colleague_is_matched_by_email_and_keeps_their_account(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    switch_matching(app, on=True)
    before = account(db_session, "limited@1001.demo")

    punch_in(client, setup_naming(email="Limited@1001.demo", unique_name="lee"))

    assert account(db_session, "limited@1001.demo") == before
    assert acting_user(db_session).email == "limited@1001.demo"
    identity = db_session.scalars(select(PunchOutIdentity)).one()
    assert (identity.key, identity.shop_account) == ("uniquename:lee", True)

    switch_matching(app, on=False)  # forgets the matched accounts

    assert db_session.scalar(select(func.count()).select_from(PunchOutIdentity)) == 0
    again = app.test_client()
    punch_in(again, setup_naming(email="limited@1001.demo", unique_name="lee"))
    assert acting_user(db_session).email != "limited@1001.demo"
    assert account(db_session, "limited@1001.demo") == before


def test_the_same_person_gets_the_same_punchout_user_and_others_their_own(
    app: Flask, db_session: Session
) -> None:
    def user_for(body: bytes) -> int:
        punch_in(app.test_client(), body)
        return acting_user(db_session).id

    jane = user_for(setup_naming(unique_name="JSmith", email="jane@buyer.example"))
    assert user_for(setup_naming(unique_name="jsmith", email="jane@other.example")) == jane
    shared_mailbox = user_for(setup_naming(unique_name="pete", email="jane@buyer.example"))
    by_email = user_for(setup_naming(email="jane@buyer.example"))
    carl = user_for(setup_naming(unique_name="carl", email="jane@buyer.example"))
    by_contact = user_for(setup_naming(contact_name="Ann Contact"))
    nobody = user_for(setup_naming())
    assert user_for(setup_naming()) == nobody
    assert len({jane, shared_mailbox, by_email, carl, by_contact, nobody}) == 6
    keys = set(db_session.scalars(select(PunchOutIdentity.key)))
    assert keys == {
        "uniquename:jsmith",
        "uniquename:pete",
        "uniquename:carl",
        "email:jane@buyer.example",
        "contact:ann contact",
        "partner",
    }
    assert db_session.get_one(User, jane).name == "JSmith"


def test_a_punchout_user_the_superuser_deactivated_is_refused(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    punch_in(client, setup_naming(unique_name="leaver"))
    user = acting_user(db_session)
    link = db_session.scalars(select(Membership).where(Membership.user_id == user.id)).one()
    link.active = False
    db_session.commit()
    sessions = db_session.scalar(select(func.count()).select_from(PunchOutSession))

    answer = post_cxml(app.test_client(), setup_naming(unique_name="leaver"))

    code, text = buyer.status_of(answer)
    assert code == 403
    assert "deactivated" in text
    assert db_session.scalar(select(func.count()).select_from(PunchOutSession)) == sessions


def test_an_overlong_unique_name_is_a_bad_request(client: FlaskClient) -> None:
    code, text = buyer.status_of(post_cxml(client, setup_naming(unique_name="x" * 255)))
    assert code == 400
    assert "UniqueName is longer than 254 characters" in text


# OCI -----------------------------------------------------------------------------------------

# Before identities, the OCI punchout user was looked up by this address (login@partner):
# whoever held it was captured.
OCI_ADDRESS = "demo-oci@demo-oci.punchout.invalid"


@pytest.mark.parametrize("number", ["1002", "SUPPLIER"], ids=["other-customer", "staff"])
@pytest.mark.parametrize("active", [True, False], ids=["active", "deactivated"])
def test_an_oci_launch_never_captures_the_account_its_login_names(
    client: FlaskClient, db_session: Session, number: str, active: bool
) -> None:
    role = "customer_service" if number == "SUPPLIER" else "buyer"
    held = make_user(db_session, OCI_ADDRESS, role=role, number=number)
    held.active = active
    db_session.commit()
    before = account(db_session, OCI_ADDRESS)

    oci.punch_in(client)

    assert account(db_session, OCI_ADDRESS) == before
    user = acting_user(db_session)
    assert user.id != held.id
    assert_punchout_user_of_1001(db_session, user)
    oci.punch_in(client.application.test_client())
    assert acting_user(db_session).id == user.id  # the login is one person, every time
    assert set(db_session.scalars(select(PunchOutIdentity.key))) == {"login:demo-oci"}


def test_an_oci_punchout_user_the_superuser_deactivated_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    oci.punch_in(client)
    user = acting_user(db_session)
    db_session.scalars(select(Membership).where(Membership.user_id == user.id)).one().active = False
    db_session.commit()

    answer = oci.launch(client.application.test_client())

    assert answer.status_code == 403
    assert "deactivated" in answer.text


# The superuser's page ----------------------------------------------------------------------


def test_the_superuser_lists_only_their_own_connections_in_dutch_and_english(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "superuser@1001.demo")
    english = client.get("/account/punchout")
    assert english.status_code == 200
    own = db_session.scalars(
        select(TradingPartner).where(TradingPartner.organisation_id == customer(db_session).id)
    ).all()
    assert own
    for partner in own:
        assert f'data-partner-id="{partner.id}" data-match-shop-accounts="off"' in english.text
    assert "Punchout connections" in english.text
    dutch = client.get("/account/punchout", headers={"Accept-Language": "nl"})
    assert "Punchout-koppelingen" in dutch.text
    assert "actieve gebruikers" in dutch.text


def test_the_switch_is_audited_and_another_customers_partner_is_not_found(
    client: FlaskClient, app: Flask, db_session: Session
) -> None:
    switch_matching(app, on=True)
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-cxml")
    ).one()
    db_session.refresh(partner)
    assert partner.match_shop_accounts
    entry = db_session.scalars(
        select(AuditEntry).where(AuditEntry.action == "punchout.match_shop_accounts")
    ).one()
    assert (entry.subject, entry.changes) == ("demo-cxml", {"match_shop_accounts": ["off", "on"]})
    assert entry.organisation_id == customer(db_session).id
    shop.login(client, "superuser@1001.demo")
    history = client.get("/account/organisation").text
    assert 'data-audit-action="punchout.match_shop_accounts"' in history

    other = app.test_client()
    shop.login(other, "superuser@1002.demo")
    answer = shop.post(
        other,
        f"/account/punchout/{partner.id}",
        {"match_shop_accounts": ""},
        via="/account/punchout",
    )
    assert answer.status_code == 404
    db_session.refresh(partner)
    assert partner.match_shop_accounts


def test_a_buyer_without_the_right_cannot_switch_matching_on(
    client: FlaskClient, db_session: Session
) -> None:
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-cxml")
    ).one()
    shop.login(client, "buyer@1001.demo")
    assert client.get("/account/punchout").status_code == 403
    answer = shop.post(
        client, f"/account/punchout/{partner.id}", {"match_shop_accounts": "yes"}, via="/cart"
    )
    assert answer.status_code == 403
    db_session.refresh(partner)
    assert not partner.match_shop_accounts
