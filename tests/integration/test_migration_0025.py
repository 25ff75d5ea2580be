"""Migration 0025 adds the API's token tables empty, keeps every user, and downgrades cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect, text

from gateway.engines import make_engine
from gateway.migrate import alembic_config, upgrade_to

TABLES = {"api_token", "api_token_customer", "api_idempotency"}


def test_token_tables_come_and_go_and_users_stay(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0020")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO user_account (id, email, name, active, created_at) "
                "VALUES (1, 'a@old.test', 'A', 1, '2026-01-01 00:00:00')"
            )
        )
    upgrade_to(engine, "0025")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) >= TABLES
        assert connection.execute(text("SELECT count(*) FROM api_token")).scalar() == 0
        assert connection.execute(text("SELECT email FROM user_account")).scalar() == "a@old.test"
    with engine.connect() as connection:
        command.downgrade(alembic_config(connection), "0020")
    with engine.connect() as connection:
        assert not TABLES & set(inspect(connection).get_table_names())
        assert connection.execute(text("SELECT count(*) FROM user_account")).scalar() == 1
    engine.dispose()
