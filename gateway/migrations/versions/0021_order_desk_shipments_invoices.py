"""The order desk: line confirmations, shipments and invoices, and the staff rights for them

New tables only (`order_line_confirmation`, `order_shipment` with `order_shipment_line`,
`order_invoice` with `order_invoice_line`): existing orders and their lines stay as they are.
The built-in staff roles get the desk's rights: `staff:order:read` (customer service, sales
agents for their customers, admins) and `staff:order:fulfil` (customer service and admins).

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-03 21:12:54
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0017"
branch_labels = None
depends_on = None

READ = "staff:order:read"
FULFIL = "staff:order:fulfil"
GRANTS = {"admin": (READ, FULFIL), "customer_service": (READ, FULFIL), "sales_agent": (READ,)}


def upgrade() -> None:
    op.create_table(
        "order_invoice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("invoiced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("net_total", sa.BigInteger(), nullable=False),
        sa.Column("tax_total", sa.BigInteger(), nullable=False),
        sa.Column("vat_breakdown", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_order_invoice_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_order_invoice_order_id_customer_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_invoice")),
        sa.UniqueConstraint("number", name=op.f("uq_order_invoice_number")),
    )
    with op.batch_alter_table("order_invoice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_invoice_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_line_confirmation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("backordered", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=True),
        sa.Column("delivery_date", sa.Date(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_order_line_confirmation_order_id_customer_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line_confirmation")),
        sa.UniqueConstraint(
            "order_id", "line_number", name=op.f("uq_order_line_confirmation_order_id_line_number")
        ),
    )
    with op.batch_alter_table("order_line_confirmation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_line_confirmation_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "order_shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.String(length=100), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=100), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_order_shipment_created_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_order_shipment_order_id_customer_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_shipment")),
        sa.UniqueConstraint(
            "order_id", "shipment_id", name=op.f("uq_order_shipment_order_id_shipment_id")
        ),
    )
    with op.batch_alter_table("order_shipment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_shipment_order_id"), ["order_id"], unique=False)

    op.create_table(
        "order_invoice_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("net_amount", sa.BigInteger(), nullable=False),
        sa.Column("vat_rate", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["order_invoice.id"],
            name=op.f("fk_order_invoice_line_invoice_id_order_invoice"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_invoice_line")),
    )
    with op.batch_alter_table("order_invoice_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_invoice_line_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "order_shipment_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["order_shipment.id"],
            name=op.f("fk_order_shipment_line_shipment_id_order_shipment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_shipment_line")),
    )
    with op.batch_alter_table("order_shipment_line", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_shipment_line_shipment_id"), ["shipment_id"], unique=False
        )
    _grant(add=True)


def downgrade() -> None:
    _grant(add=False)
    with op.batch_alter_table("order_shipment_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_shipment_line_shipment_id"))

    op.drop_table("order_shipment_line")
    with op.batch_alter_table("order_invoice_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_invoice_line_invoice_id"))

    op.drop_table("order_invoice_line")
    with op.batch_alter_table("order_shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_shipment_order_id"))

    op.drop_table("order_shipment")
    with op.batch_alter_table("order_line_confirmation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_confirmation_order_id"))

    op.drop_table("order_line_confirmation")
    with op.batch_alter_table("order_invoice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_invoice_order_id"))

    op.drop_table("order_invoice")


def _grant(*, add: bool) -> None:
    """Add (or remove) the desk's rights to the built-in staff roles."""
    role = sa.table(
        "role",
        sa.column("id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("permissions", sa.JSON()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(role.c.id, role.c.name, role.c.permissions).where(role.c.name.in_(GRANTS))
    ).all()
    for role_id, name, permissions in rows:
        rights = set(permissions or [])
        rights = rights | set(GRANTS[name]) if add else rights - set(GRANTS[name])
        bind.execute(role.update().where(role.c.id == role_id).values(permissions=sorted(rights)))
