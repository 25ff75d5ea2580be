"""Punchout identities: a partner's punchout users keyed by what the partner sends; customers'
switch for matching shop accounts; partner default roles limited to customer roles.

Data: every user a partner's punchouts created before (no password, never invited, no staff
role) becomes that partner's identity under the address it had, so its carts, orders and
sessions stay its own and its next punchout finds it again. Shop accounts a punchout matched by
e-mail get no identity: from now on they are matched only where the customer switches it on.
A partner whose default role is a staff role gets the customer role `punchout` (logged).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

CUSTOMER_SCOPES = frozenset({"account", "punchout", "shop"})  # gateway.auth.permissions
CUSTOMER_DEFAULT_ROLE = "punchout"


def upgrade() -> None:
    op.create_table(
        "punchout_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("shop_account", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_punchout_identity_partner_id_trading_partner"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_punchout_identity_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_punchout_identity")),
        sa.UniqueConstraint("partner_id", "key", name=op.f("uq_punchout_identity_partner_id_key")),
    )
    with op.batch_alter_table("punchout_identity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_punchout_identity_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("trading_partner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "match_shop_accounts", sa.Boolean(), server_default=sa.false(), nullable=False
            )
        )
    _identities_for_punchout_users()
    _customer_default_roles()


def downgrade() -> None:
    with op.batch_alter_table("trading_partner", schema=None) as batch_op:
        batch_op.drop_column("match_shop_accounts")
    with op.batch_alter_table("punchout_identity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_punchout_identity_user_id"))
    op.drop_table("punchout_identity")


def _identities_for_punchout_users() -> None:
    session = sa.table(
        "punchout_session",
        sa.column("partner_id", sa.Integer()),
        sa.column("user_id", sa.Integer()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    user = sa.table(
        "user_account",
        sa.column("id", sa.Integer()),
        sa.column("email", sa.String()),
        sa.column("password_hash", sa.String()),
    )
    invitation = sa.table("invitation", sa.column("user_id", sa.Integer()))
    membership = sa.table(
        "membership", sa.column("user_id", sa.Integer()), sa.column("role_id", sa.Integer())
    )
    role = sa.table("role", sa.column("id", sa.Integer()), sa.column("kind", sa.String()))
    identity = sa.table(
        "punchout_identity",
        sa.column("partner_id", sa.Integer()),
        sa.column("key", sa.String()),
        sa.column("user_id", sa.Integer()),
        sa.column("shop_account", sa.Boolean()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    staff = (
        sa.select(membership.c.user_id)
        .join(role, role.c.id == membership.c.role_id)
        .where(role.c.kind == "internal")
    )
    made_by_punchout = sa.and_(
        user.c.password_hash.is_(None),
        user.c.id.not_in(sa.select(invitation.c.user_id)),
        user.c.id.not_in(staff),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(session.c.partner_id, user.c.id, user.c.email, sa.func.min(session.c.created_at))
        .join(user, user.c.id == session.c.user_id)
        .where(made_by_punchout)
        .group_by(session.c.partner_id, user.c.id, user.c.email)
    ).all()
    for partner_id, email in bind.execute(
        sa.select(session.c.partner_id, user.c.email)
        .join(user, user.c.id == session.c.user_id)
        .where(sa.not_(made_by_punchout))
        .distinct()
    ):
        log.warning(
            "partner %s punched out as the existing account %r: it keeps its history but gets "
            "no punchout identity; check the memberships that punchout may have added",
            partner_id,
            email,
        )
    if rows:
        bind.execute(
            identity.insert(),
            [
                {
                    "partner_id": partner_id,
                    "key": f"legacy:{email}",
                    "user_id": user_id,
                    "shop_account": False,
                    "created_at": first,
                }
                for partner_id, user_id, email, first in rows
            ],
        )


def _customer_default_roles() -> None:
    role = sa.table(
        "role",
        sa.column("name", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("permissions", sa.JSON()),
    )
    partner = sa.table(
        "trading_partner", sa.column("name", sa.String()), sa.column("default_role", sa.String())
    )
    bind = op.get_bind()
    staff_roles = [
        name
        for name, kind, permissions in bind.execute(
            sa.select(role.c.name, role.c.kind, role.c.permissions)
        )
        if kind != "customer"
        or any(str(right).split(":", 1)[0] not in CUSTOMER_SCOPES for right in permissions or [])
    ]
    for name, default_role in bind.execute(
        sa.select(partner.c.name, partner.c.default_role).where(
            partner.c.default_role.in_(staff_roles)
        )
    ).all():
        log.warning(
            "partner %r: default role %r is a staff role; set to the customer role %r",
            name,
            default_role,
            CUSTOMER_DEFAULT_ROLE,
        )
    bind.execute(
        partner.update()
        .where(partner.c.default_role.in_(staff_roles))
        .values(default_role=CUSTOMER_DEFAULT_ROLE)
    )
