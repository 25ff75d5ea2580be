"""Migration 0016 gives every customer its own copies of the customer-side roles and moves every
membership, open invitation and approval-tier member to its customer's copy: every holder keeps
exactly the rights, limits and settings they had. Staff roles stay global."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to

BUYER = ["shop:cart:write", "shop:catalog:read", "shop:order:place", "shop:price:read"]
SUPERUSER = ["account:user:write", "shop:order:approve", *BUYER]


def insert(connection: Connection, table: str, **values: Any) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)  # noqa: S608 - test data
    return int(connection.execute(text(f"SELECT max(id) FROM {table}")).scalar_one())  # noqa: S608


def test_existing_memberships_keep_their_rights_on_their_customers_copy(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0021")
    with engine.begin() as connection:
        created = "2026-01-01 00:00:00"
        acme, globex, supplier = (
            insert(connection, "organisation", number=number, name=number, currency="EUR",
                   active=1, created_at=created)
            for number in ("1001", "1002", "SUPPLIER")
        )  # fmt: skip
        role = {
            name: insert(
                connection, "role", name=name, kind=kind, permissions=json.dumps(rights),
                max_order_value=maximum, requires_approval=approval,
            )
            for name, kind, rights, maximum, approval in (
                ("superuser", "customer", SUPERUSER, None, 0),
                ("buyer", "customer", BUYER, 2500000, 0),  # an edited limit, raw as stored
                ("requester", "customer", BUYER, None, 1),
                ("finance", "customer", ["shop:order:approve"], None, 0),  # one made by hand
                ("admin", "internal", ["admin:audit:read"], None, 0),
            )
        }  # fmt: skip
        users = {}
        for email, organisation, held in (
            ("su@acme.test", acme, "superuser"),
            ("buyer@acme.test", acme, "buyer"),
            ("buyer@globex.test", globex, "buyer"),
            ("req@globex.test", globex, "requester"),
            ("fin@globex.test", globex, "finance"),
            ("admin@supplier.test", supplier, "admin"),
        ):
            users[email] = insert(
                connection, "user_account", email=email, name="", active=1, created_at=created
            )
            insert(
                connection, "membership", user_id=users[email], organisation_id=organisation,
                role_id=role[held], active=1,
            )  # fmt: skip
        insert(
            connection, "invitation", user_id=users["buyer@acme.test"], organisation_id=globex,
            token_digest="open", created_at=created, expires_at="2027-01-01 00:00:00",
            role_id=role["buyer"], invited_by_id=users["req@globex.test"], state="pending",
        )  # fmt: skip
        tier = insert(connection, "approval_tier", organisation_id=globex, position=1, name="")
        group = insert(connection, "approval_group", tier_id=tier, name="", supervisors=0)
        insert(connection, "approval_group_member", group_id=group, role_id=role["finance"])
    upgrade_to(engine, "0016")
    with engine.connect() as connection:
        held = {
            email: (number, owner, name, json.loads(rights), maximum, approval)
            for email, number, owner, name, rights, maximum, approval in connection.execute(
                text(
                    "SELECT u.email, o.number, r.organisation_id, r.name, r.permissions, "
                    "r.max_order_value, r.requires_approval FROM membership m "
                    "JOIN user_account u ON u.id = m.user_id "
                    "JOIN organisation o ON o.id = m.organisation_id "
                    "JOIN role r ON r.id = m.role_id"
                )
            )
        }
        invited = connection.execute(
            text(
                "SELECT r.organisation_id, r.name FROM invitation i JOIN role r ON r.id = i.role_id"
            )
        ).one()
        approver = connection.execute(
            text(
                "SELECT r.organisation_id, r.name FROM approval_group_member g "
                "JOIN role r ON r.id = g.role_id"
            )
        ).one()
        per_customer = {
            (owner, name)
            for owner, name in connection.execute(
                text("SELECT organisation_id, name FROM role WHERE organisation_id IS NOT NULL")
            )
        }
        templates = dict(
            connection.execute(
                text("SELECT name, permissions FROM role WHERE organisation_id IS NULL")
            ).all()
        )
    engine.dispose()
    assert len(held) == 6  # no membership lost
    assert held["su@acme.test"] == (
        "1001", acme, "superuser", sorted([*SUPERUSER, "account:role:write"]), None, False
    )  # fmt: skip
    assert held["buyer@acme.test"] == ("1001", acme, "buyer", BUYER, 2500000, False)
    assert held["buyer@globex.test"] == ("1002", globex, "buyer", BUYER, 2500000, False)
    assert held["req@globex.test"] == ("1002", globex, "requester", BUYER, None, True)
    assert held["fin@globex.test"][1:4] == (globex, "finance", ["shop:order:approve"])
    assert held["admin@supplier.test"][1:3] == (None, "admin")  # staff roles stay global
    assert "admin:role:write" in json.loads(templates["admin"])
    assert invited == (globex, "buyer")
    assert approver == (globex, "finance")
    for customer in (acme, globex):  # every customer has a copy of every customer template
        assert {(customer, n) for n in ("superuser", "buyer", "requester", "finance")} <= (
            per_customer
        )
    assert not any(owner == supplier for owner, _ in per_customer)
    assert set(templates) == {"superuser", "buyer", "requester", "finance", "admin"}
