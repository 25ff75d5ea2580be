"""Read-only views of a customer's orders, for operators and scripts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput
from gateway.models import Order, Organisation


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSummary:
    """One order as `gateway orders list` shows it; `total` includes tax and shipping."""

    id: int
    number: str
    buyer_reference: str | None
    source: str
    status: str
    total: Decimal
    currency: str
    placed_at: datetime
    deployment_mode: str  # a DeploymentMode: test orders are never counted


def list_orders(session: Session, *, customer_number: str) -> list[OrderSummary]:
    """The customer's orders from every source, newest first."""
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == customer_number)
    )
    if organisation is None:
        raise InvalidInput(f"No customer numbered {customer_number!r}.")
    orders = session.scalars(
        select(Order)
        .where(Order.organisation_id == organisation.id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
    )
    return [
        OrderSummary(
            id=order.id,
            number=order.number,
            buyer_reference=order.buyer_reference,
            source=order.source,
            status=order.status,
            total=order.net_total + order.tax_total + order.shipping_total,
            currency=order.currency,
            placed_at=order.placed_at,
            deployment_mode=order.deployment_mode,
        )
        for order in orders
    ]
