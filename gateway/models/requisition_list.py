"""Requisition lists: the standing orders of a user or punchout identity, shareable."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import QUANTITY, Product


class RequisitionList(Base):
    """A named list of products and quantities of one customer.

    It belongs to its owner: a shop user (`punchout_identity_id` None) or, made inside a punchout,
    the punchout identity the partner's user acts as. `shared` shows it to the whole customer.
    """

    __tablename__ = "requisition_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    punchout_identity_id: Mapped[int | None] = mapped_column(
        ForeignKey("punchout_identity.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lines: Mapped[list[RequisitionListLine]] = relationship(
        back_populates="requisition_list",
        cascade="all, delete-orphan",
        order_by="RequisitionListLine.id",
    )


class RequisitionListLine(Base):
    """One product of a list, once per list."""

    __tablename__ = "requisition_list_line"
    __table_args__ = (UniqueConstraint("list_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("requisition_list.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)

    requisition_list: Mapped[RequisitionList] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship(lazy="selectin")
