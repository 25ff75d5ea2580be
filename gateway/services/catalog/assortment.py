"""Assortments: which products a customer, a user within it, or a guest may see and buy.

A customer sees the union of the catalogs assigned to it; a user with catalogs of their own
within that customer sees only those that the customer also holds (a subset). A customer with
no catalogs assigned has the open assortment (every active product), so customers set up before
catalogs existed keep working. Guests see the public catalogs (or everything, if none is public).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, ColumnExpressionArgument, and_, exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from gateway.errors import NotFound
from gateway.models import (
    Catalog,
    Membership,
    Product,
    catalog_product,
    membership_catalog,
    organisation_catalog,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assortment:
    """The catalogs a viewer may see; `None` means every active product."""

    catalog_ids: frozenset[int] | None

    def condition(self) -> ColumnElement[bool]:
        """A WHERE clause on `Product` limiting a query to this assortment."""
        return self.condition_on(Product)

    def condition_on(self, product: type[Product]) -> ColumnElement[bool]:
        """The same clause on `product` (the class or an alias of it)."""
        if self.catalog_ids is None:
            return true()
        # Correlated, so a query can walk products in SKU order and stop at a page's end.
        return exists().where(
            catalog_product.c.product_id == product.id,
            catalog_product.c.catalog_id.in_(sorted(self.catalog_ids)),
        )


def for_customer(
    session: Session, *, organisation_id: int, user_id: int | None = None
) -> Assortment:
    """The assortment of a customer, narrowed to the user's own catalogs when they have any."""
    customer = frozenset(
        session.scalars(
            select(organisation_catalog.c.catalog_id).where(
                organisation_catalog.c.organisation_id == organisation_id
            )
        )
    )
    if user_id is not None:
        own = frozenset(
            session.scalars(
                select(membership_catalog.c.catalog_id)
                .join(Membership, Membership.id == membership_catalog.c.membership_id)
                .where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
            )
        )
        if own:
            return Assortment(catalog_ids=own & customer if customer else own)
    return Assortment(catalog_ids=customer or None)


def visible_to(
    *, organisation_id: ColumnExpressionArgument[int], user_id: ColumnExpressionArgument[int]
) -> ColumnElement[bool]:
    """The rule of `for_customer` as one WHERE clause on `Product`, for a customer and user that
    are columns of the enclosing query (a read that finds the user and a product together)."""
    customer = (
        select(organisation_catalog.c.catalog_id)
        .where(organisation_catalog.c.organisation_id == organisation_id)
        .correlate_except(organisation_catalog)  # the customer is the enclosing query's
    )
    member = aliased(Membership)  # never the enclosing query's memberships
    own = (
        select(membership_catalog.c.catalog_id)
        .join(member, member.id == membership_catalog.c.membership_id)
        .where(member.user_id == user_id, member.organisation_id == organisation_id)
        .correlate_except(membership_catalog, member)
    )
    in_customer = catalog_product.c.catalog_id.in_(customer)
    listed = catalog_product.c.product_id == Product.id
    has_customer = exists(customer)
    return or_(
        and_(
            exists(own),
            exists().where(
                listed, catalog_product.c.catalog_id.in_(own), ~has_customer | in_customer
            ),
        ),
        and_(~exists(own), ~has_customer | exists().where(listed, in_customer)),
    )


def for_guests(session: Session) -> Assortment:
    """What anonymous visitors see: the public catalogs, or everything when none is public."""
    public = frozenset(session.scalars(select(Catalog.id).where(Catalog.public)))
    return Assortment(catalog_ids=public or None)


def find_product(session: Session, *, sku: str, assortment: Assortment) -> Product:
    """An active product of the assortment by SKU, or NotFound (also for products outside it)."""
    product = session.scalar(
        select(Product).where(Product.sku == sku, Product.active, assortment.condition())
    )
    if product is None:
        raise NotFound(f"No product {sku!r}.")
    return product
