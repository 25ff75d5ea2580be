"""What one order unit of a product holds (issue 18: unit and pack on the product page).

`product.pack_quantity` (a scaled decimal, 3 places) and `product.content_unit` (a UN/CEFACT
code; empty means pieces), both empty for every existing product: nothing is lost or guessed.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Added in place, not through a batch copy: on SQLite a copy of `product` would drop the
    # triggers that keep its search index current (as in 0024).
    op.add_column("product", sa.Column("pack_quantity", sa.BigInteger(), nullable=True))
    op.add_column("product", sa.Column("content_unit", sa.String(length=3), nullable=True))


def downgrade() -> None:
    op.drop_column("product", "content_unit")  # in place too, for the same triggers
    op.drop_column("product", "pack_quantity")
