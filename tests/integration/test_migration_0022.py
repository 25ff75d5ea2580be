"""Migration 0022: the built-in buyer, superuser and punchout roles get `shop:list:write`, the
customer_service and admin roles `staff:quote:answer`; other roles and rights stay as they
were, and the downgrade takes exactly these rights back."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text

from gateway.engines import make_engine
from gateway.migrate import alembic_config, upgrade_to

BEFORE = {
    "buyer": {"shop:order:place"},
    "superuser": {"account:user:write"},
    "punchout": {"punchout:cart:transfer"},
    "viewer": {"shop:catalog:read"},
    "customer_service": {"staff:customer:read"},
    "admin": {"admin:staff:write"},
    "sales_agent": {"staff:customer:read"},
}


def _rights(engine: Engine) -> dict[str, set[str]]:
    with engine.connect() as connection:
        return {
            name: set(json.loads(permissions))
            for name, permissions in connection.execute(text("SELECT name, permissions FROM role"))
        }


def test_the_built_in_roles_get_the_list_and_quote_rights(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0018")
    with engine.begin() as connection:
        for name, rights in BEFORE.items():
            connection.execute(
                text("INSERT INTO role (name, permissions) VALUES (:name, :rights)"),
                {"name": name, "rights": json.dumps(sorted(rights))},
            )
    upgrade_to(engine, "0022")
    after = _rights(engine)
    assert after == {
        **BEFORE,
        "buyer": {"shop:order:place", "shop:list:write"},
        "superuser": {"account:user:write", "shop:list:write"},
        "punchout": {"punchout:cart:transfer", "shop:list:write"},
        "customer_service": {"staff:customer:read", "staff:quote:answer"},
        "admin": {"admin:staff:write", "staff:quote:answer"},
    }
    with engine.connect() as connection:
        columns = {row[1] for row in connection.execute(text("PRAGMA table_info(cart_line)"))}
    assert "quote_line_id" in columns
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0015")
    assert _rights(engine) == BEFORE
    engine.dispose()
