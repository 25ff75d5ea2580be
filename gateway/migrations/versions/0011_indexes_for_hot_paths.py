"""Indexes for the hot paths the benchmarks measure at scale: SPAIDs traced by OrderRequests,
a customer's orders awaiting approval (budget checks) and its newest orders (order history).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 18:15:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE INDEX on both engines: no table is copied, whatever its size.
    op.create_index(op.f("ix_cart_line_aux_id"), "cart_line", ["aux_id"], unique=False)
    op.create_index(
        "ix_customer_order_organisation_status",
        "customer_order",
        ["organisation_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_customer_order_organisation_placed",
        "customer_order",
        ["organisation_id", "placed_at", "id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_customer_order_organisation_placed", table_name="customer_order")
    op.drop_index("ix_customer_order_organisation_status", table_name="customer_order")
    op.drop_index(op.f("ix_cart_line_aux_id"), table_name="cart_line")
