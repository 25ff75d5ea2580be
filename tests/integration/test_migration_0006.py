"""Migration 0006 gives roles seeded before it the new rights and settings (a data migration)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade, upgrade_to


def test_roles_seeded_before_0006_get_the_new_rights(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0005")
    with engine.begin() as connection:
        for name, rights in (
            ("superuser", ["shop:cart:write", "shop:order:place"]),
            ("requester", ["shop:order:place"]),
            ("viewer", ["shop:catalog:read"]),
        ):
            connection.execute(
                text("INSERT INTO role (name, permissions) VALUES (:name, :rights)"),
                {"name": name, "rights": json.dumps(rights)},
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = {
            name: (json.loads(rights), bool(approval), kind)
            for name, rights, approval, kind in connection.execute(
                text("SELECT name, permissions, requires_approval, kind FROM role")
            )
        }
    engine.dispose()
    superuser, requester, viewer = rows["superuser"], rows["requester"], rows["viewer"]
    assert {"shop:order:approve", "account:user:write", "shop:cart:write"} <= set(superuser[0])
    assert superuser[1:] == (False, "customer")
    assert requester == (["shop:budget:read", "shop:order:place"], True, "customer")
    assert viewer == (["shop:catalog:read"], False, "customer")  # untouched
