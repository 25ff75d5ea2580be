"""Migration 0021 gives the built-in staff roles the order desk's rights, keeps every other
right, and adds its tables empty; downgrading takes the rights away again."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import alembic_config, upgrade_to


def test_staff_roles_get_the_desk_rights_and_keep_their_others(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0017")
    with engine.begin() as connection:
        for name, rights in (
            ("customer_service", ["staff:customer:read", "staff:order:decide"]),
            ("admin", ["admin:staff:write"]),
            ("sales_agent", ["staff:customer:read"]),
            ("buyer", ["shop:order:place"]),
        ):
            connection.execute(
                text("INSERT INTO role (name, permissions) VALUES (:name, :rights)"),
                {"name": name, "rights": json.dumps(rights)},
            )
    upgrade_to(engine, "0021")
    with engine.connect() as connection:
        rights = {
            name: set(json.loads(permissions))
            for name, permissions in connection.execute(text("SELECT name, permissions FROM role"))
        }
        shipments = connection.execute(text("SELECT count(*) FROM order_shipment")).scalar()
        invoices = connection.execute(text("SELECT count(*) FROM order_invoice")).scalar()
    assert rights["customer_service"] == {
        "staff:customer:read",
        "staff:order:decide",
        "staff:order:fulfil",
        "staff:order:read",
    }
    assert rights["admin"] == {"admin:staff:write", "staff:order:fulfil", "staff:order:read"}
    assert rights["sales_agent"] == {"staff:customer:read", "staff:order:read"}
    assert rights["buyer"] == {"shop:order:place"}
    assert (shipments, invoices) == (0, 0)
    with engine.connect() as connection:  # downgrade: the desk's rights go, the others stay
        command.downgrade(alembic_config(connection), "0015")
    with engine.connect() as connection:
        rights = {
            name: set(json.loads(permissions))
            for name, permissions in connection.execute(text("SELECT name, permissions FROM role"))
        }
    engine.dispose()
    assert rights["customer_service"] == {"staff:customer:read", "staff:order:decide"}
    assert rights["sales_agent"] == {"staff:customer:read"}
