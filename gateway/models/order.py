"""Orders: placed in the shop, or received from a buyer's system (cXML OrderRequest, OCI)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import PRICE, QUANTITY
from gateway.models.user import User


class OrderStatus(StrEnum):
    """Where an order stands (`Order.status`, `OrderStatusChange.status`); stored as its value."""

    RECEIVED = "received"  # from a buyer's system, not yet accepted by staff
    ON_HOLD = "on_hold"  # from a buyer's system, with problems (prices): staff release or reject
    PENDING_APPROVAL = "pending_approval"  # placed in the shop, awaiting the customer's approvers
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PARTIALLY_SHIPPED = "partially_shipped"  # some of it left the warehouse (order desk)
    SHIPPED = "shipped"
    INVOICED = "invoiced"  # everything shipped has been invoiced (order desk)
    CANCELLED = "cancelled"
    REJECTED = "rejected"


class OrderSource(StrEnum):
    """Where an order came from (`Order.source`)."""

    SHOP = "shop"  # placed in the shop (customers, staff on their behalf, guests)
    CXML = "cxml"  # a buyer's cXML OrderRequest


class DeploymentMode(StrEnum):
    """A cXML document's `deploymentMode`, kept on orders and punchout sessions.

    Test documents come from a buyer's test account: recorded and shown, never counted. Shop,
    guest and OCI orders are production; a punchout keeps the mode of its setup request.
    """

    PRODUCTION = "production"
    TEST = "test"


class Order(Base):
    """An order of one customer; `source` says where it came from (an `OrderSource`)."""

    __tablename__ = "customer_order"
    __table_args__ = (
        UniqueConstraint("organisation_id", "number"),
        # A customer's orders awaiting approval (budget checks), and its newest orders (history).
        Index("ix_customer_order_organisation_status", "organisation_id", "status"),
        Index("ix_customer_order_organisation_placed", "organisation_id", "placed_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    source: Mapped[str] = mapped_column(String(8), default=OrderSource.SHOP)
    deployment_mode: Mapped[str] = mapped_column(
        String(10), default=DeploymentMode.PRODUCTION, server_default=DeploymentMode.PRODUCTION
    )
    status: Mapped[str] = mapped_column(String(20), index=True)  # an OrderStatus
    buyer_reference: Mapped[str | None] = mapped_column(String(100))  # the buyer's PO number
    currency: Mapped[str] = mapped_column(String(3))
    net_total: Mapped[Decimal] = mapped_column(PRICE)
    tax_total: Mapped[Decimal] = mapped_column(PRICE, default=Decimal(0))
    shipping_total: Mapped[Decimal] = mapped_column(PRICE, default=Decimal(0))
    requested_delivery_date: Mapped[date | None]
    ship_to: Mapped[dict[str, str] | None] = mapped_column(JSON)
    bill_to: Mapped[dict[str, str] | None] = mapped_column(JSON)
    comment: Mapped[str] = mapped_column(Text, default="")
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    vat_breakdown: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)  # rate, base, vat
    # Guest (B2C) orders: only what delivery needs, reachable through an unguessable link.
    guest_name: Mapped[str | None] = mapped_column(String(200))
    guest_email: Mapped[str | None] = mapped_column(String(254))
    guest_phone: Mapped[str | None] = mapped_column(String(40))
    access_token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Why the order awaits approval (role, budgets): shown to requester and approver.
    approval_reasons: Mapped[list[str] | None] = mapped_column(JSON)
    # Bumped by every approval decision: of two simultaneous deciders only one wins.
    approval_version: Mapped[int] = mapped_column(default=0, server_default="0")

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.line_number"
    )
    history: Mapped[list[OrderStatusChange]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderStatusChange.id"
    )
    # Who ordered, and who placed it (a staff member shopping as the customer, b2b-rules I-5).
    user: Mapped[User | None] = relationship(foreign_keys=[user_id], viewonly=True)
    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id], viewonly=True)


class OrderNumberCounter(Base):
    """The last order number given out in a year: `YYYY-NNNNNN`, one row a year, raised in the
    transaction that creates the order (the row lock serialises simultaneous orders)."""

    __tablename__ = "order_number_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class OrderLine(Base):
    """One line of an order, with the product data as it was when ordered."""

    __tablename__ = "order_line"
    __table_args__ = (UniqueConstraint("order_id", "line_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"))
    line_number: Mapped[int]
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(64))
    aux_id: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(3))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    net_amount: Mapped[Decimal] = mapped_column(PRICE)
    vat_rate: Mapped[Decimal] = mapped_column(PRICE, default=Decimal(0))

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderStatusChange(Base):
    """One step in an order's status history: who, when, why."""

    __tablename__ = "order_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))  # an OrderStatus
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship(back_populates="history")
