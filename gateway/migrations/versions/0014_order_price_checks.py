"""Purchase-order price checks: the problems found in received orders, each partner's policy

`order_problem` holds one row per problem (a line's price, assortment or unknown product, or
the order's Total), so amounts stay exact and many orders' problems are read in one query.
Every partner's order settings get the policy `hold` and a tolerance of 0.01 per unit (also
the defaults of a partner without a settings row). Existing orders are left as they are.
Staff who may decide on held orders: the built-in customer_service and admin roles get the
right `staff:order:decide`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

DECIDE = "staff:order:decide"
DECIDING_ROLES = ("admin", "customer_service")


def upgrade() -> None:
    op.create_table(
        "order_problem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("expected", sa.BigInteger(), nullable=True),
        sa.Column("received", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_order_problem_order_id_customer_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_problem")),
    )
    op.create_index(op.f("ix_order_problem_order_id"), "order_problem", ["order_id"], unique=False)
    with op.batch_alter_table("partner_order_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "order_price_policy", sa.String(length=8), server_default="hold", nullable=False
            )
        )
        batch_op.add_column(  # 0.01, stored scaled by 10^4 like every price
            sa.Column(
                "order_price_tolerance", sa.BigInteger(), server_default="100", nullable=False
            )
        )
    _grant(add=True)


def downgrade() -> None:
    _grant(add=False)
    with op.batch_alter_table("partner_order_settings", schema=None) as batch_op:
        batch_op.drop_column("order_price_tolerance")
        batch_op.drop_column("order_price_policy")
    op.drop_index(op.f("ix_order_problem_order_id"), table_name="order_problem")
    op.drop_table("order_problem")


def _grant(*, add: bool) -> None:
    """Add (or remove) the right to decide on held orders to the built-in staff roles."""
    role = sa.table(
        "role",
        sa.column("id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("permissions", sa.JSON()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(role.c.id, role.c.permissions).where(role.c.name.in_(DECIDING_ROLES))
    ).all()
    for role_id, permissions in rows:
        rights = set(permissions or [])
        rights = rights | {DECIDE} if add else rights - {DECIDE}
        bind.execute(role.update().where(role.c.id == role_id).values(permissions=sorted(rights)))
