"""The punchout's settings, read from the app config once per call site."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gateway import __version__
from gateway.services.ordering.documents import SupplierParty
from gateway.services.punchout.sessions import PunchOutSettings


def punchout_settings(config: Mapping[str, Any]) -> PunchOutSettings:
    """Gather what the punchout service needs from the Flask config."""
    return PunchOutSettings(
        base_url=config["GATEWAY_BASE_URL"],
        digest_key=config["GATEWAY_DIGEST_KEY"],
        start_token_ttl=config["GATEWAY_START_TOKEN_TTL"],
        clock_skew=config["GATEWAY_SETUP_CLOCK_SKEW"],
        shop_session_ttl=config["GATEWAY_SHOP_SESSION_TTL"],
        supplier_domain=config["GATEWAY_SUPPLIER_DOMAIN"],
        supplier_identity=config["GATEWAY_SUPPLIER_IDENTITY"],
        user_agent=f"punchout-gateway {__version__}",
        hostname=urlsplit(config["GATEWAY_BASE_URL"]).hostname or "localhost",
        dtd_dir=config["GATEWAY_CXML_DTD_DIR"],
        encryption_key=config.get("GATEWAY_ENCRYPTION_KEY"),
        signing_key=_read(config.get("GATEWAY_SIGNING_KEY_FILE")),
        signing_certificate=_read(config.get("GATEWAY_SIGNING_CERT_FILE")),
        timezone=config["GATEWAY_TIMEZONE"],
        vat_rates=config["GATEWAY_VAT_RATES"],
    )


def supplier_party(config: Mapping[str, Any]) -> SupplierParty:
    """The supplier's details for confirmations and invoices (`GATEWAY_SUPPLIER_*`)."""
    return SupplierParty(
        name=config["GATEWAY_SUPPLIER_NAME"],
        street=config["GATEWAY_SUPPLIER_STREET"],
        postcode=config["GATEWAY_SUPPLIER_POSTCODE"],
        city=config["GATEWAY_SUPPLIER_CITY"],
        country=config["GATEWAY_SUPPLIER_COUNTRY"],
        vat_number=config["GATEWAY_SUPPLIER_VAT_NUMBER"],
        coc_number=config["GATEWAY_SUPPLIER_COC_NUMBER"],
        iban=config["GATEWAY_SUPPLIER_IBAN"],
        email=config["GATEWAY_SUPPLIER_EMAIL"],
    )


def _read(path: str | None) -> bytes | None:
    return Path(path).read_bytes() if path else None
