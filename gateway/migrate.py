"""Schema upgrades through Alembic, for `gateway init`, the tests and operators alike."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(files("gateway") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision; data is never dropped."""
    upgrade_to(engine, "head")


def upgrade_to(engine: Engine, revision: str) -> None:
    """Upgrade the schema to `revision` (the migration manages its own transaction)."""
    with engine.connect() as connection:
        command.upgrade(alembic_config(connection), revision)
