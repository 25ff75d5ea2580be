"""Migration 0015 keeps every invitation made before it: a used one is accepted, an unused one
stays pending with its link, and none offers a role (their memberships exist already)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from gateway.engines import make_engine
from gateway.migrate import upgrade_to


def test_invitations_made_before_0015_keep_their_links_and_get_a_state(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0014")
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
        for digest, used in (("used", "2026-01-02 00:00:00"), ("open", None)):
            connection.execute(
                text(
                    "INSERT INTO invitation (user_id, organisation_id, token_digest, created_at, "
                    "expires_at, used_at) VALUES (1, 1, :digest, '2026-01-01 00:00:00', "
                    "'2026-01-08 00:00:00', :used)"
                ),
                {"digest": digest, "used": used},
            )
    upgrade_to(engine, "0015")
    with engine.connect() as connection:
        rows = {
            digest: (state, decided is not None, role)
            for digest, state, decided, role in connection.execute(
                text("SELECT token_digest, state, decided_at, role_id FROM invitation")
            )
        }
    engine.dispose()
    assert rows == {"used": ("accepted", True, None), "open": ("pending", False, None)}
