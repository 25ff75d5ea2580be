"""Reminders: an order awaiting approval longer than its customer allows (the organisation's
`approval_reminder_days`, working days Monday to Friday in the shop's time zone; 0: never)
reminds the approvers it waits for, stand-ins included, once, through the outbox.

`sweep` runs in every `gateway worker` (and `gateway approvals remind`). It is idempotent,
however many workers run it: each reminder first claims the order's one `approval_reminder` row
(insert or nothing: only the inserting sweep gets its id back), in the transaction of its mails.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.errors import InvalidInput
from gateway.models import ApprovalReminder, Order, OrderStatus, Organisation
from gateway.services import audit
from gateway.services.purchasing import approval_mail, approvals

MAX_REMINDER_DAYS = 30
SATURDAY = 5


def due_at(placed_at: datetime, *, working_days: int, zone: str) -> datetime:
    """When an order placed at `placed_at` has waited `working_days` working days (Mon-Fri,
    same time of day in the shop's zone; a weekend does not count)."""
    local = placed_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)
    counted = 0
    while counted < working_days:
        local += timedelta(days=1)
        if local.weekday() < SATURDAY:
            counted += 1
    return local.replace(tzinfo=ZoneInfo(zone))


def sweep(session: Session, *, now: datetime, zone: str) -> list[Order]:
    """Remind the approvers of every order waiting too long that has had no reminder yet;
    the orders reminded about."""
    waiting = session.execute(
        select(Order, Organisation.approval_reminder_days)
        .join(Organisation, Organisation.id == Order.organisation_id)
        .outerjoin(ApprovalReminder, ApprovalReminder.order_id == Order.id)
        .where(
            Order.status == OrderStatus.PENDING_APPROVAL,
            Organisation.approval_reminder_days > 0,
            ApprovalReminder.id.is_(None),
        )
        .order_by(Order.placed_at, Order.id)
    )
    reminded = []
    for order, days in waiting.all():
        if due_at(order.placed_at, working_days=days, zone=zone) > now:
            continue
        if not _claim(session, order_id=order.id, now=now):
            continue
        approval_mail.remind_approvers(
            session,
            order=order,
            approvers=approvals.waiting_for(session, order=order, now=now),
            waiting_days=days,
            now=now,
        )
        reminded.append(order)
    session.flush()
    return reminded


def _claim(session: Session, *, order_id: int, now: datetime) -> bool:
    """Insert the order's reminder row unless another sweep did; True when this one did."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    inserted = session.scalar(
        insert(ApprovalReminder)
        .values(order_id=order_id, sent_at=now)
        .on_conflict_do_nothing(index_elements=["order_id"])
        .returning(ApprovalReminder.id)
    )
    return inserted is not None


def set_delay(session: Session, *, actor: Actor, days: int, now: datetime) -> Organisation:
    """The superuser sets after how many working days a waiting order reminds its approvers
    (0: never); audited when it changes."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    if not 0 <= days <= MAX_REMINDER_DAYS:
        raise InvalidInput(f"Remind after 0 to {MAX_REMINDER_DAYS} working days (0: never).")
    organisation = session.get_one(Organisation, actor.organisation_id)
    if organisation.approval_reminder_days != days:
        audit.record_change(
            session,
            actor=actor,
            action="organisation.approval_reminders",
            subject=organisation.number,
            changes={
                "approval_reminder_days": [str(organisation.approval_reminder_days), str(days)]
            },
            now=now,
        )
        organisation.approval_reminder_days = days
    session.flush()
    return organisation
