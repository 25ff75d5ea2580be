"""PostgreSQL: the products' search words as a stored column with its own GIN index, in place
of the index on the expression (migration 0005), so a search reads the words a product row
keeps instead of computing them again for every row it looks at (walking the SKU index, or
rechecking a match). The index is built without GIN's pending list (`fastupdate = off`): with
it, every search also read the list of entries inserted since the last vacuum, row by row.
SQLite keeps its FTS5 table: nothing changes there.

Data: none changes; PostgreSQL rewrites the product table once to fill the column.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 14:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# Keep in step with gateway.services.catalog.search (the same words as the index of 0005).
_WORDS = (
    "to_tsvector('simple', translate("
    "coalesce(sku, '') || ' ' || coalesce(name, '') || ' ' || coalesce(name_nl, '') || ' ' || "
    "coalesce(manufacturer_part_id, '') || ' ' || coalesce(description, '') || ' ' || "
    "coalesce(description_nl, ''), '-', ' '))"
)


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE product ADD COLUMN search_words tsvector "
        f"GENERATED ALWAYS AS ({_WORDS}) STORED"
    )
    op.execute(
        "CREATE INDEX ix_product_search_words ON product USING gin (search_words) "
        "WITH (fastupdate = off)"
    )
    op.execute("DROP INDEX ix_product_search")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX ix_product_search ON product USING gin ({_WORDS})")
    op.execute("DROP INDEX ix_product_search_words")
    op.execute("ALTER TABLE product DROP COLUMN search_words")
