"""Order approval: who may decide, the inbox, accept / take over / reject, withdraw (b2b-rules §4).

Decisions are only possible in `pending_approval`; each one bumps the order's `approval_version`
(and moves its status) with a conditional UPDATE, so of two approvers deciding at once exactly
one wins (A-6). Every decision is an append-only `ApprovalDecision` row; a change of status is
also a step in the order's status history. A customer with approval tiers (A-4, see
`approval_tiers`) needs every group of every tier, in order; otherwise one approval decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.auth import scope
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, foreign, require
from gateway.db import affected_rows
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import (
    ApprovalAction,
    ApprovalDecision,
    ApprovalGroup,
    ApprovalTier,
    BudgetCounter,
    BudgetReservation,
    Membership,
    Order,
    OrderStatus,
    OrderStatusChange,
    Supervision,
    User,
)
from gateway.services.catalog import pricing
from gateway.services.ordering import quantities as quantity_rule
from gateway.services.purchasing import approval_mail, approval_tiers, budgets

MAX_COMMENT_LENGTH = 2000
ALREADY_DECIDED = "This order is no longer awaiting approval (it is {status})."
DECIDED_MEANWHILE = "Another approver decided on this order at the same moment; please look again."
NOT_YOUR_TURN = "This order awaits another approver (or your group has already approved it)."
NO_ORDER = "No such order."


def approvers(session: Session, *, organisation_id: int, user_id: int | None) -> list[User]:
    """Who decides first on an order of `user_id` at this customer: the first tier's members
    (A-4), or by default (A-2) its active members holding `shop:order:approve` who see all its
    orders or supervise the requester; never the requester."""
    tiers = approval_tiers.chain(session, organisation_id=organisation_id)
    if tiers:
        return _users(
            session,
            _eligible(session, tiers[0].groups, organisation_id=organisation_id, requester=user_id),
        )
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


def approvable(session: Session, *, organisation_id: int, user_id: int | None) -> bool:
    """Whether an order of `user_id` can be approved at all: every group of every tier has an
    eligible member (A-3: no order waits for an approver who cannot exist)."""
    tiers = approval_tiers.chain(session, organisation_id=organisation_id)
    if not tiers:
        return bool(approvers(session, organisation_id=organisation_id, user_id=user_id))
    return all(
        _eligible(session, (group,), organisation_id=organisation_id, requester=user_id)
        for tier in tiers
        for group in tier.groups
    )


def _eligible(
    session: Session,
    groups: Sequence[ApprovalGroup],
    *,
    organisation_id: int,
    requester: int | None,
) -> set[int]:
    found: set[int] = set()
    for group in groups:
        found |= approval_tiers.eligible(
            session, group=group, organisation_id=organisation_id, requester_id=requester
        )
    return found


def _users(session: Session, user_ids: set[int]) -> list[User]:
    if not user_ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.email)))


def _may_decide_now(session: Session, *, actor: Actor, order: Order) -> bool:
    tiers = approval_tiers.chain(session, organisation_id=order.organisation_id)
    if not tiers:
        return can(actor, Permission.ORDER_APPROVE, order)
    current = approval_tiers.progress(session, order=order, tiers=tiers)
    return order.user_id != actor.user_id and actor.user_id in _eligible(
        session, current.open_groups, organisation_id=order.organisation_id, requester=order.user_id
    )


def inbox(session: Session, *, actor: Actor) -> list[Order]:
    """The orders of the active customer awaiting a decision the actor may take (A-7)."""
    if not can(actor, Permission.ORDER_APPROVE):
        return []
    pending = session.scalars(
        select(Order)
        .where(
            Order.organisation_id == actor.organisation_id,
            Order.status == OrderStatus.PENDING_APPROVAL,
        )
        .order_by(Order.placed_at, Order.id)
    )
    return [order for order in pending if _may_decide_now(session, actor=actor, order=order)]


def decidable(session: Session, *, actor: Actor, order_id: int) -> Order:
    """An order the actor may decide. Another customer's order, or one outside the actor's scope,
    is NotFound; the actor's own order is PermissionDenied (no self-approval)."""
    order = scope.load(session, Order, order_id, actor=actor, message=NO_ORDER)
    require(actor, Permission.ORDER_APPROVE)
    if order.user_id == actor.user_id:
        raise PermissionDenied("Nobody approves their own order.")
    tiers = approval_tiers.chain(session, organisation_id=order.organisation_id)
    if tiers:
        everyone = _eligible(
            session,
            [group for tier in tiers for group in tier.groups],
            organisation_id=order.organisation_id,
            requester=order.user_id,
        )
        if actor.user_id not in everyone:
            raise foreign(actor, "order", order_id, NO_ORDER)
    elif not can(actor, Permission.ORDER_APPROVE, order):
        raise foreign(actor, "order", order_id, NO_ORDER)
    return order


def approve(
    session: Session, *, actor: Actor, order_id: int, now: datetime, comment: str = ""
) -> Order:
    """Accept the order: it is placed and keeps its budget reservation as spending."""
    order = decidable(session, actor=actor, order_id=order_id)
    return _decide(
        session, actor=actor, order=order, decision=ApprovalAction.APPROVE, comment=comment, now=now
    )


def reject(session: Session, *, actor: Actor, order_id: int, now: datetime, comment: str) -> Order:
    """Reject with a reason: one rejection ends it; the budget reservation is released (A-5)."""
    order = decidable(session, actor=actor, order_id=order_id)
    if not comment.strip():
        raise InvalidInput("Please say why you reject the order.")
    order = _decide(
        session, actor=actor, order=order, decision=ApprovalAction.REJECT, comment=comment, now=now
    )
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
    if order.status != OrderStatus.PENDING_APPROVAL:
        raise InvalidInput(ALREADY_DECIDED.format(status=order.status.replace("_", " ")))
    lines = {line.line_number: line for line in order.lines}
    if set(quantities) - set(lines):
        raise NotFound("No such order line.")
    for number, quantity in quantities.items():
        line = lines[number]
        try:
            quantity_rule.check(quantity, unit=line.unit, sku=line.sku, allow_zero=True)
        except InvalidInput as exc:
            raise InvalidInput(f"Line {number}: {exc}") from None
    if all(quantities.get(number, line.quantity) == 0 for number, line in lines.items()):
        raise InvalidInput("Keep at least one line, or reject the order instead.")
    old_total = order.net_total
    order = _decide(
        session,
        actor=actor,
        order=order,
        decision=ApprovalAction.TAKE_OVER,
        comment=comment,
        now=now,
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
    order = scope.load(session, Order, order_id, actor=actor, message=NO_ORDER)
    if order.user_id != actor.user_id:
        raise foreign(actor, "order", order_id, NO_ORDER)
    _move(session, order=order, status=OrderStatus.CANCELLED)
    _record_step(order, status=OrderStatus.CANCELLED, actor=actor, note="Withdrawn", now=now)
    session.flush()
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
    session: Session,
    *,
    actor: Actor,
    order: Order,
    decision: ApprovalAction,
    comment: str,
    now: datetime,
) -> Order:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(
            "The comment may be at most %(limit)s characters.", limit=MAX_COMMENT_LENGTH
        )
    if order.status != OrderStatus.PENDING_APPROVAL:
        raise InvalidInput(ALREADY_DECIDED.format(status=order.status.replace("_", " ")))
    tiers = approval_tiers.chain(session, organisation_id=order.organisation_id)
    group_id, final, current = None, True, None
    if tiers:
        current = approval_tiers.progress(session, order=order, tiers=tiers)
        group = next(
            (
                group
                for group in current.open_groups
                if actor.user_id
                in _eligible(
                    session,
                    (group,),
                    organisation_id=order.organisation_id,
                    requester=order.user_id,
                )
            ),
            None,
        )
        if group is None:
            raise InvalidInput(NOT_YOUR_TURN)
        group_id = group.id
        final = len(current.open_groups) == 1 and current.tier is tiers[-1]
    if decision == ApprovalAction.REJECT:
        status = OrderStatus.REJECTED
    else:
        status = OrderStatus.PLACED if final else OrderStatus.PENDING_APPROVAL
    _move(session, order=order, status=status)
    if status != OrderStatus.PENDING_APPROVAL:
        _record_step(order, status=status, actor=actor, note=comment, now=now)
    session.add(
        ApprovalDecision(
            order_id=order.id,
            approver_id=actor.user_id,
            decision=decision,
            comment=comment,
            decided_at=now,
            group_id=group_id,
        )
    )
    session.flush()
    if status != OrderStatus.PENDING_APPROVAL:
        approval_mail.tell_requester(session, order=order, now=now)
    else:
        previous = current.tier if current is not None else None
        _tell_next_tier(session, order=order, tiers=tiers, previous=previous, now=now)
    return order


def _tell_next_tier(
    session: Session,
    *,
    order: Order,
    tiers: Sequence[ApprovalTier],
    previous: ApprovalTier | None,
    now: datetime,
) -> None:
    """When a tier is complete, the next tier's approvers hear of the order."""
    current = approval_tiers.progress(session, order=order, tiers=tiers)
    if current.tier is None or current.tier is previous:
        return
    approval_mail.tell_approvers(
        session,
        order=order,
        approvers=_users(
            session,
            _eligible(
                session,
                current.tier.groups,
                organisation_id=order.organisation_id,
                requester=order.user_id,
            ),
        ),
        now=now,
    )


def _move(session: Session, *, order: Order, status: OrderStatus) -> None:
    """Bump the approval version (leaving `pending_approval` for another status) with one
    conditional UPDATE: of two callers who read the same version only one can win."""
    moved = session.execute(
        update(Order)
        .where(
            Order.id == order.id,
            Order.status == OrderStatus.PENDING_APPROVAL,
            Order.approval_version == order.approval_version,
        )
        .values(status=status, approval_version=Order.approval_version + 1)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(moved) != 1:
        session.refresh(order)
        if order.status != OrderStatus.PENDING_APPROVAL:
            raise InvalidInput(ALREADY_DECIDED.format(status=order.status.replace("_", " ")))
        raise InvalidInput(DECIDED_MEANWHILE)
    session.refresh(order)


def _record_step(
    order: Order, *, status: OrderStatus, actor: Actor, note: str, now: datetime
) -> None:
    order.history.append(
        OrderStatusChange(status=status, changed_at=now, changed_by_id=actor.user_id, note=note)
    )


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
