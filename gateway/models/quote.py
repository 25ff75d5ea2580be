"""Quotes: a cart turned into a request for prices, answered by staff, accepted by the buyer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import PRICE, QUANTITY, Product


class QuoteStatus(StrEnum):
    """Where a quote stands (`Quote.status`); `expired` is an answered quote past its date."""

    REQUESTED = "requested"
    ANSWERED = "answered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"


class Quote(Base):
    """A buyer's request for prices on a cart's lines, and the supplier's answer."""

    __tablename__ = "quote"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    # who really asked: the staff member shopping as the user, else the user (b2b-rules I-5)
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[str] = mapped_column(String(16), default=QuoteStatus.REQUESTED)
    note: Mapped[str] = mapped_column(Text, default="")
    answer_note: Mapped[str] = mapped_column(Text, default="")
    currency: Mapped[str] = mapped_column(String(3))
    valid_until: Mapped[date | None] = mapped_column(Date)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    lines: Mapped[list[QuoteLine]] = relationship(
        back_populates="quote", cascade="all, delete-orphan", order_by="QuoteLine.position"
    )

    @property
    def reference(self) -> str:
        """The quote's number as buyers see it and carts carry it (`Q000042`)."""
        return f"Q{self.id:06d}"

    def status_on(self, today: date) -> QuoteStatus:
        """The status as of `today`: an answered quote past its validity date has expired."""
        if (
            self.status == QuoteStatus.ANSWERED
            and self.valid_until is not None
            and self.valid_until < today
        ):
            return QuoteStatus.EXPIRED
        return QuoteStatus(self.status)


class QuoteLine(Base):
    """One product of a quote; `unit_price` is the supplier's answer (None until answered)."""

    __tablename__ = "quote_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id"), index=True)
    position: Mapped[int]
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit_price: Mapped[Decimal | None] = mapped_column(PRICE)

    quote: Mapped[Quote] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="selectin")

    @property
    def aux_id(self) -> str:
        """The SupplierPartAuxiliaryID of the cart line it becomes: quote and line (`Q000042-1`)."""
        return f"{self.quote.reference}-{self.position}"
