"""Catalog files for a customer's procurement system: CIF 3.0, a cXML Index or BMEcat 2005.

Each holds the customer's assortment at the customer's prices (and, where the format has
them, its quantity tiers) with a link to each product's picture (`picture_links`), so that
buyers whose systems hold a static catalog order at their contract prices. Products are read
in batches by SKU and written as they come, so a catalog of any size streams. An incremental
export holds what changed since a date: products whose data or whose prices on the customer's
price lists changed, and products deactivated since (to delete). Every export is recorded.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any
from urllib.parse import quote

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from gateway.catalogs import CatalogHeader, CatalogItem, PriceTier, bmecat, cif, cxml_index
from gateway.errors import InvalidInput, NotFound
from gateway.models import CatalogExport, Organisation, PriceListItem, Product, TradingPartner
from gateway.services.catalog import assortment, picture_links, pricing

BATCH = 500
DEFAULT_LEAD_TIME_DAYS = 5  # for products without one, where the format needs it (cXML)


class ExportFormat(StrEnum):
    """The catalog formats buyers' systems load."""

    CIF = "cif"  # SAP Ariba, Coupa
    CXML = "cxml"  # a cXML Index: SAP Ariba, Coupa
    BMECAT = "bmecat"  # SAP systems, German marketplaces


class ExportMode(StrEnum):
    """A full catalog replaces what the buyer holds; an incremental one changes it."""

    FULL = "full"
    INCREMENTAL = "incremental"


FILE_NAMES = {
    ExportFormat.CIF: "catalog-{number}.cif",
    ExportFormat.CXML: "catalog-{number}-cxml.xml",
    ExportFormat.BMECAT: "catalog-{number}-bmecat.xml",
}
CONTENT_TYPES = {
    ExportFormat.CIF: "text/csv; charset=utf-8",
    ExportFormat.CXML: "application/xml",
    ExportFormat.BMECAT: "application/xml",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportOptions:
    """What to export. `since` is required for (and only read by) an incremental export;
    `prices_only` makes an incremental BMEcat a T_UPDATE_PRICES; `default_lead_time_days`
    stands in for products without a lead time where the format requires one (cXML)."""

    format: ExportFormat
    mode: ExportMode = ExportMode.FULL
    since: datetime | None = None
    punchout_items: bool = False
    prices_only: bool = False
    language: str = "en"
    default_lead_time_days: int = DEFAULT_LEAD_TIME_DAYS


@dataclass(frozen=True, slots=True, kw_only=True)
class Supplier:
    """Who the catalog is from (configuration): the identity buyers know us by, our name, the
    shop's address, the VAT rates and the key that signs picture links."""

    domain: str
    identity: str
    name: str
    base_url: str
    vat_rates: Mapping[str, Decimal]
    picture_key: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Supplier:
        """The supplier as the gateway's settings describe it."""
        return cls(
            domain=config["GATEWAY_SUPPLIER_DOMAIN"],
            identity=config["GATEWAY_SUPPLIER_IDENTITY"],
            name=config["GATEWAY_SUPPLIER_NAME"],
            base_url=config["GATEWAY_BASE_URL"],
            vat_rates=config["GATEWAY_VAT_RATES"],
            picture_key=config["GATEWAY_PICTURE_KEY"],
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportPlan:
    """A checked export, ready to write: the customer, its partner and the file's header."""

    organisation: Organisation
    partner: TradingPartner | None
    options: ExportOptions
    supplier: Supplier
    header: CatalogHeader


def customer(session: Session, number: str) -> Organisation:
    """A customer by number, or NotFound."""
    organisation = session.scalar(select(Organisation).where(Organisation.number == number))
    if organisation is None:
        raise NotFound(f"No customer {number!r}.")
    return organisation


def prepare(
    session: Session,
    *,
    organisation: Organisation,
    options: ExportOptions,
    supplier: Supplier,
    now: datetime,
    partner_name: str | None = None,
) -> ExportPlan:
    """Check an export and count its items; InvalidInput names what is wrong."""
    partner = _partner(session, organisation, partner_name)
    if options.mode == ExportMode.INCREMENTAL and options.since is None:
        raise InvalidInput("An incremental export needs --since (the date of the last export).")
    if options.prices_only and (
        options.format != ExportFormat.BMECAT or options.mode != ExportMode.INCREMENTAL
    ):
        raise InvalidInput("Prices only is an incremental BMEcat export (T_UPDATE_PRICES).")
    if options.language not in ("en", "nl"):
        raise InvalidInput("The language is en or nl.")
    if not assortment_size(session, organisation):
        raise InvalidInput(
            "Customer %(number)s has no products in its assortment: assign it a catalog with "
            "products first.",
            number=organisation.number,
        )
    count = (
        session.scalar(
            select(func.count())
            .select_from(Product)
            .where(_where(session, organisation, options, on=pricing.price_date(now)))
        )
        or 0
    )
    if count == 0 and options.format == ExportFormat.CXML:
        raise InvalidInput("Nothing changed since then: a cXML Index needs at least one item.")
    previous = (
        session.scalar(
            select(func.count())
            .select_from(CatalogExport)
            .where(
                CatalogExport.organisation_id == organisation.id,
                CatalogExport.format == options.format,
            )
        )
        or 0
    )
    header = CatalogHeader(
        supplier_domain=supplier.domain,
        supplier_identity=supplier.identity,
        supplier_name=supplier.name,
        catalog_id=f"{organisation.number}-{options.format}",
        catalog_name=f"{supplier.name} for {organisation.name}",
        currency=organisation.currency,
        language=options.language,
        generated_at=now,
        item_count=count,
        full=options.mode == ExportMode.FULL,
        version=previous + 1,
        previous_version=previous,
        punchout_url=f"{supplier.base_url}/cxml" if options.punchout_items else None,
        default_lead_time_days=options.default_lead_time_days,
    )
    return ExportPlan(
        organisation=organisation,
        partner=partner,
        options=options,
        supplier=supplier,
        header=header,
    )


def assortment_size(session: Session, organisation: Organisation) -> int:
    """How many active products the customer's assortment holds."""
    condition = assortment.for_customer(session, organisation_id=organisation.id).condition()
    return (
        session.scalar(select(func.count()).select_from(Product).where(Product.active, condition))
        or 0
    )


def write(
    session: Session,
    plan: ExportPlan,
    stream: IO[bytes],
    *,
    progress: Callable[[int], object] = lambda _count: None,
) -> int:
    """Write the catalog to `stream`; returns its item count. `progress` hears each batch."""
    items = _items(session, plan, progress)
    header, options = plan.header, plan.options
    if options.format == ExportFormat.CIF:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        try:
            return cif.write(text, header, items)
        finally:
            text.flush()
            text.detach()
    if options.format == ExportFormat.CXML:
        return cxml_index.write(stream, header, items)
    transaction = bmecat.Transaction.NEW_CATALOG
    if options.mode == ExportMode.INCREMENTAL:
        transaction = (
            bmecat.Transaction.UPDATE_PRICES
            if options.prices_only
            else bmecat.Transaction.UPDATE_PRODUCTS
        )
    return bmecat.write(stream, header, items, transaction=transaction)


def record(
    session: Session, plan: ExportPlan, *, exported_by: str, item_count: int, now: datetime
) -> CatalogExport:
    """Remember an export (who, which customer and format, how many items, when)."""
    export = CatalogExport(
        organisation_id=plan.organisation.id,
        partner_id=plan.partner.id if plan.partner else None,
        format=plan.options.format,
        mode=plan.options.mode,
        item_count=item_count,
        exported_by=exported_by,
        created_at=now,
    )
    session.add(export)
    session.flush()
    return export


def recent(session: Session, *, organisation_id: int, limit: int = 10) -> Sequence[CatalogExport]:
    """The customer's latest exports, newest first."""
    return session.scalars(
        select(CatalogExport)
        .where(CatalogExport.organisation_id == organisation_id)
        .order_by(CatalogExport.created_at.desc(), CatalogExport.id.desc())
        .limit(limit)
    ).all()


def _partner(
    session: Session, organisation: Organisation, name: str | None
) -> TradingPartner | None:
    if name is None:
        return None
    partner = session.scalar(select(TradingPartner).where(TradingPartner.name == name))
    if partner is None:
        raise InvalidInput(f"No partner {name!r}.")
    if partner.organisation_id != organisation.id:
        raise InvalidInput(
            f"Partner {name!r} buys for another customer, not {organisation.number}."
        )
    return partner


def _where(
    session: Session, organisation: Organisation, options: ExportOptions, *, on: date
) -> ColumnElement[bool]:
    """Which products the export holds (prices: the customer's lists valid on `on`)."""
    in_assortment = assortment.for_customer(session, organisation_id=organisation.id).condition()
    if options.mode == ExportMode.FULL:
        return and_(in_assortment, Product.active)
    since = options.since
    assert since is not None  # noqa: S101 - prepare() refuses an incremental export without it
    lists = pricing.applicable_price_lists(session, organisation, on)
    price_changed = exists().where(
        PriceListItem.product_id == Product.id,
        PriceListItem.price_list_id.in_(lists),
        PriceListItem.updated_at > since,
    )
    if options.prices_only:
        return and_(in_assortment, Product.active, or_(price_changed, Product.updated_at > since))
    return and_(in_assortment, or_(Product.updated_at > since, price_changed))


def _items(
    session: Session, plan: ExportPlan, progress: Callable[[int], object]
) -> Iterator[CatalogItem]:
    """The export's items, read in batches in SKU order (keyset, so no cursor stays open)."""
    where = _where(
        session, plan.organisation, plan.options, on=pricing.price_date(plan.header.generated_at)
    )
    last = ""
    while True:
        batch = session.scalars(
            select(Product).where(where, Product.sku > last).order_by(Product.sku).limit(BATCH)
        ).all()
        if not batch:
            return
        yield from _priced(session, plan, batch)
        progress(len(batch))
        last = batch[-1].sku


def _priced(
    session: Session, plan: ExportPlan, products: Sequence[Product]
) -> Iterator[CatalogItem]:
    organisation, supplier = plan.organisation, plan.supplier
    on = pricing.price_date(plan.header.generated_at)
    prices = pricing.unit_prices(session, organisation, products, on=on)
    tiers = _tiers(session, organisation, products, on=on)
    pictures = picture_links.links(
        session,
        base_url=supplier.base_url,
        key=supplier.picture_key,
        customer=organisation.number,
        products=products,
    )
    dutch = plan.options.language == "nl"
    for product in products:
        yield CatalogItem(
            sku=product.sku,
            name=(product.name_nl if dutch and product.name_nl else product.name),
            description=(
                product.description_nl if dutch and product.description_nl else product.description
            ),
            unit=product.unit,
            unspsc=product.unspsc,
            unit_price=prices[product.id],
            list_price=product.list_price,
            currency=product.currency,
            vat_rate=pricing.vat_rate(product.vat_class, supplier.vat_rates),
            lead_time_days=product.lead_time_days,
            manufacturer_name=product.manufacturer_name,
            manufacturer_part_id=product.manufacturer_part_id,
            tiers=tiers.get(product.id, ()),
            pack_quantity=product.pack_quantity,
            content_unit=product.content_unit,
            shop_url=f"{supplier.base_url}/products/{quote(product.sku, safe='')}",
            image_url=pictures.get(product.id, product.image_url),
            active=product.active,
        )


def _tiers(
    session: Session, organisation: Organisation, products: Sequence[Product], *, on: date
) -> dict[int, tuple[PriceTier, ...]]:
    """The customer's price from each quantity tier on (above one piece), per product: the
    price checkout would charge at that quantity on `on`."""
    lists = pricing.applicable_price_lists(session, organisation, on)
    by_id = {product.id: product for product in products}
    pairs = session.execute(
        select(PriceListItem.product_id, PriceListItem.min_quantity)
        .where(
            PriceListItem.price_list_id.in_(lists),
            PriceListItem.product_id.in_(by_id),
            PriceListItem.min_quantity > 1,
        )
        .distinct()
        .order_by(PriceListItem.product_id, PriceListItem.min_quantity)
    ).all()
    prices = pricing.line_prices(
        session,
        organisation,
        [(by_id[product_id], quantity) for product_id, quantity in pairs],
        on=on,
    )
    tiers: dict[int, list[PriceTier]] = {}
    for (product_id, quantity), price in zip(pairs, prices, strict=True):
        tiers.setdefault(product_id, []).append(PriceTier(min_quantity=quantity, unit_price=price))
    return {product_id: tuple(found) for product_id, found in tiers.items()}
