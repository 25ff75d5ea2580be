"""Migration 0014: existing partners get the price policy `hold` with a tolerance of 0.01, the
staff roles the right to decide on held orders; existing orders stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to

_ROWS = (
    "INSERT INTO organisation (id, number, name, currency, active, created_at) "
    "VALUES (1, '9', 'Old', 'EUR', 1, '2026-01-01 00:00:00')",
    "INSERT INTO trading_partner (id, name, protocol, organisation_id, secret_digest, "
    "allowed_url_prefixes, cart_encoding, operation_allowed, default_role, replay_protection, "
    "active, created_at) VALUES (1, 'old-ariba', 'cxml', 1, 'x', '[]', 'base64', 'edit', "
    "'punchout', 1, 1, '2026-01-01 00:00:00')",
    "INSERT INTO partner_order_settings (partner_id, async_acknowledgement, "
    "outbound_url_prefixes, allow_private_network, require_signature) VALUES (1, 1, '[]', 0, 0)",
    "INSERT INTO customer_order (id, number, organisation_id, source, status, currency, "
    "net_total, tax_total, shipping_total, comment, placed_at) VALUES (1, 'CX-OLD', 1, 'cxml', "
    "'received', 'EUR', 0, 0, 0, '', '2026-01-01 00:00:00')",
)


def test_existing_partners_hold_wrong_prices_and_staff_may_decide(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0013")
    with engine.begin() as connection:
        for statement in _ROWS:
            connection.execute(text(statement))
        for name, rights in (
            ("customer_service", ["staff:customer:read"]),
            ("admin", ["admin:staff:write"]),
            ("sales_agent", ["staff:customer:read"]),
            ("buyer", ["shop:order:place"]),
        ):
            connection.execute(
                text("INSERT INTO role (name, permissions) VALUES (:name, :rights)"),
                {"name": name, "rights": json.dumps(rights)},
            )
    upgrade_to(engine, "0014")
    with engine.connect() as connection:
        settings = connection.execute(
            text(
                "SELECT async_acknowledgement, order_price_policy, order_price_tolerance "
                "FROM partner_order_settings"
            )
        ).one()
        rights = {
            name: set(json.loads(permissions))
            for name, permissions in connection.execute(text("SELECT name, permissions FROM role"))
        }
        order = connection.execute(text("SELECT number, status FROM customer_order")).one()
        problems = connection.execute(text("SELECT count(*) FROM order_problem")).scalar()
    engine.dispose()
    assert tuple(settings) == (1, "hold", 100)  # 0.01, stored scaled by 10^4; the rest kept
    assert rights["customer_service"] == {"staff:customer:read", "staff:order:decide"}
    assert rights["admin"] == {"admin:staff:write", "staff:order:decide"}
    assert rights["sales_agent"] == {"staff:customer:read"}
    assert rights["buyer"] == {"shop:order:place"}
    assert (tuple(order), problems) == (("CX-OLD", "received"), 0)
