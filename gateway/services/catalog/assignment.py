"""Catalogs (named assortments) and their assignment to customers and users."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput
from gateway.models import (
    Catalog,
    Membership,
    Organisation,
    membership_catalog,
    organisation_catalog,
)


def assign_catalog(session: Session, *, organisation: Organisation, catalog: Catalog) -> None:
    """Give a customer a catalog (idempotent)."""
    assigned = session.scalar(
        select(organisation_catalog.c.catalog_id).where(
            organisation_catalog.c.organisation_id == organisation.id,
            organisation_catalog.c.catalog_id == catalog.id,
        )
    )
    if assigned is None:
        session.execute(
            organisation_catalog.insert().values(
                organisation_id=organisation.id, catalog_id=catalog.id
            )
        )


def assign_user_catalog(session: Session, *, link: Membership, catalog: Catalog) -> None:
    """Narrow one user's assortment within a customer to (also) this catalog.

    Only catalogs the customer holds may be given: a user's assortment is always a subset.
    """
    held = session.scalar(
        select(organisation_catalog.c.catalog_id).where(
            organisation_catalog.c.organisation_id == link.organisation_id,
            organisation_catalog.c.catalog_id == catalog.id,
        )
    )
    if held is None:
        raise InvalidInput(f"Catalog {catalog.name!r} is not assigned to this customer.")
    session.execute(
        membership_catalog.insert().values(membership_id=link.id, catalog_id=catalog.id)
    )
    session.flush()
