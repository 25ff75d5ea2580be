"""`/api/v1/products` and prices: the catalog as the supplier's ERP keeps it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from decimal import Decimal

from flask import current_app
from werkzeug.wrappers import Response

from gateway.api.access import actor_with, client
from gateway.api.blueprint import blueprint
from gateway.api.idempotency import idempotent
from gateway.api.schemas import (
    SKU_PATTERN,
    CatalogQuery,
    CustomerPriceOut,
    CustomerPricePage,
    PriceItemsIn,
    PriceQuery,
    Problem,
    ProductIn,
    ProductOut,
    ProductPage,
    ProductQuery,
    UpsertResult,
    after_id,
)
from gateway.api.spec import RequestInvalid, answers, spec
from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.errors import NotFound
from gateway.models import Product
from gateway.services.catalog import exports, maintenance
from gateway.services.catalog.pricing import price_date
from gateway.web import catalog_files
from gateway.web.database import get_session

TAGS = ("catalog",)


def _sku(sku: str, *, writing: bool = False) -> str:
    """The path's SKU; one that cannot exist is not found (or, to create, refused)."""
    if re.fullmatch(SKU_PATTERN, sku):
        return sku
    if writing:
        raise RequestInvalid([{"field": "path.sku", "message": "1 to 64 characters, no slash."}])
    raise NotFound("No product %(sku)s.", sku=sku[:64])


def _out(product: Product) -> ProductOut:
    return ProductOut(
        sku=product.sku,
        name=product.name,
        name_nl=product.name_nl,
        description=product.description,
        description_nl=product.description_nl,
        unit=product.unit,
        unspsc=product.unspsc,
        manufacturer_name=product.manufacturer_name,
        manufacturer_part_id=product.manufacturer_part_id,
        vat_class=product.vat_class,
        lead_time_days=product.lead_time_days,
        image_url=product.image_url,
        list_price=str(product.list_price),
        currency=product.currency,
        active=product.active,
        updated_at=product.updated_at,
    )


@blueprint.get("/v1/products", endpoint="products")
@spec.validate(resp=answers(HTTP_200=ProductPage), tags=TAGS)
def list_products(query: ProductQuery) -> tuple[ProductPage, int]:
    """List products

    Products in a stable order, active or not, changed since `updated_since`; follow
    `next_cursor`. Needs `catalog:read`.
    """
    found = maintenance.products(
        get_session(),
        actor=actor_with(Permission.API_CATALOG_READ),
        active=query.active,
        updated_since=query.updated_since,
        after_id=after_id(query.cursor),
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    more = len(found) > query.limit
    return ProductPage(
        items=[_out(product) for product in page],
        next_cursor=str(page[-1].id) if more else None,
    ), 200


@blueprint.get("/v1/products/<sku>", endpoint="product")
@spec.validate(resp=answers(HTTP_200=ProductOut, HTTP_404=Problem), tags=TAGS)
def get_product(sku: str) -> tuple[ProductOut, int]:
    """Get a product

    One product by its SKU. Needs `catalog:read`.
    """
    actor = actor_with(Permission.API_CATALOG_READ)
    return _out(maintenance.product(get_session(), actor=actor, sku=_sku(sku))), 200


@blueprint.put("/v1/products/<sku>", endpoint="save_product")
@idempotent
@spec.validate(resp=answers(HTTP_200=ProductOut, HTTP_201=ProductOut, HTTP_409=Problem), tags=TAGS)
def put_product(sku: str, json: ProductIn) -> tuple[ProductOut, int]:
    """Create or update a product

    Creates the product with this SKU or replaces its fields (201 when new); its category,
    catalogs and picture stay as the catalog import set them. Needs `catalog:write`.
    """
    actor = actor_with(Permission.API_CATALOG_WRITE)
    fields = json.model_dump()
    fields["active"] = "1" if json.active else "0"
    saved, created = maintenance.save_product(
        get_session(),
        actor=actor,
        sku=_sku(sku, writing=True),
        fields={key: "" if value is None else str(value) for key, value in fields.items()},
        now=utcnow(),
        vat_rates=current_app.config["GATEWAY_VAT_RATES"],
    )
    return _out(saved), 201 if created else 200


@blueprint.delete("/v1/products/<sku>", endpoint="deactivate_product")
@idempotent
@spec.validate(resp=answers(HTTP_200=ProductOut, HTTP_404=Problem, HTTP_409=Problem), tags=TAGS)
def deactivate_product(sku: str) -> tuple[ProductOut, int]:
    """Deactivate a product

    Takes the product out of every assortment; it stays for the orders that name it. Needs
    `catalog:write`.
    """
    actor = actor_with(Permission.API_CATALOG_WRITE)
    found = maintenance.deactivate(get_session(), actor=actor, sku=_sku(sku), now=utcnow())
    return _out(found), 200


@blueprint.get("/v1/customers/<number>/prices", endpoint="customer_prices")
@spec.validate(resp=answers(HTTP_200=CustomerPricePage, HTTP_404=Problem), tags=TAGS)
def customer_prices(number: str, query: PriceQuery) -> tuple[CustomerPricePage, int]:
    """List a customer's prices

    The contract prices of the price lists valid for the customer today; each minimum quantity
    of a product is a price tier. Products without one sell at their list price. Needs
    `catalog:read`.
    """
    found = maintenance.customer_prices(
        get_session(),
        actor=actor_with(Permission.API_CATALOG_READ),
        number=number,
        on=price_date(utcnow(), current_app.config["GATEWAY_TIMEZONE"]),
        after_id=after_id(query.cursor),
        limit=query.limit + 1,
    )
    page = found[: query.limit]
    more = len(found) > query.limit
    return CustomerPricePage(
        items=[
            CustomerPriceOut(
                price_list=price.price_list,
                sku=price.sku,
                min_quantity=str(price.min_quantity),
                unit_price=str(price.unit_price),
                currency=price.currency,
            )
            for price in page
        ],
        next_cursor=str(page[-1].item_id) if more else None,
    ), 200


@blueprint.get("/v1/customers/<number>/catalog", endpoint="customer_catalog")
@spec.validate(resp=answers(HTTP_200=None, HTTP_404=Problem), tags=TAGS)
def customer_catalog(number: str, query: CatalogQuery) -> Response:
    """Export a customer's catalog

    The customer's assortment at its prices as a file for its procurement system: CIF 3.0,
    a cXML Index or BMEcat 2005, in full or what changed since a day; recorded as an export
    under the token's name. Needs `catalog:read`.
    """
    db = get_session()
    organisation = maintenance.catalog_customer(
        db, actor=actor_with(Permission.API_CATALOG_READ), number=number
    )
    since = datetime.combine(query.since, time(), UTC) if query.since else None
    now = utcnow()
    plan = exports.prepare(
        db,
        organisation=organisation,
        options=exports.ExportOptions(
            format=exports.ExportFormat(query.format),
            mode=exports.ExportMode.INCREMENTAL if since else exports.ExportMode.FULL,
            since=since,
            punchout_items=query.punchout_items,
            prices_only=query.prices_only,
            language=query.language,
        ),
        supplier=exports.Supplier.from_config(current_app.config),
        now=now,
        partner_name=query.partner,
    )
    return catalog_files.send(db, plan, exported_by=f"API token {client().name}", now=now)


@blueprint.put("/v1/price-lists/<name>/items", endpoint="price_list_items")
@idempotent
@spec.validate(resp=answers(HTTP_200=UpsertResult, HTTP_404=Problem, HTTP_409=Problem), tags=TAGS)
def upsert_prices(name: str, json: PriceItemsIn) -> tuple[UpsertResult, int]:
    """Set prices of a price list

    Creates or changes prices by SKU and minimum quantity, all or none (404 names an unknown
    list or SKU); the list's other prices stay. Needs `catalog:write`.
    """
    created, updated = maintenance.upsert_prices(
        get_session(),
        actor=actor_with(Permission.API_CATALOG_WRITE),
        price_list=name,
        items=[
            maintenance.PriceItem(
                sku=item.sku,
                min_quantity=Decimal(item.min_quantity),
                unit_price=Decimal(item.unit_price),
            )
            for item in json.items
        ],
        now=utcnow(),
    )
    return UpsertResult(created=created, updated=updated), 200
