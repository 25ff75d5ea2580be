"""Migration 0008 turns staff roles seeded before it into internal roles with the staff rights."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to


def test_staff_roles_seeded_before_0008_become_internal_and_keep_their_rights(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0006")
    with engine.begin() as connection:
        for name, rights in (
            ("admin", ["admin:messages:read"]),  # as another feature seeds it
            ("buyer", ["shop:order:place"]),
        ):
            connection.execute(
                text("INSERT INTO role (name, permissions) VALUES (:name, :rights)"),
                {"name": name, "rights": json.dumps(rights)},
            )
        connection.execute(
            text(
                "INSERT INTO organisation (number, name, currency, active, created_at) "
                "VALUES ('9', 'Old', 'EUR', 1, '2026-01-01 00:00:00')"
            )
        )
    upgrade_to(engine, "0008")
    with engine.connect() as connection:
        rows = {
            name: (json.loads(rights), kind)
            for name, rights, kind in connection.execute(
                text("SELECT name, permissions, kind FROM role")
            )
        }
        allowed, status = connection.execute(
            text("SELECT allow_impersonation, status FROM organisation")
        ).one()
    engine.dispose()
    admin_rights, admin_kind = rows["admin"]
    assert admin_kind == "internal"
    assert {"admin:messages:read", "admin:audit:read", "admin:staff:write"} <= set(admin_rights)
    assert rows["buyer"] == (["shop:order:place"], "customer")  # untouched
    assert (bool(allowed), status) == (True, "active")  # existing customers allow it by default
