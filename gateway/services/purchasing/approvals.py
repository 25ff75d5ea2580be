"""Order approval: who may decide, the inbox, accept / take over / reject, withdraw (b2b-rules §4).

Decisions are only possible in `pending_approval`; each one bumps the order's `approval_version`
(and moves its status) with a conditional UPDATE, so of two approvers deciding at once exactly
one wins (A-6). Every decision is an append-only `ApprovalDecision` row; a change of status is
also a step in the order's status history. A customer with approval tiers (A-4, see
`approval_tiers`) needs every group of every tier, in order; otherwise one approval decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.auth import scope
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can, foreign, require
from gateway.db import affected_rows, utcnow
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import (
    ApprovalAction,
    ApprovalChange,
    ApprovalDecision,
    ApprovalGroup,
    ApprovalTier,
    BudgetCounter,
    BudgetReservation,
    Membership,
    Order,
    OrderLine,
    OrderStatus,
    OrderStatusChange,
    Organisation,
    Supervision,
    User,
)
from gateway.services.catalog import assortment, pricing
from gateway.services.ordering import carts
from gateway.services.ordering import quantities as quantity_rule
from gateway.services.purchasing import (
    approval_mail,
    approval_reasons,
    approval_tiers,
    budgets,
    stand_ins,
)

MAX_COMMENT_LENGTH = 2000
ALREADY_DECIDED = "This order is no longer awaiting approval (it is {status})."
DECIDED_MEANWHILE = "Another approver decided on this order at the same moment; please look again."
NOT_YOUR_TURN = "This order awaits another approver (or your group has already approved it)."
NO_ORDER = "No such order."


def approvers(
    session: Session, *, organisation_id: int, user_id: int | None, now: datetime | None = None
) -> list[User]:
    """Who decides first on an order of `user_id` at this customer: the first tier's members
    (A-4), or by default (A-2) its active members holding `shop:order:approve` who see all its
    orders or supervise the requester; and the stand-ins of those away at `now` (default: now).
    Never the requester."""
    tiers = approval_tiers.chain(session, organisation_id=organisation_id)
    if tiers:
        first = _eligible(
            session, tiers[0].groups, organisation_id=organisation_id, requester=user_id
        )
    else:
        first = {
            user.id for user in _direct(session, organisation_id=organisation_id, user_id=user_id)
        }
    return _users(
        session,
        _with_stand_ins(
            session, first, organisation_id=organisation_id, requester=user_id, now=now or utcnow()
        ),
    )


def _with_stand_ins(
    session: Session,
    user_ids: set[int],
    *,
    organisation_id: int,
    requester: int | None,
    now: datetime,
) -> set[int]:
    """The approvers and, for those away, their stand-ins (never the requester, A-2)."""
    stand = stand_ins.standing_in(
        session, organisation_id=organisation_id, approver_ids=user_ids, now=now
    )
    return (user_ids | set(stand)) - {requester}


def _direct_ids(session: Session, order: Order) -> set[int]:
    return {
        user.id
        for user in _direct(session, organisation_id=order.organisation_id, user_id=order.user_id)
    }


def _direct(session: Session, *, organisation_id: int, user_id: int | None) -> list[User]:
    """The default chain's approvers of an order of `user_id` (A-2), stand-ins left out."""
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
        return bool(_direct(session, organisation_id=organisation_id, user_id=user_id))
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Authority:
    """As whom the actor may decide an order now: for which tier group (None: the default
    chain), and on behalf of which absent approver (None: in their own right)."""

    group_id: int | None
    on_behalf_of_id: int | None


def authority(session: Session, *, actor: Actor, order: Order, now: datetime) -> Authority | None:
    """How the actor may decide `order` now, if at all: in their own right first, else as the
    stand-in of an absent approver who may. Never on the actor's own order (A-2), never
    without `shop:order:approve`, never while assisting (I-6)."""
    if (
        order.organisation_id != actor.organisation_id
        or order.user_id == actor.user_id
        or not can(actor, Permission.ORDER_APPROVE)
    ):
        return None
    tiers = approval_tiers.chain(session, organisation_id=order.organisation_id)
    if not tiers:
        if can(actor, Permission.ORDER_APPROVE, order):
            return Authority(group_id=None, on_behalf_of_id=None)
        direct = {
            user.id
            for user in _direct(
                session, organisation_id=order.organisation_id, user_id=order.user_id
            )
        }
        absent = _absent_for(session, actor=actor, order=order, approver_ids=direct, now=now)
        return None if absent is None else Authority(group_id=None, on_behalf_of_id=absent)
    current = approval_tiers.progress(session, order=order, tiers=tiers)
    per_group = [
        (
            group.id,
            _eligible(
                session, (group,), organisation_id=order.organisation_id, requester=order.user_id
            ),
        )
        for group in current.open_groups
    ]
    for group_id, members in per_group:
        if actor.user_id in members:
            return Authority(group_id=group_id, on_behalf_of_id=None)
    everyone = set().union(*(members for _, members in per_group))
    absent = _absent_for(session, actor=actor, order=order, approver_ids=everyone, now=now)
    if absent is None:
        return None
    group_id = next(group_id for group_id, members in per_group if absent in members)
    return Authority(group_id=group_id, on_behalf_of_id=absent)


def _absent_for(
    session: Session, *, actor: Actor, order: Order, approver_ids: set[int], now: datetime
) -> int | None:
    """The absent approver among `approver_ids` the actor stands in for now, if any."""
    stand = stand_ins.standing_in(
        session, organisation_id=order.organisation_id, approver_ids=approver_ids, now=now
    )
    return stand.get(actor.user_id)


def inbox(
    session: Session,
    *,
    actor: Actor,
    now: datetime | None = None,
    requester_id: int | None = None,
) -> list[Order]:
    """The orders of the active customer awaiting a decision the actor may take now (A-7), in
    their own right or as a stand-in; with `requester_id`, only that colleague's."""
    if not can(actor, Permission.ORDER_APPROVE):
        return []
    query = (
        select(Order)
        .where(
            Order.organisation_id == actor.organisation_id,
            Order.status == OrderStatus.PENDING_APPROVAL,
        )
        .order_by(Order.placed_at, Order.id)
    )
    if requester_id is not None:
        query = query.where(Order.user_id == requester_id)
    moment = now or utcnow()
    return [
        order
        for order in session.scalars(query)
        if authority(session, actor=actor, order=order, now=moment) is not None
    ]


def requesters(session: Session, *, actor: Actor, now: datetime | None = None) -> list[User]:
    """The colleagues whose orders wait in the actor's inbox (for its filter)."""
    seen = {order.user_id for order in inbox(session, actor=actor, now=now)}
    return _users(session, {user_id for user_id in seen if user_id is not None})


def decidable(
    session: Session, *, actor: Actor, order_id: int, now: datetime | None = None
) -> Order:
    """An order the actor may decide. Another customer's order, or one outside the actor's scope,
    is NotFound; the actor's own order is PermissionDenied (no self-approval, also not as a
    stand-in)."""
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
        if actor.user_id in everyone:
            return order
    elif can(actor, Permission.ORDER_APPROVE, order):
        return order
    else:
        everyone = {
            user.id
            for user in _direct(
                session, organisation_id=order.organisation_id, user_id=order.user_id
            )
        }
    if _absent_for(session, actor=actor, order=order, approver_ids=everyone, now=now or utcnow()):
        return order
    raise foreign(actor, "order", order_id, NO_ORDER)


def approve(
    session: Session, *, actor: Actor, order_id: int, now: datetime, comment: str = ""
) -> Order:
    """Accept the order: it is placed and keeps its budget reservation as spending."""
    order = decidable(session, actor=actor, order_id=order_id, now=now)
    _decide(
        session, actor=actor, order=order, decision=ApprovalAction.APPROVE, comment=comment, now=now
    )
    return order


@dataclass(frozen=True, slots=True, kw_only=True)
class BulkResult:
    """What a bulk approval did: the orders approved, and each refusal with its reason."""

    approved: tuple[Order, ...]
    refused: tuple[tuple[int, str], ...]


MAX_BULK = 100


def approve_many(
    session: Session, *, actor: Actor, order_ids: Sequence[int], now: datetime, comment: str = ""
) -> BulkResult:
    """Approve several orders at once, each on its own (a savepoint per order): one that cannot
    be approved (decided meanwhile, not in the actor's scope) is reported and leaves the others
    approved. Another customer's order is reported as not found, like a missing one."""
    if not order_ids:
        raise InvalidInput("Tick at least one order to approve.")
    if len(order_ids) > MAX_BULK:
        raise InvalidInput(f"At most {MAX_BULK} orders at once.")
    require(actor, Permission.ORDER_APPROVE)
    approved, refused = [], []
    for order_id in dict.fromkeys(order_ids):
        try:
            with session.begin_nested():
                approved.append(
                    approve(session, actor=actor, order_id=order_id, now=now, comment=comment)
                )
        except NotFound:
            refused.append((order_id, NO_ORDER))
        except (InvalidInput, PermissionDenied) as exc:
            refused.append((order_id, str(exc)))
    return BulkResult(approved=tuple(approved), refused=tuple(refused))


def reject(session: Session, *, actor: Actor, order_id: int, now: datetime, comment: str) -> Order:
    """Reject with a reason: one rejection ends it; the budget reservation is released (A-5)."""
    order = decidable(session, actor=actor, order_id=order_id, now=now)
    if not comment.strip():
        raise InvalidInput("Please say why you reject the order.")
    _decide(
        session, actor=actor, order=order, decision=ApprovalAction.REJECT, comment=comment, now=now
    )
    budgets.release(session, order_id=order.id, now=now)
    return order


@dataclass(frozen=True, slots=True, kw_only=True)
class Addition:
    """A line the approver adds while taking over: a product of the customer's assortment."""

    sku: str
    quantity: Decimal


MAX_ADDITIONS = 20


def take_over(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    quantities: Mapping[int, Decimal],
    now: datetime,
    comment: str = "",
    additions: Sequence[Addition] = (),
    on: date | None = None,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
) -> Order:
    """Change line quantities (by line number; 0 removes a line) and add lines (products of the
    requester's assortment, priced for the customer as the cart prices them on `on`), then
    accept the order. Every changed, removed and added line is recorded with its quantity
    before and after.

    The totals, the VAT and the budget reservation follow the new amount.
    """
    order = decidable(session, actor=actor, order_id=order_id, now=now)
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
    new_lines = _new_lines(session, order=order, additions=additions, on=on, vat_rates=vat_rates)
    if not new_lines and all(
        quantities.get(number, line.quantity) == 0 for number, line in lines.items()
    ):
        raise InvalidInput("Keep at least one line, or reject the order instead.")
    old_total = order.net_total
    decision = _decide(
        session,
        actor=actor,
        order=order,
        decision=ApprovalAction.TAKE_OVER,
        comment=comment,
        now=now,
    )
    for number, quantity in sorted(quantities.items()):
        line = lines[number]
        if quantity == line.quantity:
            continue
        _record_change(session, decision=decision, line=line, before=line.quantity, after=quantity)
        if quantity == 0:
            order.lines.remove(line)
            continue
        line.quantity = quantity
        line.net_amount = pricing.line_total(line.unit_price, quantity)
    for line in new_lines:
        order.lines.append(line)
        _record_change(session, decision=decision, line=line, before=None, after=line.quantity)
    vat = pricing.vat_breakdown((line.vat_rate, line.net_amount) for line in order.lines)
    order.net_total = sum((line.net_amount for line in order.lines), Decimal(0))
    order.tax_total = sum((entry.vat for entry in vat), Decimal(0))
    order.vat_breakdown = [
        {"rate": str(entry.rate), "base": str(entry.base), "vat": str(entry.vat)} for entry in vat
    ]
    session.flush()
    _adjust_reservations(session, order_id=order.id, delta=order.net_total - old_total)
    return order


def _new_lines(
    session: Session,
    *,
    order: Order,
    additions: Sequence[Addition],
    on: date | None,
    vat_rates: Mapping[str, Decimal],
) -> list[OrderLine]:
    """The added lines, priced: refused when a product is outside the requester's assortment,
    already on the order, or its quantity breaks the quantity rule."""
    if len(additions) > MAX_ADDITIONS:
        raise InvalidInput(f"At most {MAX_ADDITIONS} new lines at once.")
    if not additions:
        return []
    offered = assortment.for_customer(
        session, organisation_id=order.organisation_id, user_id=order.user_id
    )
    on_order = {line.sku: line.line_number for line in order.lines}
    number = max(on_order.values(), default=0)
    items = []
    for addition in additions:
        sku = addition.sku.strip()
        try:
            product = assortment.find_product(session, sku=sku, assortment=offered)
        except NotFound:
            raise InvalidInput(f"New line: no product {sku[:64]!r} in this assortment.") from None
        if product.sku in on_order:
            raise InvalidInput(
                "New line: %(sku)s is already line %(line)s; change its quantity instead.",
                sku=product.sku,
                line=on_order[product.sku],
            )
        try:
            carts.check_unit(product, addition.quantity)
        except InvalidInput as exc:
            raise InvalidInput(f"New line {product.sku}: {exc}") from None
        number += 1
        on_order[product.sku] = number
        items.append((number, product, carts.new_aux_id(), addition.quantity))
    priced = carts.price_items(
        session,
        items=items,
        organisation=session.get_one(Organisation, order.organisation_id),
        on=on,
        vat_rates=vat_rates,
    )
    return [
        OrderLine(
            line_number=line.line_id,
            product_id=line.product.id,
            sku=line.product.sku,
            aux_id=line.aux_id,
            description=line.product.name,
            unit=line.product.unit,
            quantity=line.quantity,
            unit_price=line.unit_price,
            net_amount=line.total,
            vat_rate=line.vat_rate,
        )
        for line in priced.lines
    ]


def _record_change(
    session: Session,
    *,
    decision: ApprovalDecision,
    line: OrderLine,
    before: Decimal | None,
    after: Decimal | None,
) -> None:
    session.add(
        ApprovalChange(
            decision_id=decision.id,
            order_id=decision.order_id,
            line_number=line.line_number,
            sku=line.sku,
            description=line.description,
            unit=line.unit,
            before=None if before is None else _quantity_text(before),
            after=None if not after else _quantity_text(after),
        )
    )


def _quantity_text(quantity: Decimal) -> str:
    return format(quantity.normalize(), "f")


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


def waiting_for(session: Session, *, order: Order, now: datetime) -> list[User]:
    """Who may decide the order now: the current tier's open groups (or the default chain's
    approvers), and the stand-ins of those away. Empty once it is decided."""
    if order.status != OrderStatus.PENDING_APPROVAL:
        return []
    tiers = approval_tiers.chain(session, organisation_id=order.organisation_id)
    if not tiers:
        return approvers(
            session, organisation_id=order.organisation_id, user_id=order.user_id, now=now
        )
    current = approval_tiers.progress(session, order=order, tiers=tiers)
    return _users(
        session,
        _with_stand_ins(
            session,
            _eligible(
                session,
                current.open_groups,
                organisation_id=order.organisation_id,
                requester=order.user_id,
            ),
            organisation_id=order.organisation_id,
            requester=order.user_id,
            now=now,
        ),
    )


def reasons(order: Order) -> list[approval_reasons.Reason]:
    """Why the order waits, each reason read back from the words checkout stored (A-1)."""
    return [approval_reasons.read(text) for text in order.approval_reasons or []]


@dataclass(frozen=True, slots=True, kw_only=True)
class BudgetEffect:
    """What an order takes from one budget: from its period's remaining amount (as it was
    before this order), and against its amount per order."""

    budget: str
    currency: str
    amount: Decimal  # this order's amount
    period: str = ""  # the period's key, e.g. 2026-12
    remaining_before: Decimal | None = None  # None: no period amount
    per_order: Decimal | None = None  # None: no amount per order

    @property
    def share(self) -> int | None:
        """The order as a whole percentage of the remaining amount (None: nothing remained or
        no period amount)."""
        if not self.remaining_before:
            return None
        return int(self.amount * 100 / self.remaining_before)

    @property
    def over(self) -> bool:
        """True when the order takes more than remained, or more than the amount per order."""
        return (self.remaining_before is not None and self.amount > self.remaining_before) or (
            self.per_order is not None and self.amount > self.per_order
        )


def budget_effects(session: Session, *, order: Order) -> list[BudgetEffect]:
    """The order's effect on each budget of its requester: the period amounts it reserves, and
    the amounts per order it is measured against."""
    if order.user_id is None:
        return []
    held = {
        counter.budget_id: (reservation, counter)
        for reservation, counter in session.execute(
            select(BudgetReservation, BudgetCounter)
            .join(BudgetCounter, BudgetCounter.id == BudgetReservation.counter_id)
            .where(BudgetReservation.order_id == order.id, BudgetReservation.released_at.is_(None))
        )
    }
    effects = []
    for budget in budgets.applicable(
        session, organisation_id=order.organisation_id, user_id=order.user_id
    ):
        reserved = held.get(budget.id)
        if reserved is None and not budget.max_order_amount:
            continue
        remaining = period = None
        if reserved is not None and budget.period_amount:
            reservation, counter = reserved
            remaining = max(
                budget.period_amount - counter.committed + reservation.amount, Decimal(0)
            )
            period = counter.period_key
        effects.append(
            BudgetEffect(
                budget=budget.name or f"#{budget.id}",
                currency=budget.currency,
                amount=order.net_total,
                period=period or "",
                remaining_before=remaining,
                per_order=budget.max_order_amount or None,
            )
        )
    return effects


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
) -> ApprovalDecision:
    comment = comment.strip()
    if len(comment) > MAX_COMMENT_LENGTH:
        raise InvalidInput(
            "The comment may be at most %(limit)s characters.", limit=MAX_COMMENT_LENGTH
        )
    if order.status != OrderStatus.PENDING_APPROVAL:
        raise InvalidInput(ALREADY_DECIDED.format(status=order.status.replace("_", " ")))
    tiers = approval_tiers.chain(session, organisation_id=order.organisation_id)
    granted = authority(session, actor=actor, order=order, now=now)
    if granted is None:
        raise InvalidInput(NOT_YOUR_TURN)
    final, current = True, None
    if tiers:
        current = approval_tiers.progress(session, order=order, tiers=tiers)
        final = len(current.open_groups) == 1 and current.tier is tiers[-1]
    if decision == ApprovalAction.REJECT:
        status = OrderStatus.REJECTED
    else:
        status = OrderStatus.PLACED if final else OrderStatus.PENDING_APPROVAL
    _move(session, order=order, status=status)
    if status != OrderStatus.PENDING_APPROVAL:
        _record_step(order, status=status, actor=actor, note=comment, now=now)
    row = ApprovalDecision(
        order_id=order.id,
        approver_id=actor.user_id,
        decision=decision,
        comment=comment,
        decided_at=now,
        group_id=granted.group_id,
        on_behalf_of_id=granted.on_behalf_of_id,
    )
    session.add(row)
    session.flush()
    if status != OrderStatus.PENDING_APPROVAL:
        approval_mail.tell_requester(session, order=order, now=now)
    else:
        previous = current.tier if current is not None else None
        _tell_next_tier(session, order=order, tiers=tiers, previous=previous, now=now)
    return row


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
            _with_stand_ins(
                session,
                _eligible(
                    session,
                    current.tier.groups,
                    organisation_id=order.organisation_id,
                    requester=order.user_id,
                ),
                organisation_id=order.organisation_id,
                requester=order.user_id,
                now=now,
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
