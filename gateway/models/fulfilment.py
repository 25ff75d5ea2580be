"""What staff did with an order after it arrived: line confirmations, shipments, invoices.

Rows of their own, so the order and its lines stay as the customer placed them: a confirmed
quantity or price, a partial shipment or an invoice never overwrites what was ordered.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import PRICE, QUANTITY


class LineConfirmation(Base):
    """How staff confirmed one order line: the quantity accepted now (the rest backordered),
    a changed unit price, a delivery date."""

    __tablename__ = "order_line_confirmation"
    __table_args__ = (UniqueConstraint("order_id", "line_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    line_number: Mapped[int]
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)  # accepted now; 0: all backordered
    backordered: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(0))
    unit_price: Mapped[Decimal | None] = mapped_column(PRICE)  # None: the ordered price
    delivery_date: Mapped[date | None]
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Shipment(Base):
    """One shipment of (part of) an order, with its carrier and tracking number."""

    __tablename__ = "order_shipment"
    __table_args__ = (UniqueConstraint("order_id", "shipment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    shipment_id: Mapped[str] = mapped_column(String(100))
    carrier: Mapped[str | None] = mapped_column(String(100))
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    lines: Mapped[list[ShipmentLine]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLine.line_number"
    )


class ShipmentLine(Base):
    """How much of one order line a shipment holds."""

    __tablename__ = "order_shipment_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("order_shipment.id"), index=True)
    line_number: Mapped[int]
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)

    shipment: Mapped[Shipment] = relationship(back_populates="lines")


class Invoice(Base):
    """An invoice for what was shipped and not yet invoiced; numbered `INV-<year>-<n>`."""

    __tablename__ = "order_invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    invoiced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(PRICE)
    tax_total: Mapped[Decimal] = mapped_column(PRICE)
    vat_breakdown: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.line_number"
    )


class InvoiceLine(Base):
    """One invoiced order line, with the price and VAT rate billed."""

    __tablename__ = "order_invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("order_invoice.id"), index=True)
    line_number: Mapped[int]
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    net_amount: Mapped[Decimal] = mapped_column(PRICE)
    vat_rate: Mapped[Decimal] = mapped_column(PRICE, default=Decimal(0))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")
