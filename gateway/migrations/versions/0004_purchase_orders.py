"""Purchase orders: dedup keys, buyer orders and versions, partner order settings, outbox

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("payload_id", sa.String(length=250), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_outbox_message_order_id_customer_order"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_outbox_message_partner_id_trading_partner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("payload_id", name=op.f("uq_outbox_message_payload_id")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_message_next_attempt_at"), ["next_attempt_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_outbox_message_partner_id"), ["partner_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_outbox_message_status"), ["status"], unique=False)

    op.create_table(
        "partner_order_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("async_acknowledgement", sa.Boolean(), nullable=False),
        sa.Column("credential_mac_secret", sa.LargeBinary(), nullable=True),
        sa.Column("outbound_url", sa.Text(), nullable=True),
        sa.Column("outbound_url_prefixes", sa.JSON(), nullable=False),
        sa.Column("allow_private_network", sa.Boolean(), nullable=False),
        sa.Column("outbound_secret", sa.LargeBinary(), nullable=True),
        sa.Column("require_signature", sa.Boolean(), nullable=False),
        sa.Column("signature_certificate", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_partner_order_settings_partner_id_trading_partner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_order_settings")),
        sa.UniqueConstraint("partner_id", name=op.f("uq_partner_order_settings_partner_id")),
    )
    op.create_table(
        "received_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("payload_id", sa.String(length=250), nullable=False),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("body_digest", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("status_text", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_received_document_order_id_customer_order"),
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_received_document_partner_id_trading_partner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_received_document")),
        sa.UniqueConstraint(
            "partner_id", "payload_id", name=op.f("uq_received_document_partner_id_payload_id")
        ),
    )
    with op.batch_alter_table("received_document", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_received_document_order_id"), ["order_id"], unique=False
        )

    op.create_table(
        "buyer_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("buyer_order_id", sa.String(length=100), nullable=False),
        sa.Column("order_date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("order_version", sa.Integer(), nullable=False),
        sa.Column("payload_id", sa.String(length=250), nullable=False),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        sa.Column("punchout_session_id", sa.Integer(), nullable=True),
        sa.Column("extrinsics", sa.JSON(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["customer_order.id"], name=op.f("fk_buyer_order_order_id_customer_order")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_buyer_order_partner_id_trading_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["punchout_session_id"],
            ["punchout_session.id"],
            name=op.f("fk_buyer_order_punchout_session_id_punchout_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_order")),
        sa.UniqueConstraint("order_id", name=op.f("uq_buyer_order_order_id")),
        sa.UniqueConstraint(
            "partner_id", "buyer_order_id", name=op.f("uq_buyer_order_partner_id_buyer_order_id")
        ),
    )
    op.create_table(
        "buyer_order_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("buyer_order_id", sa.Integer(), nullable=False),
        sa.Column("request_type", sa.String(length=8), nullable=False),
        sa.Column("order_version", sa.Integer(), nullable=False),
        sa.Column("payload_id", sa.String(length=250), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["buyer_order_id"],
            ["buyer_order.id"],
            name=op.f("fk_buyer_order_version_buyer_order_id_buyer_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_buyer_order_version")),
    )
    with op.batch_alter_table("buyer_order_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_buyer_order_version_buyer_order_id"), ["buyer_order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("buyer_order_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_buyer_order_version_buyer_order_id"))

    op.drop_table("buyer_order_version")
    op.drop_table("buyer_order")
    with op.batch_alter_table("received_document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_received_document_order_id"))

    op.drop_table("received_document")
    op.drop_table("partner_order_settings")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_partner_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_order_id"))
        batch_op.drop_index(batch_op.f("ix_outbox_message_next_attempt_at"))

    op.drop_table("outbox_message")
