"""Initial schema: customers, users, catalog, punchout, carts, message log

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "price_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list")),
        sa.UniqueConstraint("name", name=op.f("uq_price_list_name")),
    )
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("unspsc", sa.String(length=8), nullable=False),
        sa.Column("manufacturer_name", sa.String(length=120), nullable=True),
        sa.Column("manufacturer_part_id", sa.String(length=64), nullable=True),
        sa.Column("list_price", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_sku")),
    )
    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("name", name=op.f("uq_role_name")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("email", name=op.f("uq_user_account_email")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["price_list.id"],
            name=op.f("fk_organisation_price_list_id_price_list"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
        sa.UniqueConstraint("number", name=op.f("uq_organisation_number")),
    )
    op.create_table(
        "price_list_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("min_quantity", sa.BigInteger(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["price_list.id"],
            name=op.f("fk_price_list_item_price_list_id_price_list"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_price_list_item_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list_item")),
        sa.UniqueConstraint(
            "price_list_id",
            "product_id",
            "min_quantity",
            name=op.f("uq_price_list_item_price_list_id_product_id_min_quantity"),
        ),
    )
    op.create_table(
        "membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_membership_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(["role_id"], ["role.id"], name=op.f("fk_membership_role_id_role")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_membership_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership")),
        sa.UniqueConstraint(
            "user_id", "organisation_id", name=op.f("uq_membership_user_id_organisation_id")
        ),
    )
    op.create_table(
        "trading_partner",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("secret_digest", sa.String(length=128), nullable=False),
        sa.Column("allowed_url_prefixes", sa.JSON(), nullable=False),
        sa.Column("cart_encoding", sa.String(length=16), nullable=False),
        sa.Column("operation_allowed", sa.String(length=8), nullable=False),
        sa.Column("default_role", sa.String(length=64), nullable=False),
        sa.Column("replay_protection", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_trading_partner_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_partner")),
        sa.UniqueConstraint("name", name=op.f("uq_trading_partner_name")),
    )
    op.create_table(
        "partner_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=64), nullable=False),
        sa.Column("identity", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_partner_identity_partner_id_trading_partner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_identity")),
        sa.UniqueConstraint("domain", "identity", name=op.f("uq_partner_identity_domain_identity")),
    )
    op.create_table(
        "punchout_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(length=8), nullable=False),
        sa.Column("buyer_cookie", sa.Text(), nullable=False),
        sa.Column("return_url", sa.Text(), nullable=False),
        sa.Column("payload_id", sa.String(length=250), nullable=False),
        sa.Column("buyer_credentials", sa.JSON(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_punchout_session_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_punchout_session_partner_id_trading_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_punchout_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_punchout_session")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_punchout_session_token_digest")),
    )
    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_punchout_session_payload_id"), ["payload_id"], unique=False
        )

    op.create_table(
        "cart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("punchout_session_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_cart_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["punchout_session_id"],
            ["punchout_session.id"],
            name=op.f("fk_cart_punchout_session_id_punchout_session"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_cart_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart")),
        sa.UniqueConstraint("punchout_session_id", name=op.f("uq_cart_punchout_session_id")),
    )
    op.create_table(
        "message_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("punchout_session_id", sa.Integer(), nullable=True),
        sa.Column("protocol", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("document_type", sa.String(length=64), nullable=False),
        sa.Column("payload_id", sa.String(length=250), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("status_text", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_message_log_partner_id_trading_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["punchout_session_id"],
            ["punchout_session.id"],
            name=op.f("fk_message_log_punchout_session_id_punchout_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_log")),
    )
    with op.batch_alter_table("message_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_log_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_log_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "shop_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("punchout_session_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_shop_session_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["punchout_session_id"],
            ["punchout_session.id"],
            name=op.f("fk_shop_session_punchout_session_id_punchout_session"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_shop_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shop_session")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_shop_session_token_digest")),
    )
    op.create_table(
        "cart_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cart_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("aux_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["cart_id"], ["cart.id"], name=op.f("fk_cart_line_cart_id_cart")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_cart_line_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cart_line")),
        sa.UniqueConstraint("cart_id", "aux_id", name=op.f("uq_cart_line_cart_id_aux_id")),
    )


def downgrade() -> None:
    op.drop_table("cart_line")
    op.drop_table("shop_session")
    with op.batch_alter_table("message_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_log_partner_id"))
        batch_op.drop_index(batch_op.f("ix_message_log_created_at"))

    op.drop_table("message_log")
    op.drop_table("cart")
    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_punchout_session_payload_id"))

    op.drop_table("punchout_session")
    op.drop_table("partner_identity")
    op.drop_table("trading_partner")
    op.drop_table("membership")
    op.drop_table("price_list_item")
    op.drop_table("organisation")
    op.drop_table("user_account")
    op.drop_table("role")
    op.drop_table("product")
    op.drop_table("price_list")
