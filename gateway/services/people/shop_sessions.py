"""Server-side shop sessions: opened at login or punchout start, resolved on every request."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.credentials import new_token, token_digest
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor
from gateway.cxml import Operation
from gateway.errors import NotFound, PermissionDenied
from gateway.models import (
    AgentAssignment,
    Membership,
    Organisation,
    PunchOutSession,
    Role,
    RoleKind,
    ShopSession,
    Supervision,
    User,
)
from gateway.services.people import roles
from gateway.services.people.users import membership


def open_session(
    session: Session,
    *,
    user: User,
    organisation: Organisation,
    now: datetime,
    ttl_seconds: int,
    punchout: PunchOutSession | None = None,
) -> tuple[ShopSession, str]:
    """A new shop session and the opaque token the browser keeps (only its digest is stored)."""
    token, digest = new_token()
    shop_session = ShopSession(
        token_digest=digest,
        user=user,
        organisation=organisation,
        punchout=punchout,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    session.add(shop_session)
    session.flush()
    return shop_session, token


def resolve(session: Session, *, token: str, now: datetime) -> ShopSession | None:
    """The live shop session for a browser token, or None when unknown, ended or expired."""
    shop_session = session.scalar(
        select(ShopSession).where(ShopSession.token_digest == token_digest(token))
    )
    if shop_session is None or shop_session.ended_at is not None or shop_session.expires_at <= now:
        return None
    return shop_session


def end(shop_session: ShopSession, *, now: datetime) -> None:
    """End a shop session; its token is worthless from now on."""
    shop_session.ended_at = now


def actor_for(session: Session, shop_session: ShopSession) -> Actor:
    """The rights of this session, read from the role now (a role change applies at once).

    In a punchout the partner's default role applies, whatever else the user may hold, and an
    inspect punchout is read-only.
    """
    if shop_session.punchout is not None:
        role = roles.customer_role(
            session,
            organisation_id=shop_session.organisation_id,
            name=shop_session.punchout.partner.default_role,
        )
        permissions = frozenset(role.permissions)
        if shop_session.punchout.operation == Operation.INSPECT:
            permissions -= {Permission.CART_WRITE}
        return _actor(session, shop_session, role, permissions)
    if shop_session.acting_staff_id is not None:
        return _assisted_actor(session, shop_session)
    link = membership(session, user=shop_session.user, organisation=shop_session.organisation)
    if link is None or not link.active or not shop_session.user.active:
        return Actor(
            user_id=shop_session.user_id,
            organisation_id=shop_session.organisation_id,
            permissions=frozenset(),
        )
    return _actor(session, shop_session, link.role, frozenset(link.role.permissions))


def _assisted_actor(session: Session, shop_session: ShopSession) -> Actor:
    """Staff shopping as a customer: the subject's role (the customer's `buyer` role when staff
    order for the customer directly); the policy refuses what is forbidden while assisting."""
    direct = shop_session.user_id == shop_session.acting_staff_id
    link = (
        None
        if direct
        else membership(session, user=shop_session.user, organisation=shop_session.organisation)
    )
    acting = session.get_one(User, shop_session.acting_staff_id)
    subject_gone = not direct and (link is None or not link.active or not shop_session.user.active)
    if subject_gone or not acting.active:
        return Actor(
            user_id=shop_session.user_id,
            organisation_id=shop_session.organisation_id,
            permissions=frozenset(),
            acting_staff_id=shop_session.acting_staff_id,
        )
    role = (
        roles.customer_role(session, organisation_id=shop_session.organisation_id, name="buyer")
        if link is None
        else link.role
    )
    return _actor(session, shop_session, role, frozenset(role.permissions))


def _actor(
    session: Session, shop_session: ShopSession, role: Role, permissions: frozenset[str]
) -> Actor:
    supervised = session.scalars(
        select(Supervision.user_id).where(
            Supervision.organisation_id == shop_session.organisation_id,
            Supervision.supervisor_id == shop_session.user_id,
        )
    )
    return Actor(
        user_id=shop_session.user_id,
        organisation_id=shop_session.organisation_id,
        permissions=permissions,
        role=role.name,
        role_id=role.id,
        requires_approval=role.requires_approval,
        approval_catalog_ids=frozenset(catalog.id for catalog in role.approval_catalogs),
        min_order_value=role.min_order_value or None,
        max_order_value=role.max_order_value or None,
        supervises=frozenset(supervised),
        assigned=frozenset(
            session.scalars(
                select(AgentAssignment.organisation_id).where(
                    AgentAssignment.agent_id == shop_session.user_id
                )
            )
        )
        if role.kind == RoleKind.INTERNAL
        else frozenset(),
        acting_staff_id=shop_session.acting_staff_id,
    )


def switch_customer(session: Session, *, shop_session: ShopSession, number: str) -> Organisation:
    """Act for another customer the user is linked to (O-1); anything else is NotFound.

    Prices, assortment, cart and orders follow, because they are all read per active customer.
    A punchout session belongs to its buyer's customer and cannot switch.
    """
    if shop_session.punchout is not None:
        raise PermissionDenied("A punchout session acts for its buyer's customer only.")
    organisation = session.scalar(
        select(Organisation)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(
            Organisation.number == number,
            Organisation.active,
            Membership.user_id == shop_session.user_id,
            Membership.active,
        )
    )
    if organisation is None:
        raise NotFound("No such customer.")
    shop_session.organisation = organisation
    session.flush()
    return organisation


def customers_of(session: Session, *, user_id: int) -> list[Organisation]:
    """The active customers a user may act for, by number."""
    return list(
        session.scalars(
            select(Organisation)
            .join(Membership, Membership.organisation_id == Organisation.id)
            .where(Membership.user_id == user_id, Membership.active, Organisation.active)
            .order_by(Organisation.number)
        )
    )


def end_all(session: Session, *, user_id: int, now: datetime) -> None:
    """End every open shop session of a user (after a password reset)."""
    for shop_session in session.scalars(
        select(ShopSession).where(ShopSession.user_id == user_id, ShopSession.ended_at.is_(None))
    ):
        shop_session.ended_at = now
    session.flush()
