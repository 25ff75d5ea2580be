"""Roles per customer: a customer-side role belongs to one customer, whose superuser edits it;
the built-in roles stay as templates without a customer. A role may name catalogs whose
products need approval (`role_approval_catalog`).

Data: the superuser template gains `account:role:write`, the staff admin role
`admin:role:write`; every customer gets a copy of every
customer-side template, and every membership, invitation and approval-group member that named a
template now names its customer's copy (same rights, limits and settings: nothing is lost).
Staff roles stay global.

Revision ID: 0016
Revises: 0021
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0021"
branch_labels = None
depends_on = None

SUPPLIER_NUMBER = "SUPPLIER"  # the supplier's own organisation: staff only, no copies
ROLE_WRITE = "account:role:write"
TEMPLATE_WRITE = "admin:role:write"  # the supplier's admin edits the templates

_role = sa.table(
    "role",
    sa.column("id", sa.Integer()),
    sa.column("organisation_id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("permissions", sa.JSON()),
    sa.column("kind", sa.String()),
    sa.column("min_order_value", sa.BigInteger()),
    sa.column("max_order_value", sa.BigInteger()),
    sa.column("requires_approval", sa.Boolean()),
)
_organisation = sa.table("organisation", sa.column("id", sa.Integer()), sa.column("number"))
_membership = sa.table(
    "membership",
    sa.column("organisation_id", sa.Integer()),
    sa.column("role_id", sa.Integer()),
)
_invitation = sa.table(
    "invitation",
    sa.column("organisation_id", sa.Integer()),
    sa.column("role_id", sa.Integer()),
)
_member = sa.table(
    "approval_group_member",
    sa.column("group_id", sa.Integer()),
    sa.column("role_id", sa.Integer()),
)
_group = sa.table("approval_group", sa.column("id", sa.Integer()), sa.column("tier_id"))
_tier = sa.table(
    "approval_tier", sa.column("id", sa.Integer()), sa.column("organisation_id", sa.Integer())
)


def upgrade() -> None:
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.add_column(sa.Column("organisation_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint(batch_op.f("uq_role_name"), type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_role_organisation_id_name"), ["organisation_id", "name"]
        )
        batch_op.create_index(
            batch_op.f("ix_role_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            "uq_role_template_name",
            ["name"],
            unique=True,
            sqlite_where=sa.text("organisation_id IS NULL"),
            postgresql_where=sa.text("organisation_id IS NULL"),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_role_organisation_id_organisation"),
            "organisation",
            ["organisation_id"],
            ["id"],
        )
    op.create_table(
        "role_approval_catalog",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("catalog_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalog_id"],
            ["catalog.id"],
            name=op.f("fk_role_approval_catalog_catalog_id_catalog"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["role.id"],
            name=op.f("fk_role_approval_catalog_role_id_role"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "catalog_id", name=op.f("pk_role_approval_catalog")),
    )
    _copy_templates_to_customers(op.get_bind())


def _copy_templates_to_customers(connection: sa.Connection) -> None:
    for admin in connection.execute(
        sa.select(_role).where(_role.c.name == "admin", _role.c.kind == "internal")
    ).all():
        connection.execute(
            _role.update()
            .where(_role.c.id == admin.id)
            .values(permissions=sorted({*(admin.permissions or ()), TEMPLATE_WRITE}))
        )
    templates = connection.execute(
        sa.select(_role).where(_role.c.organisation_id.is_(None), _role.c.kind == "customer")
    ).all()
    for template in templates:
        if template.name == "superuser" and ROLE_WRITE not in (template.permissions or ()):
            connection.execute(
                _role.update()
                .where(_role.c.id == template.id)
                .values(permissions=sorted({*(template.permissions or ()), ROLE_WRITE}))
            )
    templates = connection.execute(
        sa.select(_role).where(_role.c.organisation_id.is_(None), _role.c.kind == "customer")
    ).all()
    customers = set(
        connection.scalars(
            sa.select(_organisation.c.id).where(_organisation.c.number != SUPPLIER_NUMBER)
        )
    )
    # An organisation outside the customers (the supplier's) gets copies only of the templates
    # its links name, so that no link is left on a template.
    named: dict[int, set[int]] = {}
    for table in (_membership, _invitation):
        for organisation_id, role_id in connection.execute(
            sa.select(table.c.organisation_id, table.c.role_id).distinct()
        ):
            named.setdefault(organisation_id, set()).add(role_id)
    for organisation_id, role_id in connection.execute(
        sa.select(_tier.c.organisation_id, _member.c.role_id)
        .join(_group, _group.c.id == _member.c.group_id)
        .join(_tier, _tier.c.id == _group.c.tier_id)
        .distinct()
    ):
        named.setdefault(organisation_id, set()).add(role_id)
    for organisation_id in sorted(customers | set(named)):
        for template in templates:
            if organisation_id not in customers and template.id not in named[organisation_id]:
                continue
            copy_id = connection.execute(
                _role.insert()
                .values(
                    organisation_id=organisation_id,
                    name=template.name,
                    permissions=template.permissions,
                    kind=template.kind,
                    min_order_value=template.min_order_value,
                    max_order_value=template.max_order_value,
                    requires_approval=template.requires_approval,
                )
                .returning(_role.c.id)
            ).scalar_one()
            _move(connection, organisation_id=organisation_id, old=template.id, new=copy_id)


def _move(connection: sa.Connection, *, organisation_id: int, old: int, new: int) -> None:
    for table in (_membership, _invitation):
        connection.execute(
            table.update()
            .where(table.c.organisation_id == organisation_id, table.c.role_id == old)
            .values(role_id=new)
        )
    groups = (
        sa.select(_group.c.id)
        .join(_tier, _tier.c.id == _group.c.tier_id)
        .where(_tier.c.organisation_id == organisation_id)
    )
    connection.execute(
        _member.update()
        .where(_member.c.role_id == old, _member.c.group_id.in_(groups))
        .values(role_id=new)
    )


def downgrade() -> None:
    # Links go back to the template of the same name; a customer's own role without one becomes
    # a global role named after it and its customer, so no holder loses their rights.
    connection = op.get_bind()
    templates = {
        row.name: row.id
        for row in connection.execute(
            sa.select(_role.c.id, _role.c.name).where(_role.c.organisation_id.is_(None))
        )
    }
    owned = connection.execute(
        sa.select(_role.c.id, _role.c.name, _role.c.organisation_id, _organisation.c.number)
        .join(_organisation, _organisation.c.id == _role.c.organisation_id)
        .where(_role.c.organisation_id.is_not(None))
    ).all()
    for role in owned:
        target = templates.get(role.name)
        if target is None:
            connection.execute(
                _role.update()
                .where(_role.c.id == role.id)
                .values(name=f"{role.name} ({role.number})"[:64], organisation_id=None)
            )
            continue
        _move(connection, organisation_id=role.organisation_id, old=role.id, new=target)
        connection.execute(_role.delete().where(_role.c.id == role.id))
    op.drop_table("role_approval_catalog")
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_role_organisation_id_organisation"), type_="foreignkey"
        )
        batch_op.drop_index("uq_role_template_name")
        batch_op.drop_index(batch_op.f("ix_role_organisation_id"))
        batch_op.drop_constraint(batch_op.f("uq_role_organisation_id_name"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_role_name"), ["name"])
        batch_op.drop_column("organisation_id")
