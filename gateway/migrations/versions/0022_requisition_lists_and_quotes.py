"""Requisition lists and quotes (issue 20)

`requisition_list` and `requisition_list_line` hold the customers' standing lists (owned by a
shop user, or by a punchout identity when made in a punchout); `quote` and `quote_line` the
quote requests with the supplier's prices; `cart_line.quote_line_id` marks a cart line that came
from an accepted quote. Rights: the built-in buyer, superuser and punchout roles get
`shop:list:write`; customer_service and admin get `staff:quote:answer`. No data moves.

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0018"
branch_labels = None
depends_on = None

GRANTS = {
    "shop:list:write": ("buyer", "punchout", "superuser"),
    "staff:quote:answer": ("admin", "customer_service"),
}


def upgrade() -> None:
    op.create_table(
        "requisition_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("punchout_identity_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("shared", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_requisition_list_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_requisition_list_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["punchout_identity_id"],
            ["punchout_identity.id"],
            name=op.f("fk_requisition_list_punchout_identity_id_punchout_identity"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition_list")),
    )
    for column in ("organisation_id", "owner_id", "punchout_identity_id"):
        op.create_index(
            op.f(f"ix_requisition_list_{column}"), "requisition_list", [column], unique=False
        )
    op.create_table(
        "requisition_list_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["requisition_list.id"],
            name=op.f("fk_requisition_list_line_list_id_requisition_list"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_requisition_list_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requisition_list_line")),
        sa.UniqueConstraint(
            "list_id", "product_id", name=op.f("uq_requisition_list_line_list_id_product_id")
        ),
    )
    op.create_index(
        op.f("ix_requisition_list_line_list_id"), "requisition_list_line", ["list_id"], unique=False
    )
    op.create_table(
        "quote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("answer_note", sa.Text(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["user_account.id"],
            name=op.f("fk_quote_answered_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_quote_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["placed_by_id"], ["user_account.id"], name=op.f("fk_quote_placed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_quote_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
    )
    op.create_index(op.f("ix_quote_organisation_id"), "quote", ["organisation_id"], unique=False)
    op.create_index(op.f("ix_quote_user_id"), "quote", ["user_id"], unique=False)
    op.create_table(
        "quote_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_quote_line_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quote.id"], name=op.f("fk_quote_line_quote_id_quote")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_line")),
    )
    op.create_index(op.f("ix_quote_line_quote_id"), "quote_line", ["quote_id"], unique=False)
    with op.batch_alter_table("cart_line", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quote_line_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_cart_line_quote_line_id"), ["quote_line_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_cart_line_quote_line_id_quote_line"),
            "quote_line",
            ["quote_line_id"],
            ["id"],
        )
    _grant(add=True)


def downgrade() -> None:
    _grant(add=False)
    with op.batch_alter_table("cart_line", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_cart_line_quote_line_id_quote_line"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_cart_line_quote_line_id"))
        batch_op.drop_column("quote_line_id")
    op.drop_index(op.f("ix_quote_line_quote_id"), table_name="quote_line")
    op.drop_table("quote_line")
    op.drop_index(op.f("ix_quote_user_id"), table_name="quote")
    op.drop_index(op.f("ix_quote_organisation_id"), table_name="quote")
    op.drop_table("quote")
    op.drop_index(op.f("ix_requisition_list_line_list_id"), table_name="requisition_list_line")
    op.drop_table("requisition_list_line")
    for column in ("organisation_id", "owner_id", "punchout_identity_id"):
        op.drop_index(op.f(f"ix_requisition_list_{column}"), table_name="requisition_list")
    op.drop_table("requisition_list")


def _grant(*, add: bool) -> None:
    """Add (or remove) the new rights to the built-in roles that hold them."""
    role = sa.table(
        "role",
        sa.column("id", sa.Integer()),
        sa.column("name", sa.String()),
        sa.column("permissions", sa.JSON()),
    )
    bind = op.get_bind()
    for right, names in GRANTS.items():
        rows = bind.execute(
            sa.select(role.c.id, role.c.permissions).where(role.c.name.in_(names))
        ).all()
        for role_id, permissions in rows:
            rights = set(permissions or [])
            rights = rights | {right} if add else rights - {right}
            bind.execute(
                role.update().where(role.c.id == role_id).values(permissions=sorted(rights))
            )
