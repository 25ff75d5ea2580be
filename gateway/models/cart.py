"""Carts and their lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import QUANTITY, Product
from gateway.models.quote import QuoteLine


class CartStatus(StrEnum):
    """Where a cart stands (`Cart.status`): filled, then ordered or sent back to the buyer."""

    OPEN = "open"
    ORDERED = "ordered"  # checked out in the shop
    TRANSFERRED = "transferred"  # returned to the buyer's system (punchout)


class Cart(Base):
    """A user's cart for one customer; punchout carts belong to their punchout session."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    punchout_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("punchout_session.id"), unique=True
    )
    status: Mapped[str] = mapped_column(String(16), default=CartStatus.OPEN)
    # A fresh cart staff fill while shopping as the customer (I-4), never the user's saved one.
    assisted_session_id: Mapped[int | None] = mapped_column(ForeignKey("shop_session.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[CartLine]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartLine.id"
    )


class CartLine(Base):
    """One product in a cart; `aux_id` is the SupplierPartAuxiliaryID the buyer keeps."""

    __tablename__ = "cart_line"
    __table_args__ = (UniqueConstraint("cart_id", "aux_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    aux_id: Mapped[str] = mapped_column(String(100), index=True)  # OrderRequests trace SPAIDs
    # A line of an accepted quote: it keeps the quoted price and quantity.
    quote_line_id: Mapped[int | None] = mapped_column(ForeignKey("quote_line.id"), index=True)

    cart: Mapped[Cart] = relationship(back_populates="lines")
    # Loaded with the lines in one more query, so a cart page does not query once per line.
    product: Mapped[Product] = relationship(lazy="selectin")
    quote_line: Mapped[QuoteLine | None] = relationship(lazy="selectin")
