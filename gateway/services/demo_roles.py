"""Demo data for roles per customer (issue 17): customer 1001's own role "Inkoper tot 250"
(orders up to EUR 250 excl. VAT) and a demo user holding it, and an approval chain of one
tier. Idempotent."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.credentials import hash_password
from gateway.auth.permissions import DEFAULT_ROLES, Permission
from gateway.auth.policy import Actor
from gateway.models import Membership, Organisation, Role, RoleKind, User
from gateway.services.people import roles
from gateway.services.people.users import membership
from gateway.services.purchasing import approval_tiers

DEMO_ROLE = "Inkoper tot 250"
DEMO_ROLE_MAXIMUM = Decimal("250.00")
DEMO_ROLE_USER = "inkoper@1001.demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo password


def seed_custom_role(session: Session, customer: Organisation) -> list[str]:
    """The customer's role "Inkoper tot 250" (a buyer's rights, maximum order value 250) and
    its holder `inkoper@1001.demo` (password `demo`); returns the demo user's address."""
    roles.copy_templates(session, organisation_id=customer.id)
    role = session.scalar(
        select(Role).where(Role.organisation_id == customer.id, Role.name == DEMO_ROLE)
    )
    if role is None:
        role = Role(
            organisation_id=customer.id,
            name=DEMO_ROLE,
            kind=RoleKind.CUSTOMER,
            permissions=sorted(DEFAULT_ROLES["buyer"]),
            max_order_value=DEMO_ROLE_MAXIMUM,
        )
        session.add(role)
        session.flush()
    user = session.scalar(select(User).where(User.email == DEMO_ROLE_USER))
    if user is None:
        user = User(
            email=DEMO_ROLE_USER,
            name="Ingrid Inkoper (1001, tot 250)",
            password_hash=hash_password(DEMO_PASSWORD),
        )
        session.add(user)
        session.flush()
    if membership(session, user=user, organisation=customer) is None:
        session.add(Membership(user=user, organisation=customer, role=role))
    session.flush()
    return [DEMO_ROLE_USER]


DEMO_TIER = approval_tiers.TierSpec(
    name="Leidinggevende of superuser",
    groups=(approval_tiers.GroupSpec(roles=("superuser",), supervisors=True),),
)


def seed_approval_chain(session: Session, customer: Organisation, superuser: User) -> None:
    """Customer 1001's approval chain: one tier that the requester's supervisor or a superuser
    approves (set as `superuser`, the customer's superuser, would set it)."""
    if approval_tiers.chain(session, organisation_id=customer.id):
        return
    actor = Actor(
        user_id=superuser.id,
        organisation_id=customer.id,
        permissions=frozenset({Permission.ACCOUNT_USER_WRITE}),
    )
    approval_tiers.define(session, actor=actor, tiers=[DEMO_TIER])
