"""The punchout funnel: a returned cart's value, the indexes its queries read, and the right

`punchout_session.cart_value` keeps the Total of the items a punchout sent back and
`cart_lines` how many lines went back (both empty when none did). Data: earlier punchouts whose
cart went back with items (transferred, not `inspect`) get their cart's line count; their value
was never stored and stays empty. The funnel reads a
partner's sessions by setup time (`ix_punchout_session_partner_created`) and the purchase orders
traced to a session (`ix_buyer_order_punchout_session_id`). The built-in admin and sales_agent
roles get the right `admin:funnel:read`.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

FUNNEL = "admin:funnel:read"
FUNNEL_ROLES = ("admin", "sales_agent")


def upgrade() -> None:
    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cart_value", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("cart_lines", sa.Integer(), nullable=True))
        batch_op.create_index(
            "ix_punchout_session_partner_created", ["partner_id", "created_at"], unique=False
        )
    with op.batch_alter_table("buyer_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buyer_order_punchout_session_id"), ["punchout_session_id"], unique=False
        )
    _count_returned_lines()
    _grant(add=True)


def downgrade() -> None:
    _grant(add=False)
    with op.batch_alter_table("buyer_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buyer_order_punchout_session_id"))
    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.drop_index("ix_punchout_session_partner_created")
        batch_op.drop_column("cart_lines")
        batch_op.drop_column("cart_value")


def _grant(*, add: bool) -> None:
    """Add (or remove) the funnel right to the built-in admin and sales agent roles."""
    role = sa.table(
        "role",
        sa.column("id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("permissions", sa.JSON()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(role.c.id, role.c.permissions).where(role.c.name.in_(FUNNEL_ROLES))
    ).all()
    for role_id, permissions in rows:
        rights = set(permissions or [])
        rights = rights | {FUNNEL} if add else rights - {FUNNEL}
        bind.execute(role.update().where(role.c.id == role_id).values(permissions=sorted(rights)))


def _count_returned_lines() -> None:
    """Earlier punchouts whose cart went back with items: how many lines it held."""
    op.execute(
        "UPDATE punchout_session SET cart_lines = (SELECT count(*) FROM cart_line "
        "JOIN cart ON cart.id = cart_line.cart_id "
        "WHERE cart.punchout_session_id = punchout_session.id) "
        "WHERE status = 'transferred' AND operation <> 'inspect' AND EXISTS ("
        "SELECT 1 FROM cart_line JOIN cart ON cart.id = cart_line.cart_id "
        "WHERE cart.punchout_session_id = punchout_session.id)"
    )
