"""Partner administration: create, edit, disable, rotate secrets, preview mappings, test URLs.

Secrets are generated here, returned once to be shown, and stored only hashed (cXML shared
secrets as keyed digests, OCI passwords as slow hashes).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.auth.credentials import hash_password, secret_digest
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.cxml import CXMLError
from gateway.errors import InvalidInput, NotFound
from gateway.models import (
    AcceptedDeploymentMode,
    OrderPricePolicy,
    Organisation,
    PartnerIdentity,
    PartnerProtocol,
    Product,
    TradingPartner,
)
from gateway.services.catalog import pricing
from gateway.services.partners.deployment import accepted_mode
from gateway.services.partners.order_settings import set_price_policy, settings_for
from gateway.services.partners.registry import (
    CART_ENCODINGS,
    DEFAULT_PUNCHOUT_ROLE,
    MAX_LOGIN_LENGTH,
    OCI_VERSIONS,
    OPERATIONS_ALLOWED,
    CXMLPartnerSpec,
    OCIPartnerSpec,
    add_cxml_partner,
    add_oci_partner,
    punchout_role,
    punchout_roles,
)
from gateway.services.punchout.cart_mapping import SETTINGS_KEY, CXMLMapping
from gateway.services.punchout.cxml_punchout import sample_item
from gateway.services.punchout.oci_mapping import PartnerOptions, preview_fields
from gateway.urls import url_allowed

FRAME_ANCESTORS_KEY = "frame_ancestors"
#: a CSP host source: optional scheme, optional `*.` wildcard, host, optional port; nothing else
_HOST_SOURCE = re.compile(r"(https?://)?(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?")
_SECRET_BYTES = 18
MAX_NAME_LENGTH = 100
MAX_DOMAIN_LENGTH = 64
MAX_IDENTITY_LENGTH = 200
_PREVIEW_PARTY = (cxml.Credential(domain="NetworkID", identity="preview"),)
_PREVIEW_HEADER = cxml.Header(
    from_credentials=_PREVIEW_PARTY,
    to_credentials=_PREVIEW_PARTY,
    sender_credentials=_PREVIEW_PARTY,
    user_agent="punchout-gateway preview",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PartnerForm:
    """Everything the partner page edits; protocol-specific parts are ignored for the other."""

    name: str
    protocol: str
    customer_number: str
    allowed_urls: Sequence[str]
    active: bool = True
    default_role: str = DEFAULT_PUNCHOUT_ROLE
    frame_ancestors: Sequence[str] = ()
    # cXML
    identities: Sequence[str] = ()
    encoding: str = cxml.CartEncoding.BASE64
    operation_allowed: str = cxml.Operation.EDIT
    replay_protection: bool = True
    accepted_deployment_mode: str = AcceptedDeploymentMode.BOTH
    mapping: CXMLMapping = field(default_factory=CXMLMapping)
    order_price_policy: str = OrderPricePolicy.HOLD  # what an order with wrong prices becomes
    order_price_tolerance: Decimal | None = None  # per unit; None: unchanged (new: 0.01)
    # OCI
    username: str = ""
    version: str = "4.0"
    oci_settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Preview:
    """A sample product as the buyer would receive it, or why it cannot be sent."""

    product: Product
    problem: str = ""
    item: cxml.ItemIn | None = None
    document: str = ""  # the cXML cart holding the one line, pretty-printed
    oci_fields: tuple[tuple[str, str], ...] = ()


def partner_named(session: Session, name: str) -> TradingPartner:
    """The partner called `name`, or InvalidInput."""
    partner = session.scalar(select(TradingPartner).where(TradingPartner.name == name))
    if partner is None:
        raise InvalidInput(f"No partner named {name!r}.")
    return partner


def partner_by_id(session: Session, *, actor: Actor, partner_id: int) -> TradingPartner:
    """A partner for the admin pages, or NotFound."""
    require(actor, Permission.ADMIN_PARTNER_WRITE)
    partner = session.get(TradingPartner, partner_id)
    if partner is None:
        raise NotFound("No such partner.")
    return partner


def list_partners(session: Session, *, actor: Actor) -> list[TradingPartner]:
    """Every partner, by name."""
    require(actor, Permission.ADMIN_PARTNER_WRITE)
    return list(session.scalars(select(TradingPartner).order_by(TradingPartner.name)))


def role_names(session: Session) -> list[str]:
    """The roles a punchout user may be given (customer roles only)."""
    return [role.name for role in punchout_roles(session)]


def create_partner(
    session: Session, *, actor: Actor, form: PartnerForm, digest_key: str
) -> tuple[TradingPartner, str]:
    """Register a partner; returns it and its new secret (shown once, stored hashed)."""
    require(actor, Permission.ADMIN_PARTNER_WRITE)
    _check_common(session, form)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    if form.protocol == PartnerProtocol.CXML:
        partner = add_cxml_partner(
            session,
            spec=CXMLPartnerSpec(
                name=form.name.strip(),
                customer_number=form.customer_number,
                identities=form.identities,
                shared_secret=secret,
                allowed_urls=form.allowed_urls,
                encoding=form.encoding,
                operation_allowed=form.operation_allowed,
                replay_protection=form.replay_protection,
                accepted_deployment_mode=form.accepted_deployment_mode,
            ),
            digest_key=digest_key,
        )
    else:
        partner = add_oci_partner(
            session,
            spec=OCIPartnerSpec(
                name=form.name.strip(),
                customer_number=form.customer_number,
                username=form.username,
                password=secret,
                allowed_urls=form.allowed_urls,
                version=form.version,
                settings=form.oci_settings,
            ),
        )
    _apply_common(partner, form)
    _apply_price_policy(session, partner, form)
    session.flush()
    return partner, secret


def update_partner(
    session: Session, *, actor: Actor, partner_id: int, form: PartnerForm
) -> TradingPartner:
    """Save the partner page; InvalidInput names the first bad value and nothing changes."""
    partner = partner_by_id(session, actor=actor, partner_id=partner_id)
    if form.protocol != partner.protocol:
        raise InvalidInput("The protocol of a partner cannot change; create a new partner.")
    _check_common(session, form)
    name = form.name.strip()
    if not name:
        raise InvalidInput("The name must not be empty.")
    if session.scalar(
        select(TradingPartner.id).where(
            TradingPartner.name == name, TradingPartner.id != partner.id
        )
    ):
        raise InvalidInput(f"A partner named {name!r} exists already.")
    if not form.allowed_urls:
        raise InvalidInput("Give at least one allowed return-URL prefix.")
    for prefix in form.allowed_urls:
        if not url_allowed(prefix, [prefix]):
            raise InvalidInput(f"Return-URL prefix {prefix!r} is not an absolute http(s) URL.")
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == form.customer_number)
    )
    if organisation is None:
        raise InvalidInput(f"No customer numbered {form.customer_number!r}.")
    if partner.protocol == PartnerProtocol.CXML:
        _update_cxml(session, partner, form)
    else:
        _update_oci(session, partner, form)
    partner.name = name
    partner.organisation = organisation
    partner.allowed_url_prefixes = list(form.allowed_urls)
    _apply_common(partner, form)
    _apply_price_policy(session, partner, form)
    session.flush()
    return partner


def _update_cxml(session: Session, partner: TradingPartner, form: PartnerForm) -> None:
    pairs = _identities(session, form.identities, partner)
    if form.encoding not in CART_ENCODINGS:
        raise InvalidInput(f"The cart encoding must be one of {', '.join(CART_ENCODINGS)}.")
    if form.operation_allowed not in OPERATIONS_ALLOWED:
        raise InvalidInput(f"operationAllowed must be one of {', '.join(OPERATIONS_ALLOWED)}.")
    mode = accepted_mode(form.accepted_deployment_mode)
    known = {(i.domain, i.identity): i for i in partner.identities}
    partner.identities = [
        known.get(p) or PartnerIdentity(domain=p[0], identity=p[1]) for p in pairs
    ]
    partner.cart_encoding = form.encoding
    partner.operation_allowed = form.operation_allowed
    partner.replay_protection = form.replay_protection
    partner.accepted_deployment_mode = mode


def _update_oci(session: Session, partner: TradingPartner, form: PartnerForm) -> None:
    username = form.username.strip()
    if not username or len(username) > MAX_LOGIN_LENGTH:
        raise InvalidInput(f"The OCI user must be 1 to {MAX_LOGIN_LENGTH} characters.")
    if session.scalar(
        select(TradingPartner.id).where(
            TradingPartner.login_name == username, TradingPartner.id != partner.id
        )
    ):
        raise InvalidInput(f"User {username!r} belongs to another partner.")
    partner.login_name = username
    partner.settings = {
        **(partner.settings or {}),
        **_oci_settings(form.oci_settings, form.version),
    }


def rotate_secret(session: Session, *, actor: Actor, partner_id: int, digest_key: str) -> str:
    """Replace a partner's shared secret (cXML) or password (OCI); return the new one, once."""
    partner = partner_by_id(session, actor=actor, partner_id=partner_id)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    if partner.protocol == PartnerProtocol.CXML:
        partner.secret_digest = secret_digest(secret, digest_key)
    else:
        partner.password_hash = hash_password(secret)
    session.flush()
    return secret


def preview(
    session: Session,
    *,
    actor: Actor,
    form: PartnerForm,
    sku: str,
    now: datetime,
    dtd_dir: Path | None = None,
) -> Preview:
    """How one unit of product `sku` reaches the buyer with the form's (unsaved) mapping."""
    require(actor, Permission.ADMIN_PARTNER_WRITE)
    sku = sku.strip()
    product = session.scalar(select(Product).where(Product.sku == sku)) if sku else None
    if product is None:
        raise InvalidInput(f"No product {sku!r} for the preview.")
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == form.customer_number)
    )
    price = (
        pricing.unit_price(session, organisation, product, Decimal(1))
        if organisation is not None
        else product.list_price
    )
    currency = organisation.currency if organisation is not None else product.currency
    if form.protocol == PartnerProtocol.OCI:
        options = PartnerOptions(**_oci_settings(form.oci_settings, form.version))
        fields = preview_fields(product, unit_price=price, currency=currency, options=options)
        return Preview(product=product, oci_fields=tuple(fields))
    try:
        item = form.mapping.apply(sample_item(product, price, currency), product)
    except InvalidInput as exc:
        return Preview(product=product, problem=str(exc))
    message = cxml.PunchOutOrderMessage(
        buyer_cookie="preview",
        operation_allowed=cxml.Operation(form.operation_allowed),
        total=cxml.Money(amount=item.detail.unit_price.amount, currency=currency),
        items=(item,),
    )
    try:
        body = cxml.build(
            message,
            payload_id="preview@gateway",
            timestamp=now,
            header=_PREVIEW_HEADER,
            dtd_dir=dtd_dir,
        )
    except CXMLError as exc:
        return Preview(product=product, item=item, problem=exc.reason)
    return Preview(product=product, item=item, document=cxml.lint.pretty(body))


def oci_login_url(
    session: Session, *, name: str, base_url: str, password: str, hook_url: str
) -> str:
    """The URL an SAP buyer would open to launch the shop as OCI partner `name`."""
    partner = partner_named(session, name)
    if partner.protocol != PartnerProtocol.OCI or not partner.login_name:
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


def frame_ancestors(partner: TradingPartner) -> list[str]:
    """The hosts allowed to frame this partner's punchout shop pages."""
    return list((partner.settings or {}).get(FRAME_ANCESTORS_KEY) or [])


def _check_common(session: Session, form: PartnerForm) -> None:
    if form.protocol not in frozenset(PartnerProtocol):
        raise InvalidInput("The protocol must be cxml or oci.")
    if len(form.name.strip()) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The name must be at most {MAX_NAME_LENGTH} characters.")
    for text in form.identities:
        domain, _, identity = text.partition(":")
        if len(domain.strip()) > MAX_DOMAIN_LENGTH or len(identity.strip()) > MAX_IDENTITY_LENGTH:
            raise InvalidInput(
                f"Identities are at most {MAX_DOMAIN_LENGTH}:{MAX_IDENTITY_LENGTH} characters."
            )
    punchout_role(session, form.default_role)
    for host in form.frame_ancestors:
        if not _HOST_SOURCE.fullmatch(host):
            refusal = (
                f"Frame ancestor {host!r} must be a host such as https://buyer.example "
                "or *.ariba.com"
            )
            raise InvalidInput(refusal)
    if form.protocol == PartnerProtocol.OCI:
        if form.version not in OCI_VERSIONS:
            raise InvalidInput(f"The OCI version must be one of {', '.join(OCI_VERSIONS)}.")
        _oci_settings(form.oci_settings, form.version)


def _apply_common(partner: TradingPartner, form: PartnerForm) -> None:
    partner.active = form.active
    partner.default_role = form.default_role
    settings = dict(partner.settings or {})
    settings[FRAME_ANCESTORS_KEY] = list(form.frame_ancestors)
    if partner.protocol == PartnerProtocol.CXML:
        settings[SETTINGS_KEY] = form.mapping.to_settings()
    partner.settings = settings  # a new dict, so the JSON column is written


def _apply_price_policy(session: Session, partner: TradingPartner, form: PartnerForm) -> None:
    """A cXML partner's order price policy and tolerance (OCI partners send no orders)."""
    if partner.protocol == PartnerProtocol.CXML:
        set_price_policy(
            settings_for(session, partner),
            policy=form.order_price_policy,
            tolerance=form.order_price_tolerance,
        )


def _oci_settings(settings: Mapping[str, Any], version: str) -> dict[str, Any]:
    merged = {**settings, "version": version}
    unknown = sorted(merged.keys() - set(PartnerOptions.__slots__))
    if unknown:
        raise InvalidInput(f"Unknown OCI settings: {', '.join(unknown)}.")
    try:
        PartnerOptions(**merged)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Invalid OCI settings: {exc}") from None
    return merged


def _identities(
    session: Session, identities: Sequence[str], partner: TradingPartner
) -> list[tuple[str, str]]:
    if not identities:
        raise InvalidInput("Give at least one identity DOMAIN:IDENTITY.")
    pairs: list[tuple[str, str]] = []
    for text in identities:
        domain, sep, identity = text.partition(":")
        if not sep or not domain.strip() or not identity.strip():
            raise InvalidInput(f"Identity {text!r} must look like DOMAIN:IDENTITY.")
        pair = (domain.strip().casefold(), identity.strip())
        owner = session.scalar(
            select(PartnerIdentity.partner_id).where(
                PartnerIdentity.domain == pair[0], PartnerIdentity.identity == pair[1]
            )
        )
        if owner is not None and owner != partner.id:
            raise InvalidInput(f"Identity {pair[0]}:{pair[1]} belongs to another partner.")
        pairs.append(pair)
    return list(dict.fromkeys(pairs))
