"""Products and the price lists that give customers their own prices."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base, ScaledDecimal

PRICE = ScaledDecimal(4)
QUANTITY = ScaledDecimal(3)


class Product(Base):
    """A sellable article."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(3), default="EA")
    unspsc: Mapped[str] = mapped_column(String(8))
    manufacturer_name: Mapped[str | None] = mapped_column(String(120))
    manufacturer_part_id: Mapped[str | None] = mapped_column(String(64))
    list_price: Mapped[Decimal] = mapped_column(PRICE)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    lead_time_days: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)


class PriceList(Base):
    """A named set of customer-specific prices."""

    __tablename__ = "price_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")


class PriceListItem(Base):
    """The price of one product on a price list from a minimum quantity on."""

    __tablename__ = "price_list_item"
    __table_args__ = (UniqueConstraint("price_list_id", "product_id", "min_quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_list.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    min_quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
