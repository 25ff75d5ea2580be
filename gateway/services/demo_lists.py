"""Demo data for requisition lists (issue 20): one list shared within customer 1001."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Organisation, Product, RequisitionList, RequisitionListLine, User

DEMO_LIST = "Office standard order"
DEMO_LIST_OWNER = "buyer@1001.demo"
DEMO_LIST_LINES = (("DEMO-0001", Decimal(10)), ("DEMO-0005", Decimal(2)), ("ACME-0001", Decimal(1)))


def seed_lists(session: Session, customer: Organisation) -> None:
    """Bea Buyer's shared "Office standard order" of customer 1001 (kept when it exists)."""
    exists = session.scalar(
        select(RequisitionList.id).where(
            RequisitionList.organisation_id == customer.id, RequisitionList.name == DEMO_LIST
        )
    )
    owner = session.scalar(select(User).where(User.email == DEMO_LIST_OWNER))
    if exists is not None or owner is None:
        return
    products = {
        product.sku: product
        for product in session.scalars(
            select(Product).where(Product.sku.in_([sku for sku, _ in DEMO_LIST_LINES]))
        )
    }
    session.add(
        RequisitionList(
            organisation_id=customer.id,
            owner_id=owner.id,
            name=DEMO_LIST,
            shared=True,
            lines=[
                RequisitionListLine(product=products[sku], quantity=quantity)
                for sku, quantity in DEMO_LIST_LINES
                if sku in products
            ],
        )
    )
    session.flush()
