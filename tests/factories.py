"""Test data factories: functions that add, flush and return (never inline model building)."""

from __future__ import annotations

from decimal import Decimal
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Catalog, Product, TradingPartner, catalog_product
from gateway.services.demo import STANDARD_CATALOG
from gateway.services.partners import CXMLPartnerSpec, add_cxml_partner
from tests.conftest import DIGEST_KEY

_numbers = count(1)


def make_product(
    session: Session, *, catalog: str | None = STANDARD_CATALOG, **fields: object
) -> Product:
    """A product with sensible defaults, in the demo's standard catalog (which both demo
    customers hold) unless `catalog` says otherwise; any field may be overridden."""
    number = next(_numbers)
    values: dict[str, object] = {
        "sku": f"TEST-{number:05d}",
        "name": f"Test product {number}",
        "description": "",
        "unit": "EA",
        "unspsc": "44121701",
        "list_price": Decimal("10.00"),
        "currency": "EUR",
    }
    values.update(fields)
    product = Product(**values)
    session.add(product)
    session.flush()
    if catalog is not None:
        catalog_id = session.scalars(select(Catalog.id).where(Catalog.name == catalog)).one()
        session.execute(
            catalog_product.insert().values(catalog_id=catalog_id, product_id=product.id)
        )
    return product


def make_cxml_partner(session: Session, **fields: object) -> TradingPartner:
    """A cXML partner for customer 1001 with its own identity and secret."""
    number = next(_numbers)
    values: dict[str, object] = {
        "name": f"partner-{number}",
        "customer_number": "1001",
        "identities": (f"NetworkID:AN-TEST-{number}",),
        "shared_secret": "partner-secret",
        "allowed_urls": ("http://127.0.0.1:5000/tools/",),
    }
    values.update(fields)
    partner = add_cxml_partner(session, spec=CXMLPartnerSpec(**values), digest_key=DIGEST_KEY)  # type: ignore[arg-type]
    session.flush()
    return partner
