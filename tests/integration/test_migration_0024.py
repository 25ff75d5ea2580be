"""Migration 0024 keeps where a punchout not yet opened lands (OCI DETAIL / SOURCING), and
dates every product and price as changed when it ran."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to


def test_pending_punchouts_keep_their_landing_page(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0015")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO organisation (id, number, name, currency, active, created_at) "
                "VALUES (1, '9', 'Old', 'EUR', 1, '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO user_account (id, email, name, active, created_at) "
                "VALUES (1, 'a@old.test', 'A', 1, '2026-01-01 00:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO trading_partner (id, name, protocol, organisation_id, "
                "secret_digest, allowed_url_prefixes, cart_encoding, operation_allowed, "
                "default_role, replay_protection, active, created_at, settings) VALUES "
                "(1, 'oci', 'oci', 1, 'x', '[]', 'base64', 'edit', 'punchout', 1, 1, "
                "'2026-01-01 00:00:00', '{}')"
            )
        )
        for number, redeemed, landing in (
            (1, None, {"product": "DEMO-0005"}),
            (2, "2026-01-01 00:01:00", {"search": "pens"}),
            (3, None, {}),
        ):
            parameters = {"charset": "UTF-8", "landing": landing}
            connection.execute(
                text(
                    "INSERT INTO punchout_session (id, partner_id, organisation_id, user_id, "
                    "operation, buyer_cookie, return_url, payload_id, buyer_credentials, "
                    "token_digest, token_expires_at, redeemed_at, status, created_at, "
                    "oci_parameters) VALUES (:id, 1, 1, 1, 'create', '', 'http://x', :payload, "
                    "'[]', :digest, '2026-01-01 00:05:00', :redeemed, 'pending', "
                    "'2026-01-01 00:00:00', :parameters)"
                ),
                {
                    "id": number,
                    "payload": f"p{number}",
                    "digest": f"d{number}",
                    "redeemed": redeemed,
                    "parameters": json.dumps(parameters),
                },
            )
    upgrade_to(engine, "0024")
    with engine.connect() as connection:
        rows = {
            row.id: (row.landing and json.loads(row.landing), json.loads(row.oci_parameters))
            for row in connection.execute(
                text("SELECT id, landing, oci_parameters FROM punchout_session")
            )
        }
    assert rows[1] == ({"product": "DEMO-0005"}, {"charset": "UTF-8"})
    assert rows[2] == (None, {"charset": "UTF-8", "landing": {"search": "pens"}})  # opened
    assert rows[3] == (None, {"charset": "UTF-8"})


def test_the_product_search_stays_current_after_the_upgrade(tmp_path: Path) -> None:
    """The new column is added in place: a copy of the table would drop the search triggers."""
    engine = make_engine(f"sqlite:///{tmp_path / 'search.sqlite3'}")
    upgrade_to(engine, "0024")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO product (id, sku, name, description, unit, unspsc, list_price, "
                "currency, active, name_nl, description_nl, vat_class) VALUES (1, 'M-1', "
                "'Optical mouse', '', 'EA', '43211708', 100000, 'EUR', 1, '', '', 'standard')"
            )
        )
        found = connection.execute(
            text("SELECT rowid FROM product_search WHERE product_search MATCH 'mouse'")
        ).all()
        changed = connection.execute(text("SELECT updated_at FROM product")).scalar_one()
    assert found == [(1,)]
    assert changed is not None
