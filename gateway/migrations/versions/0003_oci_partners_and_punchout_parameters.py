"""OCI partners (login name, password hash, settings) and per-punchout OCI parameters

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oci_parameters", sa.JSON(), nullable=True))

    with op.batch_alter_table("trading_partner", schema=None) as batch_op:
        batch_op.add_column(sa.Column("login_name", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        # existing (cXML) partners get an empty settings object
        batch_op.add_column(
            sa.Column("settings", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_trading_partner_login_name"), ["login_name"]
        )


def downgrade() -> None:
    with op.batch_alter_table("trading_partner", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_trading_partner_login_name"), type_="unique")
        batch_op.drop_column("settings")
        batch_op.drop_column("password_hash")
        batch_op.drop_column("login_name")

    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.drop_column("oci_parameters")
