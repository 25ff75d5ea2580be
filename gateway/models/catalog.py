"""Products and the price lists that give customers their own prices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Column,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, ScaledDecimal, UTCDateTime, utcnow

PRICE = ScaledDecimal(4)
QUANTITY = ScaledDecimal(3)


class Category(Base):
    """A node of the category tree (English and Dutch names)."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_nl: Mapped[str] = mapped_column(String(200), default="")

    parent: Mapped[Category | None] = relationship(remote_side="Category.id")


class Product(Base):
    """A sellable article; `name`/`description` are English, the `_nl` fields Dutch."""

    __tablename__ = "product"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(3), default="EA")
    unspsc: Mapped[str] = mapped_column(String(8))
    manufacturer_name: Mapped[str | None] = mapped_column(String(120), index=True)
    manufacturer_part_id: Mapped[str | None] = mapped_column(String(64))
    list_price: Mapped[Decimal] = mapped_column(PRICE)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    lead_time_days: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    name_nl: Mapped[str] = mapped_column(String(200), default="", server_default="")
    description_nl: Mapped[str] = mapped_column(Text, default="", server_default="")
    vat_class: Mapped[str] = mapped_column(
        String(16), default="standard", server_default="standard"
    )  # standard | reduced | zero, rates in GATEWAY_VAT_RATES
    image_url: Mapped[str | None] = mapped_column(String(500))
    # What one order unit holds: `pack_quantity` of `content_unit` (UN/CEFACT; empty: pieces),
    # e.g. a pack (`unit` PK) of 10 pieces; BMEcat's NO_CU_PER_OU and CONTENT_UNIT.
    pack_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    content_unit: Mapped[str | None] = mapped_column(String(3))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    # When its data last changed: incremental catalog exports send what changed since a date.
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now(), index=True
    )

    category: Mapped[Category | None] = relationship()


class ProductImage(Base):
    """The picture of a product, stored by the gateway (PNG, JPEG, WebP or our own SVG).

    Imported images are checked by `gateway.services.catalog.images`; `digest` (SHA-256 of the
    bytes) versions the image URL so browsers may cache it.
    """

    __tablename__ = "product_image"

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True
    )
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


catalog_product = Table(
    "catalog_product",
    Base.metadata,
    Column("catalog_id", ForeignKey("catalog.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
)

organisation_catalog = Table(
    "organisation_catalog",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("catalog_id", ForeignKey("catalog.id", ondelete="CASCADE"), primary_key=True),
)

membership_catalog = Table(
    "membership_catalog",
    Base.metadata,
    Column("membership_id", ForeignKey("membership.id", ondelete="CASCADE"), primary_key=True),
    Column("catalog_id", ForeignKey("catalog.id", ondelete="CASCADE"), primary_key=True),
)


class Catalog(Base):
    """A named assortment; customers (and users within a customer) are assigned catalogs."""

    __tablename__ = "catalog"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    public: Mapped[bool] = mapped_column(default=False)  # what guests (B2C) see


class PriceList(Base):
    """A named set of customer-specific prices."""

    __tablename__ = "price_list"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]  # inclusive


price_list_assignment = Table(
    "price_list_assignment",
    Base.metadata,
    Column("organisation_id", ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True),
    Column("price_list_id", ForeignKey("price_list.id", ondelete="CASCADE"), primary_key=True),
)


class PriceListItem(Base):
    """The price of one product on a price list from a minimum quantity on."""

    __tablename__ = "price_list_item"
    __table_args__ = (UniqueConstraint("price_list_id", "product_id", "min_quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_list.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    min_quantity: Mapped[Decimal] = mapped_column(QUANTITY, default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now(), index=True
    )


class CatalogExport(Base):
    """One catalog file made for a customer's procurement system: who, what and how many."""

    __tablename__ = "catalog_export"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("trading_partner.id", ondelete="SET NULL")
    )
    format: Mapped[str] = mapped_column(String(8))  # cif | cxml | bmecat
    mode: Mapped[str] = mapped_column(String(12))  # full | incremental
    item_count: Mapped[int]
    exported_by: Mapped[str] = mapped_column(String(254))  # a staff e-mail, or "command line"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
