"""Per-partner options of the order exchange: asynchronous acknowledgement, CredentialMac,
outbound delivery, signatures, and what an order with wrong prices becomes (`price_check`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.auth.encryption import decrypt, encrypt
from gateway.errors import InvalidInput
from gateway.models import OrderPricePolicy, PartnerOrderSettings, TradingPartner
from gateway.services.partners.registry import MIN_SECRET_LENGTH
from gateway.urls import url_allowed


def settings_for(session: Session, partner: TradingPartner) -> PartnerOrderSettings:
    """The partner's order settings row, created with the defaults when missing."""
    row = session.scalar(
        select(PartnerOrderSettings).where(PartnerOrderSettings.partner_id == partner.id)
    )
    if row is None:
        row = PartnerOrderSettings(partner_id=partner.id, async_acknowledgement=False)
        session.add(row)
        session.flush()
    return row


def configure(
    session: Session,
    *,
    partner_name: str,
    async_acknowledgement: bool | None = None,
    credential_mac_secret: str | None = None,
    disable_credential_mac: bool = False,
    outbound_url: str | None = None,
    outbound_prefixes: Sequence[str] | None = None,
    allow_private_network: bool | None = None,
    outbound_secret: str | None = None,
    signature_certificate: str | None = None,
    require_signature: bool | None = None,
    encryption_key: str | None = None,
    order_price_policy: str | None = None,
    order_price_tolerance: Decimal | None = None,
) -> PartnerOrderSettings:
    """Change a partner's order settings; secrets are stored encrypted.

    The outbound URL must fall under the partner's outbound prefixes (given now or before).
    """
    partner = session.scalar(select(TradingPartner).where(TradingPartner.name == partner_name))
    if partner is None:
        raise InvalidInput(f"No partner named {partner_name!r}.")
    row = settings_for(session, partner)
    if async_acknowledgement is not None:
        row.async_acknowledgement = async_acknowledgement
    if credential_mac_secret is not None:
        if len(credential_mac_secret) < MIN_SECRET_LENGTH:
            raise InvalidInput(f"The secret must be at least {MIN_SECRET_LENGTH} characters.")
        row.credential_mac_secret = encrypt(credential_mac_secret, encryption_key)
    if disable_credential_mac:
        row.credential_mac_secret = None
    _outbound(row, url=outbound_url, prefixes=outbound_prefixes, private=allow_private_network)
    if outbound_secret is not None:
        row.outbound_secret = encrypt(outbound_secret, encryption_key)
    _signatures(row, certificate=signature_certificate, required=require_signature)
    set_price_policy(row, policy=order_price_policy, tolerance=order_price_tolerance)
    session.flush()
    return row


MAX_TOLERANCE = Decimal(1_000_000)
TOLERANCE_DECIMALS = 4  # a price's


def set_price_policy(
    row: PartnerOrderSettings, *, policy: str | None, tolerance: Decimal | None
) -> None:
    """Set what an order with problems becomes and how far a unit price may differ from ours
    (None: unchanged). InvalidInput names a policy or tolerance that cannot be used."""
    if policy is not None:
        if policy not in frozenset(OrderPricePolicy):
            choices = ", ".join(OrderPricePolicy)
            raise InvalidInput(f"The order price policy must be one of {choices}.")
        row.order_price_policy = policy
    if tolerance is not None:
        exponent = tolerance.normalize().as_tuple().exponent if tolerance.is_finite() else "n"
        if (
            not isinstance(exponent, int)
            or exponent < -TOLERANCE_DECIMALS
            or not Decimal(0) <= tolerance < MAX_TOLERANCE
        ):
            refusal = (
                "The order price tolerance must be an amount from 0 with at most "
                f"{TOLERANCE_DECIMALS} decimals."
            )
            raise InvalidInput(refusal)
        row.order_price_tolerance = tolerance


def _outbound(
    row: PartnerOrderSettings,
    *,
    url: str | None,
    prefixes: Sequence[str] | None,
    private: bool | None,
) -> None:
    if prefixes is not None:
        for prefix in prefixes:
            if not url_allowed(prefix, [prefix]):
                raise InvalidInput(f"{prefix!r} is not an absolute http(s) URL prefix.")
        row.outbound_url_prefixes = list(prefixes)
    if private is not None:
        row.allow_private_network = private
    if url is not None:
        if not url_allowed(url, row.outbound_url_prefixes or []):
            raise InvalidInput("The outbound URL is not under an allowed outbound prefix.")
        row.outbound_url = url


def _signatures(
    row: PartnerOrderSettings, *, certificate: str | None, required: bool | None
) -> None:
    if certificate is not None:
        try:
            x509.load_pem_x509_certificate(certificate.encode())
        except ValueError as exc:
            raise InvalidInput("The signature certificate is not a PEM certificate.") from exc
        row.signature_certificate = certificate
    if required is not None:
        if required and not row.signature_certificate:
            raise InvalidInput("Pin the partner's certificate before requiring signatures.")
        row.require_signature = required


def mac_matches(
    session: Session,
    *,
    partner: TradingPartner,
    header: cxml.Header,
    key: str | None,
    now: datetime,
) -> bool:
    """True if the Sender carries a valid CredentialMac keyed with the partner's secret.

    From is the credential that names the partner (else the first one). Partners without a
    CredentialMac secret never match.
    """
    stored = session.scalar(
        select(PartnerOrderSettings.credential_mac_secret).where(
            PartnerOrderSettings.partner_id == partner.id
        )
    )
    macs = [c for c in header.sender_credentials if c.credential_mac is not None]
    if stored is None or not macs or not header.from_credentials:
        return False
    secret = decrypt(stored, key)
    names = {(i.domain, i.identity) for i in partner.identities}
    from_credential = next(
        (c for c in header.from_credentials if (c.domain.casefold(), c.identity.strip()) in names),
        header.from_credentials[0],
    )
    return any(
        cxml.credential_mac.verify(
            sender.credential_mac,
            secret=secret,
            from_credential=from_credential,
            sender_credential=sender,
            now=now,
        )
        for sender in macs
        if sender.credential_mac is not None
    )


def signature_certificate(session: Session, partner: TradingPartner) -> bytes | None:
    """The pinned certificate (PEM) if the partner must sign its documents, else None."""
    row = session.scalar(
        select(PartnerOrderSettings).where(PartnerOrderSettings.partner_id == partner.id)
    )
    if row is None or not row.require_signature or not row.signature_certificate:
        return None
    return row.signature_certificate.encode()
