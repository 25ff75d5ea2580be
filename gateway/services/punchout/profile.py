"""The Profile transaction: what we accept at POST /cxml and with which options (A.4)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.models import PartnerOrderSettings, TradingPartner

#: the PunchOut operations a partner's `operation_allowed` level permits
OPERATIONS = {"create": "create", "inspect": "create inspect", "edit": "create inspect edit"}
CREDENTIAL_MAC_OPTION = "Direct.AuthenticationMethod.CredentialMac"


def profile(session: Session, *, partner: TradingPartner, base_url: str) -> cxml.ProfileResponse:
    """The ProfileResponse for one authenticated partner: one Transaction per request we take."""
    url = f"{base_url}/cxml"
    uses_mac = session.scalar(
        select(PartnerOrderSettings.credential_mac_secret.is_not(None)).where(
            PartnerOrderSettings.partner_id == partner.id
        )
    )
    setup_options = [
        cxml.ProfileOption(name="operationAllowed", value=OPERATIONS[partner.operation_allowed])
    ]
    if uses_mac:
        setup_options.append(cxml.ProfileOption(name=CREDENTIAL_MAC_OPTION, value="Yes"))
    return cxml.ProfileResponse(
        effective_date=partner.created_at,
        transactions=(
            cxml.ProfileTransaction(request_name="ProfileRequest", url=url),
            cxml.ProfileTransaction(
                request_name="PunchOutSetupRequest", url=url, options=tuple(setup_options)
            ),
            cxml.ProfileTransaction(request_name="OrderRequest", url=url),
        ),
    )
