"""The product attributes a buyer's cart mapping may name: `{attribute}` in a cXML Extrinsic,
`{"attribute": ...}` in an OCI CUST_FIELD. One list, so both protocols offer the same."""

from __future__ import annotations

from gateway.models import Product

PRODUCT_ATTRIBUTES = (
    "sku",
    "name",
    "unit",
    "unspsc",
    "manufacturer_name",
    "manufacturer_part_id",
)


def attribute_value(product: Product, name: str) -> str:
    """The product's value of a mapping attribute as text; empty when unset or not one of them."""
    return str(getattr(product, name) or "") if name in PRODUCT_ATTRIBUTES else ""
