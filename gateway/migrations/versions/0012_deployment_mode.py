"""Test documents: the cXML deploymentMode on orders and punchout sessions, and which mode a
partner accepts. Existing orders and sessions read as production; existing partners accept both.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A NOT NULL column with a server default: every existing row gets the default.
    for table in ("customer_order", "punchout_session"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "deployment_mode",
                    sa.String(length=10),
                    server_default="production",
                    nullable=False,
                )
            )
    with op.batch_alter_table("trading_partner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "accepted_deployment_mode",
                sa.String(length=10),
                server_default="both",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("trading_partner", schema=None) as batch_op:
        batch_op.drop_column("accepted_deployment_mode")
    for table in ("punchout_session", "customer_order"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("deployment_mode")
