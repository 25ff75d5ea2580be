"""An index on the products' manufacturer, so the catalog's manufacturer filter reads one index
entry a manufacturer instead of every product (its cost no longer grows with the catalog).

Data: none changes.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 03:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_manufacturer_name"), ["manufacturer_name"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_manufacturer_name"))
