"""Migration 0012: orders and punchout sessions stored before it read as production, and
partners registered before it accept both modes."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to

ROWS = [
    "INSERT INTO organisation (id, number, name, currency, active, created_at) "
    "VALUES (1, '7001', 'Kept BV', 'EUR', 1, '2026-01-01 00:00:00')",
    "INSERT INTO user_account (id, email, name, password_hash, active, created_at) "
    "VALUES (1, 'kept@example.test', 'Kept', NULL, 1, '2026-01-01 00:00:00')",
    "INSERT INTO trading_partner (id, name, protocol, organisation_id, secret_digest, "
    "allowed_url_prefixes, cart_encoding, operation_allowed, default_role, replay_protection, "
    "active, created_at) VALUES (1, 'kept-partner', 'cxml', 1, 'digest', "
    "'[\"https://buyer.example/\"]', 'base64', 'edit', 'punchout', 1, 1, '2026-01-01 00:00:00')",
    "INSERT INTO punchout_session (id, partner_id, organisation_id, user_id, operation, "
    "buyer_cookie, return_url, payload_id, buyer_credentials, token_digest, token_expires_at, "
    "status, created_at) VALUES (1, 1, 1, 1, 'create', 'c', 'https://buyer.example/r', 'p@b', "
    "'[]', 'digest-1', '2026-01-01 00:05:00', 'transferred', '2026-01-01 00:00:00')",
    "INSERT INTO customer_order (id, number, organisation_id, source, status, currency, "
    "net_total, tax_total, shipping_total, comment, placed_at) VALUES (1, 'CX-1', 1, 'cxml', "
    "'received', 'EUR', 1000, 0, 0, '', '2026-01-01 00:00:00')",
]


def test_existing_orders_and_punchouts_read_as_production_and_partners_accept_both(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0011")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
    upgrade_to(engine, "0012")
    with engine.connect() as connection:
        order = connection.execute(
            text("SELECT number, net_total, deployment_mode FROM customer_order")
        ).one()
        punchout = connection.execute(
            text("SELECT buyer_cookie, status, deployment_mode FROM punchout_session")
        ).one()
        partner = connection.execute(
            text("SELECT name, accepted_deployment_mode FROM trading_partner")
        ).one()
    engine.dispose()
    assert tuple(order) == ("CX-1", 1000, "production")
    assert tuple(punchout) == ("c", "transferred", "production")
    assert tuple(partner) == ("kept-partner", "both")
