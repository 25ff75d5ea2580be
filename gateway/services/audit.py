"""The audit log: one writer for every audited change, and the two ways to read it.

Rows are append-only: nothing in the application changes or removes them. A change made by a
staff member shopping as a customer is attributed to the staff member, on behalf of the user
(b2b-rules I-5).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.models import AuditEntry, Order, Organisation, User


@dataclass(frozen=True, slots=True, kw_only=True)
class Client:
    """Where a staff request came from (for the audit log)."""

    address: str = ""
    user_agent: str = ""


def record(
    session: Session,
    *,
    organisation_id: int,
    actor_id: int | None,
    action: str,
    now: datetime,
    subject: str = "",
    note: str = "",
    on_behalf_of_id: int | None = None,
    client: Client | None = None,
    changes: dict[str, list[str | None]] | None = None,
) -> AuditEntry:
    """Append one audit row (there is no way to change or remove it in the application)."""
    entry = AuditEntry(
        organisation_id=organisation_id,
        actor_id=actor_id,
        at=now,
        action=action,
        subject=subject[:100],
        note=note,
        changes=changes or {},
        on_behalf_of_id=on_behalf_of_id,
        client_address=(client.address[:45] or None) if client else None,
        user_agent=(client.user_agent[:200] or None) if client else None,
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFilter:
    """What the admin filters the audit log by (empty: any)."""

    action: str = ""
    customer: str = ""
    actor_email: str = ""


def record_by(
    session: Session, *, actor: Actor, action: str, subject: str, now: datetime, note: str = ""
) -> AuditEntry:
    """Audit what `actor` did in its own organisation: by the person acting (a staff member
    assisting a user acts on the user's behalf)."""
    return record(
        session,
        organisation_id=actor.organisation_id,
        actor_id=actor.acting_staff_id or actor.user_id,
        on_behalf_of_id=actor.user_id if actor.assisting else None,
        action=action,
        subject=subject,
        note=note,
        now=now,
    )


def record_order_action(
    session: Session,
    *,
    actor: Actor,
    order: Order,
    action: str,
    now: datetime,
    client: Client | None,
    note: str = "",
) -> AuditEntry:
    """Audit a staff member's action on an order (its number is the subject)."""
    return record(
        session,
        organisation_id=order.organisation_id,
        actor_id=actor.user_id,
        action=action,
        subject=order.number,
        note=note,
        now=now,
        client=client,
    )


def audit_log(
    session: Session, *, actor: Actor, where: AuditFilter, limit: int = 200
) -> list[tuple[AuditEntry, str, str, str]]:
    """The newest audit rows with the customer number, actor and subject e-mail addresses."""
    require(actor, Permission.ADMIN_AUDIT_READ)
    actor_user = User.__table__.alias("actor_user")
    subject_user = User.__table__.alias("subject_user")
    statement = (
        select(AuditEntry, Organisation.number, actor_user.c.email, subject_user.c.email)
        .join(Organisation, Organisation.id == AuditEntry.organisation_id)
        .outerjoin(actor_user, actor_user.c.id == AuditEntry.actor_id)
        .outerjoin(subject_user, subject_user.c.id == AuditEntry.on_behalf_of_id)
    )
    if where.action:
        statement = statement.where(AuditEntry.action.startswith(where.action[:64]))
    if where.customer:
        statement = statement.where(Organisation.number == where.customer[:32])
    if where.actor_email:
        statement = statement.where(actor_user.c.email == where.actor_email.strip().lower())
    rows = session.execute(statement.order_by(AuditEntry.id.desc()).limit(limit))
    return [(entry, number, by or "", subject or "") for entry, number, by, subject in rows]


def audit_trail(session: Session, *, actor: Actor, limit: int = 50) -> list[AuditEntry]:
    """The newest account changes of the active customer."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.organisation_id == actor.organisation_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )


def record_change(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject: str,
    changes: dict[str, list[str | None]],
    now: datetime,
) -> AuditEntry:
    """Record a change `actor` made at their active customer, with each field's before and after."""
    return record(
        session,
        organisation_id=actor.organisation_id,
        # Staff shopping as the customer did it, on behalf of the user (b2b-rules I-5).
        actor_id=actor.acting_staff_id or actor.user_id,
        on_behalf_of_id=actor.user_id if actor.acting_staff_id else None,
        action=action,
        subject=subject,
        changes=changes,
        now=now,
    )
