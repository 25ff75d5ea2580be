"""Migration 0023: punchouts and buyer orders stored before it are kept (their cart value stays
unknown), a punchout whose cart went back with items gets its line count, and the built-in
admin and sales agent roles get the funnel right, nobody else."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import inspect, text

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
    "INSERT INTO product (id, sku, name, description, unit, unspsc, list_price, currency, "
    "active) VALUES (1, 'OLD-1', 'Old', '', 'EA', '44121701', 10000, 'EUR', 1)",
    "INSERT INTO customer_order (id, number, organisation_id, source, status, currency, "
    "net_total, tax_total, shipping_total, comment, placed_at) VALUES (1, 'CX-1', 1, 'cxml', "
    "'received', 'EUR', 1000, 0, 0, '', '2026-01-01 00:00:00')",
    "INSERT INTO buyer_order (id, order_id, partner_id, buyer_order_id, order_date, "
    "order_version, payload_id, content_digest, punchout_session_id, extrinsics, comments) "
    "VALUES (1, 1, 1, 'PO-1', '2026-01-01 00:00:00', 1, 'po@b', 'd', 1, '[]', '')",
]
LATER_SESSIONS = (
    (2, "create", "transferred"),  # its cart went back empty
    (3, "inspect", "transferred"),  # an inspect sends no items
    (4, "create", "active"),  # still shopping
)
CART_LINES = ((1, "a"), (1, "b"), (3, "c"), (4, "d"))
RIGHTS = {
    "admin": ["admin:staff:write"],
    "sales_agent": ["staff:customer:read"],
    "customer_service": ["staff:customer:read"],
    "buyer": ["shop:order:place"],
}


def test_old_punchouts_are_kept_and_admins_and_agents_may_read_the_funnel(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0022")
    with engine.begin() as connection:
        for statement in ROWS:
            connection.execute(text(statement))
        for number, operation, status in LATER_SESSIONS:
            connection.execute(
                text(
                    "INSERT INTO punchout_session (id, partner_id, organisation_id, user_id, "
                    "operation, buyer_cookie, return_url, payload_id, buyer_credentials, "
                    "token_digest, token_expires_at, status, created_at) VALUES (:id, 1, 1, 1, "
                    ":operation, 'c', 'https://buyer.example/r', :payload, '[]', :digest, "
                    "'2026-01-01 00:05:00', :status, '2026-01-01 00:00:00')"
                ),
                {
                    "id": number,
                    "operation": operation,
                    "payload": f"p{number}@b",
                    "digest": f"digest-{number}",
                    "status": status,
                },
            )
        for number in (1, 2, 3, 4):
            connection.execute(
                text(
                    "INSERT INTO cart (id, organisation_id, user_id, punchout_session_id, status, "
                    "created_at) VALUES (:id, 1, 1, :id, 'transferred', '2026-01-01 00:00:00')"
                ),
                {"id": number},
            )
        for cart, aux in CART_LINES:
            connection.execute(
                text(
                    "INSERT INTO cart_line (cart_id, product_id, quantity, aux_id) "
                    "VALUES (:cart, 1, 1000, :aux)"
                ),
                {"cart": cart, "aux": aux},
            )
        for name, rights in RIGHTS.items():
            connection.execute(
                text("INSERT INTO role (name, permissions) VALUES (:name, :rights)"),
                {"name": name, "rights": json.dumps(rights)},
            )
    upgrade_to(engine, "0023")
    with engine.connect() as connection:
        punchouts = connection.execute(
            text("SELECT id, status, payload_id, cart_value, cart_lines FROM punchout_session")
        ).all()
        traced = connection.execute(
            text("SELECT order_id, punchout_session_id FROM buyer_order")
        ).one()
        rights = {
            name: set(json.loads(permissions))
            for name, permissions in connection.execute(text("SELECT name, permissions FROM role"))
        }
        indexes = {
            table: {index["name"] for index in inspect(connection).get_indexes(table)}
            for table in ("punchout_session", "buyer_order")
        }
    engine.dispose()
    assert sorted(tuple(row) for row in punchouts) == [
        (1, "transferred", "p@b", None, 2),
        (2, "transferred", "p2@b", None, None),
        (3, "transferred", "p3@b", None, None),
        (4, "active", "p4@b", None, None),
    ]
    assert tuple(traced) == (1, 1)
    assert rights == {
        "admin": {"admin:staff:write", "admin:funnel:read"},
        "sales_agent": {"staff:customer:read", "admin:funnel:read"},
        "customer_service": {"staff:customer:read"},
        "buyer": {"shop:order:place"},
    }
    assert "ix_punchout_session_partner_created" in indexes["punchout_session"]
    assert "ix_buyer_order_punchout_session_id" in indexes["buyer_order"]
