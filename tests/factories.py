"""Test data factories: functions that add, flush and return (never inline model building).

Users, budgets and actors of the demo customers; products and cXML partners."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from gateway.auth.policy import Actor
from gateway.models import (
    Budget,
    Catalog,
    Membership,
    Organisation,
    Product,
    TradingPartner,
    User,
    catalog_product,
)
from gateway.services.demo_catalog import STANDARD_CATALOG
from gateway.services.partners.order_settings import configure
from gateway.services.partners.registry import CXMLPartnerSpec, add_cxml_partner
from gateway.services.people.roles import customer_role
from tests.conftest import DIGEST_KEY, ENCRYPTION_KEY

_numbers = count(1)


def customer(session: Session, number: str = "1001") -> Organisation:
    """A demo customer by number."""
    return session.scalars(select(Organisation).where(Organisation.number == number)).one()


def make_user(
    session: Session,
    email: str,
    *,
    role: str = "buyer",
    number: str = "1001",
    password: str = "demo",
) -> User:
    """A user linked to one demo customer with the customer's role of that name (the template
    where the customer has no such role)."""
    user = User(
        email=email,
        name=email.split("@", maxsplit=1)[0],
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    organisation = customer(session, number)
    session.add(
        Membership(
            user=user,
            organisation=organisation,
            role=customer_role(session, organisation_id=organisation.id, name=role),
        )
    )
    session.flush()
    return user


def user_named(session: Session, email: str) -> User:
    """A user by e-mail address."""
    return session.scalars(select(User).where(User.email == email)).one()


def make_budget(
    session: Session,
    *,
    user: User | None,
    number: str = "1001",
    period_amount: str | None = None,
    max_order_amount: str | None = None,
    period: str = "month",
    policy: str = "require_approval",
    currency: str = "EUR",
    name: str = "Test budget",
) -> Budget:
    """A budget for a user (or, with `user=None`, the whole customer)."""
    budget = Budget(
        organisation_id=customer(session, number).id,
        user_id=user.id if user else None,
        name=name,
        currency=currency,
        period_amount=Decimal(period_amount) if period_amount is not None else None,
        max_order_amount=Decimal(max_order_amount) if max_order_amount is not None else None,
        period=period,
        policy=policy,
    )
    session.add(budget)
    session.flush()
    return budget


def actor_of(session: Session, user: User, number: str = "1001") -> Actor:
    """The actor a shop session of `user` for customer `number` would have."""
    link = session.scalars(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.organisation_id == customer(session, number).id,
        )
    ).one()
    return Actor(
        user_id=user.id,
        organisation_id=link.organisation_id,
        permissions=frozenset(link.role.permissions),
        role=link.role.name,
        role_id=link.role_id,
        requires_approval=link.role.requires_approval,
        approval_catalog_ids=frozenset(catalog.id for catalog in link.role.approval_catalogs),
        min_order_value=link.role.min_order_value,
        max_order_value=link.role.max_order_value,
    )


def make_product(
    session: Session, *, catalog: str | None = STANDARD_CATALOG, **fields: object
) -> Product:
    """A product with sensible defaults, in the demo's standard catalog (which both demo
    customers hold) unless `catalog` says otherwise; any field may be overridden."""
    number = next(_numbers)
    values: dict[str, object] = {
        "sku": f"TEST-{number:05d}",
        "name": f"Test product {number}",
        "description": "",
        "unit": "EA",
        "unspsc": "44121701",
        "list_price": Decimal("10.00"),
        "currency": "EUR",
    }
    values.update(fields)
    product = Product(**values)
    session.add(product)
    session.flush()
    if catalog is not None:
        catalog_id = session.scalars(select(Catalog.id).where(Catalog.name == catalog)).one()
        session.execute(
            catalog_product.insert().values(catalog_id=catalog_id, product_id=product.id)
        )
    return product


def make_cxml_partner(session: Session, **fields: object) -> TradingPartner:
    """A cXML partner for customer 1001 with its own identity and secret."""
    number = next(_numbers)
    values: dict[str, object] = {
        "name": f"partner-{number}",
        "customer_number": "1001",
        "identities": (f"NetworkID:AN-TEST-{number}",),
        "shared_secret": "partner-secret",
        "allowed_urls": ("http://127.0.0.1:5000/tools/",),
    }
    values.update(fields)
    partner = add_cxml_partner(session, spec=CXMLPartnerSpec(**values), digest_key=DIGEST_KEY)  # type: ignore[arg-type]
    session.flush()
    return partner


def deliver_locally(session: Session, url: str, *, secret: str) -> None:
    """Send the demo cXML partner's outbound documents to a receiver on loopback at `url`."""
    configure(
        session,
        partner_name="demo-cxml",
        outbound_prefixes=["http://127.0.0.1"],
        outbound_url=url,
        allow_private_network=True,
        outbound_secret=secret,
        encryption_key=ENCRYPTION_KEY,
    )
