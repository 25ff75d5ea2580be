"""Upgrades keep data: a database filled at an early revision migrates to head intact.

SQLite rebuilds a table to alter it; with rows pointing at that table this broke `gateway
init` on an existing demo database until foreign keys were switched off around migrations.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade, upgrade_to

ROWS = [
    "INSERT INTO organisation (id, number, name, currency, active, created_at) "
    "VALUES (1, '7001', 'Kept BV', 'EUR', 1, '2026-01-01 00:00:00')",
    "INSERT INTO role (id, name, permissions) VALUES (1, 'buyer', '[]')",
    "INSERT INTO user_account (id, email, name, password_hash, active, created_at) "
    "VALUES (1, 'kept@example.test', 'Kept', NULL, 1, '2026-01-01 00:00:00')",
    "INSERT INTO membership (id, user_id, organisation_id, role_id) VALUES (1, 1, 1, 1)",
    "INSERT INTO product (id, sku, name, description, unit, unspsc, list_price, currency, active)"
    " VALUES (1, 'KEPT-1', 'Kept pen', '', 'EA', '44121701', 12345, 'EUR', 1)",
    "INSERT INTO trading_partner (id, name, protocol, organisation_id, secret_digest, "
    "allowed_url_prefixes, cart_encoding, operation_allowed, default_role, replay_protection, "
    "active, created_at) VALUES (1, 'kept-partner', 'cxml', 1, 'digest', "
    "'[\"https://buyer.example/\"]', 'base64', 'edit', 'punchout', 1, 1, '2026-01-01 00:00:00')",
    "INSERT INTO partner_identity (id, partner_id, domain, identity) "
    "VALUES (1, 1, 'networkid', 'AN-KEPT')",
    "INSERT INTO cart (id, organisation_id, user_id, status, created_at) "
    "VALUES (1, 1, 1, 'open', '2026-01-01 00:00:00')",
    "INSERT INTO cart_line (id, cart_id, product_id, quantity, aux_id) "
    "VALUES (1, 1, 1, 2000, 'a1')",
]


def test_upgrading_a_filled_database_keeps_every_row(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0002")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        partner = connection.execute(
            text("SELECT name, organisation_id, secret_digest FROM trading_partner")
        ).one()
        assert tuple(partner) == ("kept-partner", 1, "digest")
        assert connection.execute(text("SELECT identity FROM partner_identity")).scalar() == (
            "AN-KEPT"
        )
        line = connection.execute(text("SELECT product_id, quantity, aux_id FROM cart_line")).one()
        assert tuple(line) == (1, 2000, "a1")
        assert connection.execute(text("SELECT sku FROM product")).scalar() == "KEPT-1"
        assert connection.execute(text("SELECT count(*) FROM membership")).scalar() == 1
    engine.dispose()
