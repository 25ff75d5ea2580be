"""Order approval: who may decide, the inbox, accept / take over / reject, withdraw (b2b-rules §4).

Decisions are only possible in `pending_approval`; each one moves the status with a conditional
UPDATE, so of two approvers deciding at once exactly one wins (A-6). Every decision is an
append-only `ApprovalDecision` row plus a step in the order's status history.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, foreign, require
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import (
    ApprovalDecision,
    BudgetCounter,
    BudgetReservation,
    Membership,
    Order,
    OrderStatusChange,
    Supervision,
    User,
)
from gateway.services import budgets, pricing

PENDING = "pending_approval"
MAX_COMMENT_LENGTH = 2000
ALREADY_DECIDED = "This order is no longer awaiting approval (it is {status})."


def approvers(session: Session, *, organisation_id: int, user_id: int | None) -> list[User]:
    """Who may decide an order of `user_id` at this customer (A-2): its active members holding
    `shop:order:approve` who see all its orders or supervise the requester; never the requester."""
    supervisors = set(
        session.scalars(
            select(Supervision.supervisor_id).where(
                Supervision.organisation_id == organisation_id,
                Supervision.user_id == user_id,
            )
        )
    )
    found = []
    for link in session.scalars(
        select(Membership).where(Membership.organisation_id == organisation_id, Membership.active)
    ):
        rights = set(link.role.permissions)
        if (
            link.user_id != user_id
            and link.user.active
            and Permission.ORDER_APPROVE in rights
            and (Permission.ORDER_READ_ALL in rights or link.user_id in supervisors)
        ):
            found.append(link.user)
    return sorted(found, key=lambda user: user.email)


def inbox(session: Session, *, actor: Actor) -> list[Order]:
    """The orders of the active customer awaiting a decision the actor may take (A-7)."""
    if not can(actor, Permission.ORDER_APPROVE):
        return []
    pending = session.scalars(
        select(Order)
        .where(Order.organisation_id == actor.organisation_id, Order.status == PENDING)
        .order_by(Order.placed_at, Order.id)
    )
    return [order for order in pending if can(actor, Permission.ORDER_APPROVE, order)]


def decidable(session: Session, *, actor: Actor, order_id: int) -> Order:
    """An order the actor may decide. Another customer's order, or one outside the actor's scope,
    is NotFound; the actor's own order is PermissionDenied (no self-approval)."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order.")
    if order.organisation_id != actor.organisation_id:
        raise foreign(actor, "order", order_id)
    require(actor, Permission.ORDER_APPROVE)
    if order.user_id == actor.user_id:
        raise PermissionDenied("Nobody approves their own order.")
    if not can(actor, Permission.ORDER_APPROVE, order):
        raise foreign(actor, "order", order_id)
    return order


def approve(
    session: Session, *, actor: Actor, order_id: int, now: datetime, comment: str = ""
) -> Order:
    """Accept the order: it is placed and keeps its budget reservation as spending."""
    order = decidable(session, actor=actor, order_id=order_id)
    return _decide(session, actor=actor, order=order, decision="approve", comment=comment, now=now)


def reject(session: Session, *, actor: Actor, order_id: int, now: datetime, comment: str) -> Order:
    """Reject with a reason: one rejection ends it; the budget reservation is released (A-5)."""
    order = decidable(session, actor=actor, order_id=order_id)
    if not comment.strip():
        raise InvalidInput("Please say why you reject the order.")
    order = _decide(session, actor=actor, order=order, decision="reject", comment=comment, now=now)
    budgets.release(session, order_id=order.id, now=now)
    return order


def take_over(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    quantities: Mapping[int, Decimal],
    now: datetime,
    comment: str = "",
) -> Order:
    """Change line quantities (by line number; 0 drops a line), then accept the order.

    The totals, the VAT and the budget reservation follow the new amount.
    """
    order = decidable(session, actor=actor, order_id=order_id)
    if order.status != PENDING:
        raise InvalidInput(ALREADY_DECIDED.format(status=order.status.replace("_", " ")))
    lines = {line.line_number: line for line in order.lines}
    if set(quantities) - set(lines):
        raise NotFound("No such order line.")
    if any(quantity < 0 for quantity in quantities.values()):
        raise InvalidInput("Quantities cannot be negative.")
    if all(quantities.get(number, line.quantity) == 0 for number, line in lines.items()):
        raise InvalidInput("Keep at least one line, or reject the order instead.")
    old_total = order.net_total
    order = _decide(
        session, actor=actor, order=order, decision="take_over", comment=comment, now=now
    )
    for number, quantity in quantities.items():
        line = lines[number]
        if quantity == 0:
            order.lines.remove(line)
            continue
        line.quantity = quantity
        line.net_amount = pricing.line_total(line.unit_price, quantity)
    vat = pricing.vat_breakdown((line.vat_rate, line.net_amount) for line in order.lines)
    order.net_total = sum((line.net_amount for line in order.lines), Decimal(0))
    order.tax_total = sum((entry.vat for entry in vat), Decimal(0))
    order.vat_breakdown = [
        {"rate": str(entry.rate), "base": str(entry.base), "vat": str(entry.vat)} for entry in vat
    ]
    session.flush()
    _adjust_reservations(session, order_id=order.id, delta=order.net_total - old_total)
    return order


def withdraw(session: Session, *, actor: Actor, order_id: int, now: datetime) -> Order:
    """The requester cancels their own order while it awaits approval; the budget is released."""
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound("No such order.")
    if order.organisation_id != actor.organisation_id or order.user_id != actor.user_id:
        raise foreign(actor, "order", order_id)
    _move(session, order=order, status="cancelled", actor=actor, note="Withdrawn", now=now)
    budgets.release(session, order_id=order.id, now=now)
    return order


def decisions(session: Session, *, order_id: int) -> list[ApprovalDecision]:
    """An order's decisions, oldest first."""
    return list(
        session.scalars(
            select(ApprovalDecision)
            .where(ApprovalDecision.order_id == order_id)
            .order_by(ApprovalDecision.id)
        )
    )


def _decide(
    session: Session, *, actor: Actor, order: Order, decision: str, comment: str, now: datetime
) -> Order:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(f"The comment may be at most {MAX_COMMENT_LENGTH} characters.")
    status = "rejected" if decision == "reject" else "placed"
    _move(session, order=order, status=status, actor=actor, note=comment, now=now)
    session.add(
        ApprovalDecision(
            order_id=order.id,
            approver_id=actor.user_id,
            decision=decision,
            comment=comment,
            decided_at=now,
        )
    )
    session.flush()
    return order


def _move(
    session: Session, *, order: Order, status: str, actor: Actor, note: str, now: datetime
) -> None:
    """Leave `pending_approval` with one conditional UPDATE: only one caller can win."""
    moved = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.status == PENDING)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        session.refresh(order)
        raise InvalidInput(ALREADY_DECIDED.format(status=order.status.replace("_", " ")))
    session.refresh(order)
    order.history.append(
        OrderStatusChange(status=status, changed_at=now, changed_by_id=actor.user_id, note=note)
    )
    session.flush()


def _adjust_reservations(session: Session, *, order_id: int, delta: Decimal) -> None:
    """Let the order's reservations follow a changed amount (take-over)."""
    if not delta:
        return
    for reservation in session.scalars(
        select(BudgetReservation).where(
            BudgetReservation.order_id == order_id, BudgetReservation.released_at.is_(None)
        )
    ).all():
        reservation.amount += delta
        session.execute(
            update(BudgetCounter)
            .where(BudgetCounter.id == reservation.counter_id)
            .values(committed=BudgetCounter.committed + delta)
            .execution_options(synchronize_session=False)
        )
    session.flush()
