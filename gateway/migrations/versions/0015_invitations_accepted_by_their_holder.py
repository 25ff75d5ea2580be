"""Invitations their holder accepts or refuses: an existing account is no longer linked to a
customer when its superuser invites the address, only when the holder accepts. An invitation
keeps the role it offers, who sent it and its state; one for an existing account has no link.

Data: every invitation made before this revision had its membership already (role_id stays
NULL); a used one is accepted, an unused one pending (its link still works).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.alter_column("token_digest", existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column("role_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("invited_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("state", sa.String(length=16), server_default="pending", nullable=False)
        )
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invitation_role_id_role"), "role", ["role_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_invitation_invited_by_id_user_account"),
            "user_account",
            ["invited_by_id"],
            ["id"],
        )
    op.execute(
        "UPDATE invitation SET state = 'accepted', decided_at = used_at WHERE used_at IS NOT NULL"
    )


def downgrade() -> None:
    # Invitations without a link (existing accounts, never a membership yet) cannot go back.
    op.execute("DELETE FROM invitation WHERE token_digest IS NULL")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_invitation_invited_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_invitation_role_id_role"), type_="foreignkey")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("state")
        batch_op.drop_column("invited_by_id")
        batch_op.drop_column("role_id")
        batch_op.alter_column("token_digest", existing_type=sa.String(length=64), nullable=False)
