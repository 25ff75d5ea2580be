"""Partner administration for integrators: look-up, test login URLs, edits and secret rotation."""

from __future__ import annotations

from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput
from gateway.models import TradingPartner
from gateway.services.oci import PartnerOptions
from gateway.urls import url_allowed


def partner_named(session: Session, name: str) -> TradingPartner:
    """The partner called `name`, or InvalidInput."""
    partner = session.scalar(select(TradingPartner).where(TradingPartner.name == name))
    if partner is None:
        raise InvalidInput(f"No partner named {name!r}.")
    return partner


def oci_login_url(
    session: Session, *, name: str, base_url: str, password: str, hook_url: str
) -> str:
    """The URL an SAP buyer would open to launch the shop as OCI partner `name`."""
    partner = partner_named(session, name)
    if partner.protocol != "oci" or not partner.login_name:
        raise InvalidInput(f"Partner {name!r} is not an OCI partner.")
    if not url_allowed(hook_url, partner.allowed_url_prefixes):
        raise InvalidInput(f"HOOK_URL {hook_url!r} is not under the partner's allowed prefixes.")
    options = PartnerOptions.of(partner)
    query = {
        options.username_field: partner.login_name,
        options.password_field: password,
        "OCI_VERSION": options.version,
        "returntarget": "_top",
        options.hook_url_field: hook_url,
    }
    return f"{base_url}/oci?{urlencode(query)}"
