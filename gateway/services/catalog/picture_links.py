"""Picture links for catalog files: a product's stored picture, fetchable by a buyer's system.

A catalog file (CIF, cXML Index, BMEcat) names each product's picture by URL, and the buyer's
catalog loader fetches it without a shop session. The shop's own picture URL answers only the
people who may see the product, so an export names a link of its own instead:
`/catalog-pictures/<customer>/<sku>/<signature>.<ext>`, signed with a key derived from the
gateway's secret (GATEWAY_PICTURE_KEY) over the customer and the SKU. The link keeps working
when the picture changes (the loader fetches the new one) and stops answering when the product
leaves the customer's assortment or is deactivated; changing the secret revokes every link.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import NotFound
from gateway.models import Organisation, Product, ProductImage
from gateway.services.catalog import assortment

PATH = "/catalog-pictures"
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/webp": "webp",
    "image/svg+xml": "svg",
}
_SIGNATURE_HEX = 32  # 128 bits of HMAC-SHA256


def signature(key: str, *, customer: str, sku: str) -> str:
    """The signature of one customer's link to one product's picture."""
    message = f"catalog picture\0{customer}\0{sku}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()[:_SIGNATURE_HEX]


def links(
    session: Session,
    *,
    base_url: str,
    key: str,
    customer: str,
    products: Sequence[Product],
) -> dict[int, str]:
    """The picture link of each product that has a stored picture (one query per batch)."""
    by_id = {product.id: product for product in products}
    if not by_id:
        return {}
    rows = session.execute(
        select(ProductImage.product_id, ProductImage.content_type).where(
            ProductImage.product_id.in_(by_id)
        )
    )
    found: dict[int, str] = {}
    for product_id, content_type in rows:
        sku = by_id[product_id].sku
        name = f"{signature(key, customer=customer, sku=sku)}.{EXTENSIONS[content_type]}"
        found[product_id] = (
            f"{base_url}{PATH}/{quote(customer, safe='')}/{quote(sku, safe='')}/{name}"
        )
    return found


def picture(session: Session, *, key: str, customer: str, sku: str, name: str) -> ProductImage:
    """The picture a link names, or NotFound alike for a wrong signature, an inactive or
    unknown customer, a product outside its assortment or inactive, and a product without a
    picture: a link reveals nothing it was not made for."""
    signed = name.partition(".")[0]
    if not hmac.compare_digest(signed, signature(key, customer=customer, sku=sku)):
        raise NotFound("No such picture.")
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == customer, Organisation.active)
    )
    image = None
    if organisation is not None:
        product = session.scalar(
            select(Product).where(
                Product.sku == sku,
                Product.active,
                assortment.for_customer(session, organisation_id=organisation.id).condition(),
            )
        )
        image = session.get(ProductImage, product.id) if product is not None else None
    if image is None:
        raise NotFound("No such picture.")
    return image
