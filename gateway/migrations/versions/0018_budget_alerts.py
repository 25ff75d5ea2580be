"""Budget alerts: one row per budget, period and threshold (80 or 100 % of the period amount)
once its alert mail is queued, so each alert goes out once per period. A new table only:
existing data is not touched.

Revision ID: 0018
Revises: 0024
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "budget_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=16), nullable=False),
        sa.Column("threshold", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"], ["budget.id"], name=op.f("fk_budget_alert_budget_id_budget")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_alert")),
        sa.UniqueConstraint(
            "budget_id",
            "period_key",
            "threshold",
            name=op.f("uq_budget_alert_budget_id_period_key_threshold"),
        ),
    )


def downgrade() -> None:
    op.drop_table("budget_alert")
