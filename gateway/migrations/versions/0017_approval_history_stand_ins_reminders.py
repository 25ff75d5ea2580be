"""The approval inbox, issue 17: what approvers changed on an order (`approval_change`), whom a
decision was taken on behalf of (`approval_decision.on_behalf_of_id`), approvers' absences with
their stand-ins (`approval_absence`), the one reminder per waiting order (`approval_reminder`),
and each customer's reminder delay in working days (`organisation.approval_reminder_days`,
2 for every existing customer). No data moves.

Revision ID: 0017
Revises: 0023
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("approver_id", sa.Integer(), nullable=False),
        sa.Column("stand_in_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approver_id"],
            ["user_account.id"],
            name=op.f("fk_approval_absence_approver_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_approval_absence_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["stand_in_id"],
            ["user_account.id"],
            name=op.f("fk_approval_absence_stand_in_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_absence")),
    )
    with op.batch_alter_table("approval_absence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_absence_approver_id"), ["approver_id"], unique=False
        )
        batch_op.create_index(
            "ix_approval_absence_organisation_period", ["organisation_id", "ends_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_approval_absence_stand_in_id"), ["stand_in_id"], unique=False
        )

    op.create_table(
        "approval_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_approval_reminder_order_id_customer_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_reminder")),
        sa.UniqueConstraint("order_id", name=op.f("uq_approval_reminder_order_id")),
    )
    op.create_table(
        "approval_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("before", sa.String(length=40), nullable=True),
        sa.Column("after", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["approval_decision.id"],
            name=op.f("fk_approval_change_decision_id_approval_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["customer_order.id"],
            name=op.f("fk_approval_change_order_id_customer_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_change")),
    )
    with op.batch_alter_table("approval_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_approval_change_decision_id"), ["decision_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_approval_change_order_id"), ["order_id"], unique=False)

    with op.batch_alter_table("approval_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("on_behalf_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_approval_decision_on_behalf_of_id_user_account"),
            "user_account",
            ["on_behalf_of_id"],
            ["id"],
        )

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approval_reminder_days", sa.Integer(), server_default="2", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("approval_reminder_days")

    with op.batch_alter_table("approval_decision", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_approval_decision_on_behalf_of_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("on_behalf_of_id")

    with op.batch_alter_table("approval_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_change_order_id"))
        batch_op.drop_index(batch_op.f("ix_approval_change_decision_id"))

    op.drop_table("approval_change")
    op.drop_table("approval_reminder")
    with op.batch_alter_table("approval_absence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_approval_absence_stand_in_id"))
        batch_op.drop_index("ix_approval_absence_organisation_period")
        batch_op.drop_index(batch_op.f("ix_approval_absence_approver_id"))

    op.drop_table("approval_absence")
