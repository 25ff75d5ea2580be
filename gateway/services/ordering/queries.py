"""Read-only views of a customer's orders, for operators and scripts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput
from gateway.models import Order, Organisation
from gateway.services.ordering.price_check import Problem, problems_of

MAX_ID_DIGITS = 18  # an order id fits a BIGINT; longer digit strings are not ids


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSummary:
    """One order as `gateway orders list` shows it: `total` excludes VAT, as the shop's order
    pages show it; `total_incl_vat` adds VAT and shipping."""

    id: int
    number: str
    buyer_reference: str | None
    source: str
    status: str
    total: Decimal
    total_incl_vat: Decimal
    currency: str
    placed_at: datetime
    deployment_mode: str  # a DeploymentMode: test orders are never counted
    problems: tuple[Problem, ...] = ()  # what the intake found wrong (`price_check`)


def list_orders(session: Session, *, customer_number: str) -> list[OrderSummary]:
    """The customer's orders from every source, newest first."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == customer_number)
    )
    if organisation is None:
        raise InvalidInput(f"No customer numbered {customer_number!r}.")
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.organisation_id == organisation.id)
            .order_by(Order.placed_at.desc(), Order.id.desc())
        )
    )
    problems = problems_of(session, (order.id for order in orders))
    return [
        OrderSummary(
            id=order.id,
            number=order.number,
            buyer_reference=order.buyer_reference,
            source=order.source,
            status=order.status,
            total=order.net_total,
            total_incl_vat=order.net_total + order.tax_total + order.shipping_total,
            currency=order.currency,
            placed_at=order.placed_at,
            deployment_mode=order.deployment_mode,
            problems=tuple(problems.get(order.id, ())),
        )
        for order in orders
    ]


def find_order(session: Session, reference: str) -> Order:
    """An order by its id (digits) or its number (`CX…`, `S…`); InvalidInput when unknown."""
    reference = reference.strip()
    if reference.isdecimal() and len(reference) <= MAX_ID_DIGITS:
        order = session.get(Order, int(reference))
    else:
        found = list(session.scalars(select(Order).where(Order.number == reference).limit(2)))
        if len(found) > 1:
            raise InvalidInput(f"Several orders are numbered {reference!r}; give the id.")
        order = found[0] if found else None
    if order is None:
        raise InvalidInput(f"No order {reference[:40]!r}.")
    return order
