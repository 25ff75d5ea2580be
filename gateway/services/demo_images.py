"""Pictures for the demo products: each gets its initials on a colour of its category, made by
`images.generated_svg` (no files, no network). Idempotent: products that have a picture keep it.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Product, ProductImage
from gateway.services.catalog import images


def product_images(session: Session) -> int:
    """Store a generated picture for every demo product without one; returns how many."""
    has_image = select(ProductImage.product_id)
    products = session.scalars(
        select(Product).where(
            Product.sku.like("DEMO-%") | Product.sku.like("ACME-%"),
            Product.id.not_in(has_image),
        )
    ).all()
    for product in products:
        data = images.generated_svg(name=product.name, family=product.category_id or 0)
        session.add(
            ProductImage(
                product_id=product.id,
                content_type=images.SVG,
                data=data,
                digest=hashlib.sha256(data).hexdigest(),
            )
        )
    session.flush()
    return len(products)
