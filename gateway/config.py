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
from decimal import Decimal
from pathlib import Path
from typing import Any

from gateway.auth.encryption import derive_key
from gateway.errors import ConfigurationError

log = logging.getLogger(__name__)
MAIL_KEY = "gateway outbox mail"  # the purpose GATEWAY_MAIL_KEY is derived for
PICTURE_KEY = "gateway catalog picture links"  # the purpose GATEWAY_PICTURE_KEY is derived for
CXML_DTD_VERSION = "1.2.071"  # the cXML version we emit and `gateway cxml dtds install` fetches

DEFAULTS: dict[str, Any] = {
    "GATEWAY_DATABASE_URL": None,  # None: SQLite file in the instance folder
    "GATEWAY_SECRET_KEY": None,  # None: generated once into instance/secret_key
    "GATEWAY_DIGEST_KEY": None,  # key of the shared-secret digests; None: the secret key
    "GATEWAY_BASE_URL": "http://127.0.0.1:5000",
    "GATEWAY_CXML_DTD_DIR": None,  # None: the folder `gateway cxml dtds install` fills, if any
    "GATEWAY_TIMEZONE": "Europe/Amsterdam",
    "GATEWAY_MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "GATEWAY_START_TOKEN_TTL": 300,
    "GATEWAY_SETUP_CLOCK_SKEW": 600,
    "GATEWAY_SHOP_SESSION_TTL": 8 * 3600,
    "GATEWAY_SUPPLIER_DOMAIN": "NetworkID",
    "GATEWAY_SUPPLIER_IDENTITY": "AN-PUNCHOUT-GATEWAY",
    # The supplier on confirmations and invoices (PDFs, InvoiceDetailRequest): demo values
    "GATEWAY_SUPPLIER_NAME": "Demo Supplies B.V.",
    "GATEWAY_SUPPLIER_STREET": "Voorbeeldstraat 1",
    "GATEWAY_SUPPLIER_POSTCODE": "1011 AB",
    "GATEWAY_SUPPLIER_CITY": "Amsterdam",
    "GATEWAY_SUPPLIER_COUNTRY": "NL",
    "GATEWAY_SUPPLIER_VAT_NUMBER": "NL000099998B57",
    "GATEWAY_SUPPLIER_COC_NUMBER": "00000000",
    "GATEWAY_SUPPLIER_IBAN": "NL00BANK0123456789",
    "GATEWAY_SUPPLIER_EMAIL": "orders@supplier.demo",
    "GATEWAY_COOKIE_SECURE": None,  # None: secure when GATEWAY_BASE_URL is https
    "GATEWAY_SIMULATOR": False,  # the cart receiver at /tools/simulator/receive
    "GATEWAY_ENCRYPTION_KEY": None,  # Fernet key for secrets we must read back (CredentialMac)
    "GATEWAY_SIGNING_KEY_FILE": None,  # PEM key and certificate: sign outbound documents
    "GATEWAY_SIGNING_CERT_FILE": None,
    "GATEWAY_OUTBOUND_CONNECT_TIMEOUT": 5,  # seconds, outbound documents
    "GATEWAY_OUTBOUND_READ_TIMEOUT": 30,  # seconds
    "GATEWAY_OUTBOUND_MAX_RESPONSE": 1024 * 1024,  # bytes read of a partner's reply
    "GATEWAY_OUTBOX_MAX_ATTEMPTS": 10,  # then the document is dead-lettered
    "GATEWAY_OUTBOX_BACKOFF": 60,  # seconds before the first retry; doubles, capped at 1 h
    "GATEWAY_VAT_RATES": "standard=21,reduced=9,zero=0",  # VAT class=percent, comma-separated
    "GATEWAY_SHOP_LOGIN_REQUIRED": False,  # True: no guest browsing or checkout (B2B only)
    "GATEWAY_SMTP_HOST": "localhost",
    "GATEWAY_SMTP_PORT": 25,
    "GATEWAY_MAIL_FROM": "shop@localhost",
    "GATEWAY_PASSWORD_RESET_TTL": 3600,
    "GATEWAY_INVITATION_TTL": 7 * 24 * 3600,  # seconds a new user's invitation link works
    "GATEWAY_GUEST_RETENTION_DAYS": 90,
    "GATEWAY_MESSAGE_RETENTION_DAYS": 90,  # `gateway messages purge` deletes older documents
    "GATEWAY_LOGIN_ATTEMPTS": 10,  # failed logins per account in one window, then 429
    "GATEWAY_LOGIN_ADDRESS_ATTEMPTS": 50,  # failed logins from one client address per window
    "GATEWAY_LOGIN_WINDOW": 300,  # seconds; a blocked account frees itself when it ends
    "GATEWAY_RESET_ATTEMPTS": 3,  # password-reset requests per address asked for, per window
    "GATEWAY_RESET_ADDRESS_ATTEMPTS": 20,  # password-reset requests per client address
    "GATEWAY_RESET_WINDOW": 3600,  # seconds
    "GATEWAY_PROXY_HOPS": 0,  # trusted proxies in front: client address from X-Forwarded-For
    "GATEWAY_IMPERSONATION_IDLE_TIMEOUT": 15 * 60,  # seconds without a request: session ends
    "GATEWAY_IMPERSONATION_MAX_AGE": 2 * 3600,  # seconds after the start, whatever happens
    "GATEWAY_IMPERSONATION_DEFAULT": True,  # new customers allow staff to shop on their behalf
    "GATEWAY_METRICS_TOKEN": None,  # Bearer token for /metrics; None: loopback clients only
    "GATEWAY_API_RATE_LIMIT": 600,  # requests per API token per window, then 429
    "GATEWAY_API_RATE_WINDOW": 60,  # seconds
    "TESTING": False,
}

_INTEGERS = frozenset(
    {
        "GATEWAY_MAX_CONTENT_LENGTH",
        "GATEWAY_START_TOKEN_TTL",
        "GATEWAY_API_RATE_LIMIT",
        "GATEWAY_API_RATE_WINDOW",
        "GATEWAY_LOGIN_ATTEMPTS",
        "GATEWAY_LOGIN_ADDRESS_ATTEMPTS",
        "GATEWAY_LOGIN_WINDOW",
        "GATEWAY_RESET_ATTEMPTS",
        "GATEWAY_RESET_ADDRESS_ATTEMPTS",
        "GATEWAY_RESET_WINDOW",
        "GATEWAY_PROXY_HOPS",
        "GATEWAY_SETUP_CLOCK_SKEW",
        "GATEWAY_SHOP_SESSION_TTL",
        "GATEWAY_OUTBOUND_CONNECT_TIMEOUT",
        "GATEWAY_OUTBOUND_READ_TIMEOUT",
        "GATEWAY_OUTBOUND_MAX_RESPONSE",
        "GATEWAY_OUTBOX_MAX_ATTEMPTS",
        "GATEWAY_OUTBOX_BACKOFF",
        "GATEWAY_SMTP_PORT",
        "GATEWAY_PASSWORD_RESET_TTL",
        "GATEWAY_INVITATION_TTL",
        "GATEWAY_GUEST_RETENTION_DAYS",
        "GATEWAY_MESSAGE_RETENTION_DAYS",
        "GATEWAY_IMPERSONATION_IDLE_TIMEOUT",
        "GATEWAY_IMPERSONATION_MAX_AGE",
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
    login_required = settings["GATEWAY_SHOP_LOGIN_REQUIRED"]
    if isinstance(login_required, str):
        settings["GATEWAY_SHOP_LOGIN_REQUIRED"] = login_required.lower() in ("1", "true", "yes")
    if isinstance(settings["GATEWAY_IMPERSONATION_DEFAULT"], str):
        settings["GATEWAY_IMPERSONATION_DEFAULT"] = settings[
            "GATEWAY_IMPERSONATION_DEFAULT"
        ].lower() in ("1", "true", "yes")
    settings["GATEWAY_VAT_RATES"] = _vat_rates(settings["GATEWAY_VAT_RATES"])
    for key in _INTEGERS:
        try:
            settings[key] = int(settings[key])
        except (TypeError, ValueError) as exc:
            raise ConfigurationError(f"{key} must be a whole number") from exc
    settings["GATEWAY_DATABASE_URL"] = _database_url(
        settings["GATEWAY_DATABASE_URL"], instance_path
    )
    if not settings["GATEWAY_SECRET_KEY"]:
        if not settings["GATEWAY_DATABASE_URL"].startswith("sqlite"):
            raise ConfigurationError(
                "GATEWAY_SECRET_KEY must be set with a database server: every host sharing the "
                "database needs the same key (a generated one would differ per host)"
            )
        settings["GATEWAY_SECRET_KEY"] = _instance_secret(instance_path)
    if not settings["GATEWAY_DIGEST_KEY"]:
        settings["GATEWAY_DIGEST_KEY"] = settings["GATEWAY_SECRET_KEY"]
    # Derived, not a setting: seals queued e-mails that carry a single-use link (the outbox).
    settings["GATEWAY_MAIL_KEY"] = derive_key(settings["GATEWAY_SECRET_KEY"], purpose=MAIL_KEY)
    # Derived too: signs the picture links in catalog files (catalog.picture_links).
    settings["GATEWAY_PICTURE_KEY"] = derive_key(
        settings["GATEWAY_SECRET_KEY"], purpose=PICTURE_KEY
    )
    settings["GATEWAY_BASE_URL"] = str(settings["GATEWAY_BASE_URL"]).rstrip("/")
    if settings["GATEWAY_COOKIE_SECURE"] is None:
        settings["GATEWAY_COOKIE_SECURE"] = settings["GATEWAY_BASE_URL"].startswith("https://")
    settings["GATEWAY_CXML_DTD_DIR"] = _dtd_dir(settings["GATEWAY_CXML_DTD_DIR"])
    settings["GATEWAY_METRICS_TOKEN"] = settings["GATEWAY_METRICS_TOKEN"] or None
    settings["PROMETHEUS_MULTIPROC_DIR"] = metrics_multiprocess_dir()
    return settings


def database_url(instance_path: Path) -> str:
    """The database URL alone (for Alembic's command line, which needs no other setting)."""
    return _database_url(os.environ.get("GATEWAY_DATABASE_URL"), instance_path)


def _database_url(url: str | None, instance_path: Path) -> str:
    return url or f"sqlite:///{instance_path / 'gateway.sqlite3'}"


def metrics_multiprocess_dir() -> Path | None:
    """The folder where gunicorn's workers share their metrics, or None (one process).

    prometheus_client reads PROMETHEUS_MULTIPROC_DIR itself when it is imported, so this mirrors
    that variable (it is not a GATEWAY_* setting and cannot be overridden).
    """
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    return Path(folder) if folder else None


_MAX_VAT_PERCENT = 100


def installed_dtd_dir(version: str = CXML_DTD_VERSION) -> Path:
    """Where `gateway cxml dtds install` puts a version's DTDs by default: the user's data
    folder (`$XDG_DATA_HOME`, else `~/.local/share`), shared by every checkout and instance."""
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "punchout-gateway" / "cxml" / version


def _dtd_dir(configured: str | Path | None) -> Path | None:
    """The configured DTD folder; unset (None): the installed one, if any; "": none."""
    if configured is None:
        installed = installed_dtd_dir()
        return installed.resolve() if (installed / "cXML.dtd").is_file() else None
    return Path(configured).resolve() if configured else None


def _vat_rates(value: str | Mapping[str, Any]) -> dict[str, Decimal]:
    """`standard=21,reduced=9,zero=0` (or a mapping) as VAT class → percentage."""
    pairs = (
        value.items()
        if isinstance(value, Mapping)
        else (item.split("=", 1) for item in str(value).split(",") if item.strip())
    )
    try:
        rates = {str(name).strip(): Decimal(str(rate).strip()) for name, rate in pairs}
    except (ValueError, ArithmeticError) as exc:
        raise ConfigurationError("GATEWAY_VAT_RATES must look like standard=21,reduced=9") from exc
    if not all(rate.is_finite() and 0 <= rate < _MAX_VAT_PERCENT for rate in rates.values()):
        raise ConfigurationError("GATEWAY_VAT_RATES must be percentages from 0 to 100")
    return rates


def _instance_secret(instance_path: Path) -> str:
    """A key generated once per installation, so a fresh machine needs no set-up."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
        log.warning("GATEWAY_SECRET_KEY is not set; generated one in %s", path)
    return path.read_text().strip()
