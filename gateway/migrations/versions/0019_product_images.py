"""Product images stored by the gateway: one picture per product, imported from a catalog
file's folder (CSV `image_file`, BMEcat `MIME_INFO`) or generated for the demo products.

Data: none moved; products without a row show a neutral placeholder.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "product_image",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_image_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_product_image")),
    )


def downgrade() -> None:
    op.drop_table("product_image")
