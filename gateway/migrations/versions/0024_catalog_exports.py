"""Catalog exports for buyers' systems and level-2 punchout.

Products and price-list items remember when they last changed (`updated_at`, so an
incremental export sends what changed since a date; rows made before this revision count as
changed now). Every export is recorded (`catalog_export`). A punchout session keeps where the
shop opens in `landing` (was `oci_parameters["landing"]`, OCI only; moved for sessions not yet
opened, so none loses its landing page).

Revision ID: 0024
Revises: 0015
Create Date: 2026-12-03 22:00:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0015"
branch_labels = None
depends_on = None

CHANGED_TABLES = ("product", "price_list_item")


def upgrade() -> None:
    # Added in place, not through a batch copy: on SQLite a copy of `product` would drop the
    # triggers that keep its search index current. SQLite adds a NOT NULL column only with a
    # constant default, so rows made before this revision get the moment it ran.
    changed = (
        sa.func.now()
        if op.get_context().dialect.name == "postgresql"
        else sa.text(f"'{datetime.now(UTC):%Y-%m-%d %H:%M:%S.%f}'")
    )
    for table in CHANGED_TABLES:
        op.add_column(
            table,
            sa.Column(
                "updated_at", sa.DateTime(timezone=True), server_default=changed, nullable=False
            ),
        )
        op.create_index(op.f(f"ix_{table}_updated_at"), table, ["updated_at"])
    op.create_table(
        "catalog_export",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("mode", sa.String(length=12), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("exported_by", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_catalog_export_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["trading_partner.id"],
            name=op.f("fk_catalog_export_partner_id_trading_partner"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_export")),
    )
    op.create_index(
        op.f("ix_catalog_export_organisation_id"), "catalog_export", ["organisation_id"]
    )
    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("landing", sa.JSON(), nullable=True))
    _move_landing(into_column=True)


def downgrade() -> None:
    _move_landing(into_column=False)
    with op.batch_alter_table("punchout_session", schema=None) as batch_op:
        batch_op.drop_column("landing")
    op.drop_index(op.f("ix_catalog_export_organisation_id"), table_name="catalog_export")
    op.drop_table("catalog_export")
    for table in CHANGED_TABLES:
        op.drop_index(op.f(f"ix_{table}_updated_at"), table_name=table)
        op.drop_column(table, "updated_at")


def _move_landing(*, into_column: bool) -> None:
    """Move the landing page of punchouts not yet opened between the two places."""
    sessions = sa.table(
        "punchout_session",
        sa.column("id", sa.Integer()),
        sa.column("redeemed_at", sa.DateTime(timezone=True)),
        sa.column("oci_parameters", sa.JSON()),
        sa.column("landing", sa.JSON()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(sessions.c.id, sessions.c.oci_parameters, sessions.c.landing).where(
            sessions.c.redeemed_at.is_(None)
        )
    ).all()
    for session_id, stored_parameters, stored_landing in rows:
        parameters = dict(stored_parameters or {})
        if into_column:
            if "landing" not in parameters:
                continue
            landing = parameters.pop("landing") or None
        elif stored_landing:
            parameters["landing"], landing = stored_landing, None
        else:
            continue
        bind.execute(
            sessions.update()
            .where(sessions.c.id == session_id)
            .values(oci_parameters=parameters, landing=landing)
        )
