"""Checkout: gather what the rules need into `CheckoutInfo`, check it, then place the order.

Budgets and approvals hook in here: the role's hard order-value limits (O-3) and `block` budgets
are problems; the role's "every order needs approval" and exceeded `require_approval` budgets
place the order as `pending_approval` with the reasons (A-1). Budgets are reserved with
conditional updates inside a savepoint, so a lost race undoes everything (B-5).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth import scope
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.db import utcnow
from gateway.errors import BudgetExceeded, NotFound
from gateway.models import (
    Address,
    AddressKind,
    Cart,
    CartStatus,
    Catalog,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
    Organisation,
    Product,
    catalog_product,
)
from gateway.services.catalog import assortment, pricing
from gateway.services.labels import N_
from gateway.services.ordering import carts, numbering
from gateway.services.purchasing import approval_mail, approvals, budget_alerts, budgets
from gateway.services.purchasing.approval_reasons import catalog_reason

MAX_REFERENCE_LENGTH = 100
MAX_COMMENT_LENGTH = 2000
MAX_DELIVERY_DAYS_AHEAD = 366
NO_DELIVERY_ADDRESS = "No such delivery address."


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutForm:
    """What the buyer chose at checkout."""

    delivery_address_id: int | None
    buyer_reference: str = ""
    requested_delivery_date: date | None = None
    comment: str = ""
    cart_digest: str = ""  # what the buyer saw; another digest means the cart changed since


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutInfo:
    """Everything the checkout rules look at, gathered once."""

    actor: Actor
    organisation: Organisation
    cart: Cart
    priced: carts.PricedCart
    delivery_address: Address
    billing_address: Address | None
    form: CheckoutForm
    today: date
    unavailable: tuple[str, ...]  # SKUs no longer active or in the assortment
    budget_check: budgets.BudgetCheck
    catalog_reasons: tuple[str, ...] = ()  # the role's "by catalog" approval rule

    @property
    def approval_reasons(self) -> tuple[str, ...]:
        """Why the order waits for an approver: the role, its catalogs, then the budgets."""
        return approval_reasons(self.budget_check, self.catalog_reasons)


class Verdict(StrEnum):
    """What placing the order would do (`CheckoutPreview.verdict`)."""

    OK = "ok"  # within the limits: placed at once
    APPROVAL = "approval"  # placed, then waits for an approver
    BLOCKED = "blocked"  # cannot be placed


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutPreview:
    """What will happen when the buyer places the order, shown before "Place order": the reasons
    it cannot be placed (role minimum or maximum, `block` budgets) and the reasons it will need
    approval, each in words."""

    blocked: tuple[str, ...]
    approval: tuple[str, ...]

    @property
    def verdict(self) -> Verdict:
        """The strictest outcome: blocked > approval > ok."""
        if self.blocked:
            return Verdict.BLOCKED
        return Verdict.APPROVAL if self.approval else Verdict.OK


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutProblem:
    """Why the order cannot be placed: the form field concerned and a message for the buyer."""

    field: str
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckoutResult:
    """The placed order, or the problems that stopped it (with the inputs, to show them again)."""

    info: CheckoutInfo
    order: Order | None
    problems: tuple[CheckoutProblem, ...] = ()

    @property
    def needs_approval(self) -> bool:
        """True when the order was placed but awaits an approver."""
        return self.order is not None and self.order.status == OrderStatus.PENDING_APPROVAL


def addresses(session: Session, *, organisation_id: int, kind: AddressKind) -> list[Address]:
    """A customer's addresses of one kind, the default first."""
    return list(
        session.scalars(
            select(Address)
            .where(Address.organisation_id == organisation_id, Address.kind == kind)
            .order_by(Address.is_default.desc(), Address.id)
        )
    )


def addresses_of(session: Session, organisation_ids: Sequence[int]) -> dict[int, list[Address]]:
    """Several customers' addresses in one query: billing before delivery, each kind's default
    first (as `addresses` orders one kind)."""
    found: dict[int, list[Address]] = {organisation_id: [] for organisation_id in organisation_ids}
    rows = session.scalars(
        select(Address)
        .where(Address.organisation_id.in_(found))
        .order_by(Address.organisation_id, Address.kind, Address.is_default.desc(), Address.id)
    )
    for address in rows:
        found[address.organisation_id].append(address)
    return found


def cart_digest(priced: carts.PricedCart) -> str:
    """A fingerprint of the cart's lines and prices, carried by the checkout form."""
    text = "|".join(
        f"{line.product.sku}:{line.quantity}:{line.unit_price}" for line in priced.lines
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def defaults(
    session: Session, *, actor: Actor, priced: carts.PricedCart, today: date
) -> CheckoutForm:
    """The form pre-filled from the customer: posting it unchanged places the order."""
    delivery = addresses(session, organisation_id=actor.organisation_id, kind=AddressKind.DELIVERY)
    lead_time = max((line.product.lead_time_days or 0 for line in priced.lines), default=0)
    return CheckoutForm(
        delivery_address_id=delivery[0].id if delivery else None,
        requested_delivery_date=today + timedelta(days=max(lead_time, 1)),
        cart_digest=cart_digest(priced),
    )


def gather(
    session: Session,
    *,
    actor: Actor,
    cart: Cart,
    form: CheckoutForm,
    today: date,
    now: datetime | None = None,
    zone: str = pricing.DEFAULT_TIMEZONE,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
) -> CheckoutInfo:
    """Collect the checkout's inputs; an address of another customer is NotFound (O-4).

    `now` places the order in its budget period (default: the current instant).
    """
    require(actor, Permission.ORDER_PLACE, cart)
    organisation = session.get_one(Organisation, actor.organisation_id)
    address = scope.load(
        session, Address, form.delivery_address_id, actor=actor, message=NO_DELIVERY_ADDRESS
    )
    if address.kind != AddressKind.DELIVERY:
        raise NotFound(NO_DELIVERY_ADDRESS)
    visible = assortment.for_customer(
        session, organisation_id=actor.organisation_id, user_id=actor.user_id
    )
    available = set(
        session.scalars(
            select(Product.id).where(
                Product.id.in_([line.product_id for line in cart.lines]),
                Product.active,
                visible.condition(),
            )
        )
    )
    billing = addresses(session, organisation_id=actor.organisation_id, kind=AddressKind.BILLING)
    priced = carts.price_cart(
        session, cart=cart, organisation=organisation, on=today, vat_rates=vat_rates
    )
    return CheckoutInfo(
        actor=actor,
        organisation=organisation,
        cart=cart,
        priced=priced,
        delivery_address=address,
        billing_address=billing[0] if billing else None,
        form=form,
        today=today,
        unavailable=tuple(
            sorted(line.product.sku for line in cart.lines if line.product_id not in available)
        ),
        budget_check=budget_check(
            session, actor=actor, priced=priced, now=now or utcnow(), zone=zone
        ),
        catalog_reasons=catalog_reasons(session, actor=actor, priced=priced),
    )


def budget_check(
    session: Session, *, actor: Actor, priced: carts.PricedCart, now: datetime, zone: str
) -> budgets.BudgetCheck:
    """The cart's amount (net, without tax) against the actor's budgets and role, shown before
    placing."""
    return budgets.check_order(
        session, actor=actor, amount=priced.total, currency=priced.currency, now=now, zone=zone
    )


def catalog_reasons(session: Session, *, actor: Actor, priced: carts.PricedCart) -> tuple[str, ...]:
    """The role's "by catalog" rule: one reason per approval catalog the cart has products of."""
    if not actor.approval_catalog_ids or not priced.lines:
        return ()
    names = session.scalars(
        select(Catalog.name)
        .join(catalog_product, catalog_product.c.catalog_id == Catalog.id)
        .where(
            Catalog.id.in_(sorted(actor.approval_catalog_ids)),
            catalog_product.c.product_id.in_([line.product.id for line in priced.lines]),
        )
        .distinct()
        .order_by(Catalog.name)
    )
    return tuple(catalog_reason(name) for name in names)


def approval_reasons(check: budgets.BudgetCheck, by_catalog: tuple[str, ...]) -> tuple[str, ...]:
    """Every reason an order waits for approval (A-1), in the order shown and stored."""
    role_first = check.approval_reasons
    if check.role_needs_approval:
        return role_first[:1] + by_catalog + role_first[1:]
    return by_catalog + role_first


def limit_problems(actor: Actor, priced: carts.PricedCart) -> tuple[CheckoutProblem, ...]:
    """The role's hard minimum and maximum order value (O-3), naming the limit."""
    problems = []
    currency = priced.currency
    low, high = actor.min_order_value, actor.max_order_value
    if priced.lines and low is not None and priced.total < low:
        problems.append(
            CheckoutProblem(
                field="limit",
                message=f"Your role's minimum order value is {currency} {low:.2f} "
                f"(excl. VAT); this order is {currency} {priced.total:.2f}.",
            )
        )
    if high is not None and priced.total > high:
        problems.append(
            CheckoutProblem(
                field="limit",
                message=f"Your role's maximum order value is {currency} {high:.2f} "
                f"(excl. VAT); this order is {currency} {priced.total:.2f}.",
            )
        )
    return tuple(problems)


def preview(
    session: Session, *, actor: Actor, priced: carts.PricedCart, check: budgets.BudgetCheck
) -> CheckoutPreview:
    """What placing this cart would do now, for the checkout page (`place_order` decides)."""
    return CheckoutPreview(
        blocked=tuple(p.message for p in limit_problems(actor, priced)) + check.refusals,
        approval=approval_reasons(check, catalog_reasons(session, actor=actor, priced=priced)),
    )


def evaluate(info: CheckoutInfo) -> tuple[CheckoutProblem, ...]:
    """Every reason the order cannot be placed as it stands (empty: it can)."""
    problems = []
    if not info.priced.lines:
        problems.append(CheckoutProblem(field="cart", message=N_("Your cart is empty.")))
    if info.unavailable:
        problems.append(
            CheckoutProblem(
                field="cart",
                message="No longer available, please remove: " + ", ".join(info.unavailable),
            )
        )
    if info.form.cart_digest != cart_digest(info.priced):
        problems.append(
            CheckoutProblem(
                field="cart",
                message=N_(
                    "Your cart or its prices changed since you opened checkout. "
                    "Please check the order again."
                ),
            )
        )
    wanted = info.form.requested_delivery_date
    if wanted is not None and wanted <= info.today:
        problems.append(
            CheckoutProblem(
                field="requested_delivery_date", message=N_("Choose a delivery date after today.")
            )
        )
    if wanted is not None and wanted > info.today + timedelta(days=MAX_DELIVERY_DAYS_AHEAD):
        problems.append(
            CheckoutProblem(
                field="requested_delivery_date",
                message=N_("Choose a delivery date within a year."),
            )
        )
    if len(info.form.buyer_reference) > MAX_REFERENCE_LENGTH:
        problems.append(
            CheckoutProblem(
                field="buyer_reference",
                message=f"The PO reference may be at most {MAX_REFERENCE_LENGTH} characters.",
            )
        )
    problems.extend(limit_problems(info.actor, info.priced))
    problems.extend(
        CheckoutProblem(field="budget", message=message) for message in info.budget_check.refusals
    )
    if len(info.form.comment) > MAX_COMMENT_LENGTH:
        problems.append(
            CheckoutProblem(
                field="comment",
                message=f"The comment may be at most {MAX_COMMENT_LENGTH} characters.",
            )
        )
    return tuple(problems)


def place_order(
    session: Session,
    *,
    actor: Actor,
    cart: Cart,
    form: CheckoutForm,
    now: datetime,
    today: date,
    zone: str = pricing.DEFAULT_TIMEZONE,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
    form_problems: tuple[CheckoutProblem, ...] = (),
) -> CheckoutResult:
    """Check the checkout and, when nothing is wrong, turn the cart into an order: `placed`, or
    `pending_approval` with the reasons when it needs an approver.

    `form_problems` are what the caller found while reading the form (an unreadable date).
    """
    info = gather(
        session,
        actor=actor,
        cart=cart,
        form=form,
        today=today,
        now=now,
        zone=zone,
        vat_rates=vat_rates,
    )
    problems = form_problems + evaluate(info)
    if problems:
        return CheckoutResult(info=info, order=None, problems=problems)
    reasons = list(info.approval_reasons)
    if reasons and not _has_approver(session, actor):
        return CheckoutResult(info=info, order=None, problems=(_NO_APPROVER,))
    try:
        reservations, over = _reserve(session, info=info, reasons=reasons, now=now, zone=zone)
    except BudgetExceeded as exc:
        return CheckoutResult(
            info=info, order=None, problems=(CheckoutProblem(field="budget", message=str(exc)),)
        )
    reasons.extend(over)
    order = order_from_lines(
        session,
        organisation_id=info.organisation.id,
        priced=info.priced,
        status=OrderStatus.PENDING_APPROVAL if reasons else OrderStatus.PLACED,
        now=now,
        user_id=actor.user_id,
        note=" ".join(reasons),
        zone=zone,
    )
    order.approval_reasons = reasons or None
    order.placed_by_id = actor.acting_staff_id or actor.user_id  # staff on behalf (I-5)
    budgets.record(session, order=order, reservations=reservations)
    budget_alerts.after_reserve(
        session,
        budgets=[current.budget for current in info.budget_check.states],
        now=now,
        zone=zone,
    )
    order.buyer_reference = form.buyer_reference or None
    order.requested_delivery_date = form.requested_delivery_date
    order.comment = form.comment
    order.ship_to = info.delivery_address.as_dict()
    order.bill_to = info.billing_address.as_dict() if info.billing_address else None
    cart.status = CartStatus.ORDERED
    session.flush()
    if reasons:
        approval_mail.tell_approvers(
            session,
            order=order,
            approvers=approvals.approvers(
                session, organisation_id=order.organisation_id, user_id=order.user_id
            ),
            now=now,
        )
    return CheckoutResult(info=info, order=order)


def _reserve(
    session: Session, *, info: CheckoutInfo, reasons: list[str], now: datetime, zone: str
) -> tuple[list[budgets.Reservation], list[str]]:
    """Reserve the order's amount on its budgets inside a savepoint: a `block` budget without
    room, or a newly needed approval nobody can give, undoes every reservation (BudgetExceeded).
    Returns the reservations and the budgets newly exceeded by a concurrent order."""
    with session.begin_nested():
        reservations = budgets.reserve(
            session,
            budgets=[current.budget for current in info.budget_check.states],
            amount=info.priced.total,
            now=now,
            zone=zone,
        )
        over = [
            message
            for taken in reservations
            if taken.over is not None
            and (message := taken.over.message(info.priced.currency)) not in reasons
        ]
        if over and not reasons and not _has_approver(session, info.actor):
            raise BudgetExceeded(_NO_APPROVER.message)
    return reservations, over


_NO_APPROVER = CheckoutProblem(
    field="budget",
    message=N_(
        "This order needs approval, but your customer has nobody who may approve it. "
        "Please ask your superuser."
    ),
)


def _has_approver(session: Session, actor: Actor) -> bool:
    """No order waits for an approver who cannot exist (A-3)."""
    return approvals.approvable(
        session, organisation_id=actor.organisation_id, user_id=actor.user_id
    )


def order_from_lines(
    session: Session,
    *,
    organisation_id: int,
    priced: carts.PricedCart,
    status: OrderStatus,
    now: datetime,
    user_id: int | None = None,
    note: str = "",
    zone: str = pricing.DEFAULT_TIMEZONE,
) -> Order:
    """A new shop order with the priced lines, totals, VAT breakdown and first history step."""
    order = Order(
        number=numbering.next_order_number(session, now=now, zone=zone),
        organisation_id=organisation_id,
        user_id=user_id,
        placed_by_id=user_id,
        source=OrderSource.SHOP,
        status=status,
        currency=priced.currency,
        net_total=priced.total,
        tax_total=priced.vat_total,
        placed_at=now,
        vat_breakdown=[
            {"rate": str(vat.rate), "base": str(vat.base), "vat": str(vat.vat)}
            for vat in priced.vat
        ],
        lines=[
            OrderLine(
                line_number=number,
                product_id=line.product.id,
                sku=line.product.sku,
                aux_id=line.aux_id or None,
                description=line.product.name,
                unit=line.product.unit,
                quantity=line.quantity,
                unit_price=line.unit_price,
                net_amount=line.total,
                vat_rate=line.vat_rate,
            )
            for number, line in enumerate(priced.lines, start=1)
        ],
        history=[
            OrderStatusChange(status=status, changed_at=now, changed_by_id=user_id, note=note)
        ],
    )
    session.add(order)
    session.flush()
    return order
