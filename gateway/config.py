"""The only reader of GATEWAY_* settings.

`load_settings(overrides)` merges the environment with explicit overrides (which win) into the
Flask config keys the rest of the code reads. Tests and the CLI pass overrides; nothing else
looks at `os.environ`.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gateway.errors import ConfigurationError

log = logging.getLogger(__name__)

DEFAULTS: dict[str, Any] = {
    "GATEWAY_DATABASE_URL": None,  # None: SQLite file in the instance folder
    "GATEWAY_SECRET_KEY": None,  # None: generated once into instance/secret_key
    "GATEWAY_DIGEST_KEY": None,  # key of the shared-secret digests; None: the secret key
    "GATEWAY_BASE_URL": "http://127.0.0.1:5000",
    "GATEWAY_CXML_DTD_DIR": None,
    "GATEWAY_TIMEZONE": "Europe/Amsterdam",
    "GATEWAY_MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "GATEWAY_START_TOKEN_TTL": 300,
    "GATEWAY_SETUP_CLOCK_SKEW": 600,
    "GATEWAY_SHOP_SESSION_TTL": 8 * 3600,
    "GATEWAY_SUPPLIER_DOMAIN": "NetworkID",
    "GATEWAY_SUPPLIER_IDENTITY": "AN-PUNCHOUT-GATEWAY",
    "GATEWAY_COOKIE_SECURE": None,  # None: secure when GATEWAY_BASE_URL is https
    "GATEWAY_SIMULATOR": False,  # the cart receiver at /tools/simulator/receive
    "GATEWAY_MESSAGE_RETENTION_DAYS": 90,  # `gateway messages purge` deletes older documents
    "TESTING": False,
}

_INTEGERS = frozenset(
    {
        "GATEWAY_MAX_CONTENT_LENGTH",
        "GATEWAY_START_TOKEN_TTL",
        "GATEWAY_SETUP_CLOCK_SKEW",
        "GATEWAY_SHOP_SESSION_TTL",
        "GATEWAY_MESSAGE_RETENTION_DAYS",
    }
)


def load_settings(overrides: Mapping[str, Any] | None, instance_path: Path) -> dict[str, Any]:
    """Return the effective settings: defaults < environment < `overrides`."""
    settings = dict(DEFAULTS)
    for key in DEFAULTS:
        if key.startswith("GATEWAY_") and key in os.environ:
            settings[key] = os.environ[key]
    settings.update(overrides or {})
    if isinstance(settings["GATEWAY_SIMULATOR"], str):
        settings["GATEWAY_SIMULATOR"] = settings["GATEWAY_SIMULATOR"].lower() in (
            "1",
            "true",
            "yes",
        )
    for key in _INTEGERS:
        try:
            settings[key] = int(settings[key])
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{key} must be a whole number") from exc
    if not settings["GATEWAY_DATABASE_URL"]:
        settings["GATEWAY_DATABASE_URL"] = f"sqlite:///{instance_path / 'gateway.sqlite3'}"
    if not settings["GATEWAY_SECRET_KEY"]:
        settings["GATEWAY_SECRET_KEY"] = _instance_secret(instance_path)
    if not settings["GATEWAY_DIGEST_KEY"]:
        settings["GATEWAY_DIGEST_KEY"] = settings["GATEWAY_SECRET_KEY"]
    settings["GATEWAY_BASE_URL"] = str(settings["GATEWAY_BASE_URL"]).rstrip("/")
    if settings["GATEWAY_COOKIE_SECURE"] is None:
        settings["GATEWAY_COOKIE_SECURE"] = settings["GATEWAY_BASE_URL"].startswith("https://")
    dtd_dir = settings["GATEWAY_CXML_DTD_DIR"]
    settings["GATEWAY_CXML_DTD_DIR"] = Path(dtd_dir).resolve() if dtd_dir else None
    return settings


def _instance_secret(instance_path: Path) -> str:
    """A key generated once per installation, so a fresh machine needs no set-up."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
        log.warning("GATEWAY_SECRET_KEY is not set; generated one in %s", path)
    return path.read_text().strip()
