"""Factories for users, budgets and actors of the demo customers (they flush, never commit)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from gateway.auth.policy import Actor
from gateway.models import Budget, Membership, Organisation, User
from gateway.services.users import role_named


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
    """A user linked to one demo customer with a role."""
    user = User(
        email=email,
        name=email.split("@", maxsplit=1)[0],
        password_hash=generate_password_hash(password),
    )
    session.add(user)
    session.flush()
    session.add(
        Membership(
            user=user, organisation=customer(session, number), role=role_named(session, role)
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
        requires_approval=link.role.requires_approval,
        min_order_value=link.role.min_order_value,
        max_order_value=link.role.max_order_value,
    )
