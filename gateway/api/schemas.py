"""The API's request and response bodies, as pydantic models: the OpenAPI document's schemas
come from these (spectree), and so does the checking of what comes in and goes out."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from gateway.models import OrderStatus

Money = str  # a decimal as text ("12.50"), never a float
DECIMAL_PATTERN = r"^\d{1,9}(\.\d{1,4})?$"


class FieldError(BaseModel):
    """One refused field: where it is (`body.carrier`, `query.limit`) and why."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: `detail` says what went wrong, `errors` which fields."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


class Strict(BaseModel):
    """A request body or query: unknown fields are refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


SourceName = Literal["shop", "cxml", "oci", "guest", "staff"]  # the desk's `Source.ALL`


class OrderQuery(Strict):
    """Filters of the order list; `cursor` continues after the page that returned it."""

    customer: str | None = Field(None, max_length=32, description="A customer number.")
    status: OrderStatus | None = None
    source: SourceName | None = None
    updated_since: AwareDatetime | None = Field(
        None, description="Placed or changed at or after this moment (ISO 8601 with offset)."
    )
    cursor: str | None = Field(
        None, pattern=r"^\d{1,18}$", description="The `next_cursor` of the page before."
    )
    limit: int = Field(50, ge=1, le=200)


class OrderSummary(BaseModel):
    """An order as the list shows it."""

    number: str
    customer: str = Field(description="The customer number.")
    status: str
    source: str
    buyer_po_number: str | None
    currency: str
    net_total: Money
    tax_total: Money
    total: Money = Field(description="Net, VAT and shipping.")
    placed_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    """One page of orders, oldest first; `next_cursor` is null on the last page."""

    items: list[OrderSummary]
    next_cursor: str | None


class OrderLineOut(BaseModel):
    """One line with what was confirmed, shipped and invoiced of it."""

    line_number: int
    sku: str
    description: str
    unit: str
    quantity: Money
    unit_price: Money
    net_amount: Money
    vat_rate: Money
    confirmed_quantity: Money | None
    shipped: Money
    invoiced: Money


class TrailDocument(BaseModel):
    """A document received from or sent to the buyer's system for this order."""

    direction: str
    document_type: str
    payload_id: str
    status: str
    at: datetime


class StatusChange(BaseModel):
    """One step of the order's history."""

    status: str
    at: datetime
    note: str


class OrderDetail(OrderSummary):
    """An order with its lines, addresses, documents and history."""

    shipping_total: Money
    requested_delivery_date: date | None
    comment: str
    ship_to: dict[str, str] | None
    bill_to: dict[str, str] | None
    lines: list[OrderLineOut]
    trail: list[TrailDocument]
    history: list[StatusChange]
    actions: list[str] = Field(description="The status actions this token may take now.")


class LineChangeIn(Strict):
    """A line confirmed with another quantity (the rest backordered), price or date."""

    line_number: int = Field(ge=1, le=100_000)
    quantity: str = Field(pattern=DECIMAL_PATTERN)
    unit_price: str | None = Field(None, pattern=DECIMAL_PATTERN)
    delivery_date: date | None = None


class ConfirmIn(Strict):
    """Confirm as ordered (no changes) or with changed lines."""

    changes: list[LineChangeIn] = Field(default_factory=list, max_length=1000)


class ShipLineIn(Strict):
    """How much of one line this shipment carries."""

    line_number: int = Field(ge=1, le=100_000)
    quantity: str = Field(pattern=DECIMAL_PATTERN)


class ShipIn(Strict):
    """A shipment: carrier and tracking number; without `lines`, everything not yet shipped."""

    carrier: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=1, max_length=100)
    lines: list[ShipLineIn] | None = Field(None, max_length=1000)


class RejectIn(Strict):
    """Why the order is rejected (sent to the buyer)."""

    reason: str = Field(min_length=1, max_length=500)


class Empty(Strict):
    """No fields."""
