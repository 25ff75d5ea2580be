"""Trading partners: registration and recognition from cXML credentials."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from gateway.auth.credentials import hash_password, secret_digest
from gateway.auth.policy import customer_side
from gateway.cxml import CartEncoding, Operation
from gateway.errors import InvalidInput
from gateway.models import (
    AcceptedDeploymentMode,
    Organisation,
    PartnerIdentity,
    PartnerProtocol,
    Role,
    TradingPartner,
)
from gateway.oci import OCIVersion
from gateway.services.partners.deployment import accepted_mode
from gateway.services.punchout.oci_mapping import PartnerOptions
from gateway.urls import url_allowed

#: the choices of forms and CLI options, as plain strings
CART_ENCODINGS = tuple(encoding.value for encoding in CartEncoding)
OPERATIONS_ALLOWED = tuple(
    operation.value for operation in (Operation.CREATE, Operation.INSPECT, Operation.EDIT)
)
MIN_SECRET_LENGTH = 8
OCI_VERSIONS = tuple(version.value for version in OCIVersion)
MIN_OCI_PASSWORD_LENGTH = 4
MAX_LOGIN_LENGTH = 100
DEFAULT_PUNCHOUT_ROLE = "punchout"
"""The customer role a partner's punchout users get unless the partner names another."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CXMLPartnerSpec:
    """What `gateway partner add-cxml` (and the demo seed) registers."""

    name: str
    customer_number: str
    identities: Sequence[str]  # "DOMAIN:IDENTITY"
    shared_secret: str
    allowed_urls: Sequence[str]
    encoding: str = CartEncoding.BASE64
    operation_allowed: str = Operation.EDIT
    replay_protection: bool = True
    enforce_budgets: bool = False  # budgets and approvals may refuse the cart transfer
    accepted_deployment_mode: str = AcceptedDeploymentMode.BOTH  # production, test or both
    default_role: str = DEFAULT_PUNCHOUT_ROLE


def add_cxml_partner(session: Session, *, spec: CXMLPartnerSpec, digest_key: str) -> TradingPartner:
    """Register a cXML partner; a clear InvalidInput names any argument at fault."""
    if not spec.name.strip():
        raise InvalidInput("--name must not be empty.")
    if session.scalar(select(TradingPartner).where(TradingPartner.name == spec.name)):
        raise InvalidInput(f"A partner named {spec.name!r} exists already.")
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == spec.customer_number)
    )
    if organisation is None:
        raise InvalidInput(f"No customer numbered {spec.customer_number!r}.")
    if not spec.identities:
        raise InvalidInput("Give at least one --identity DOMAIN:IDENTITY.")
    pairs = [_split_identity(text) for text in spec.identities]
    for domain, identity in pairs:
        if session.scalar(
            select(PartnerIdentity).where(
                PartnerIdentity.domain == domain, PartnerIdentity.identity == identity
            )
        ):
            raise InvalidInput(f"Identity {domain}:{identity} belongs to another partner.")
    if len(spec.shared_secret) < MIN_SECRET_LENGTH:
        raise InvalidInput(f"--shared-secret must be at least {MIN_SECRET_LENGTH} characters.")
    if not spec.allowed_urls:
        raise InvalidInput("Give at least one --allow-url PREFIX.")
    for prefix in spec.allowed_urls:
        if not url_allowed(prefix, [prefix]):
            raise InvalidInput(f"--allow-url {prefix!r} is not an absolute http(s) URL.")
    if spec.encoding not in CART_ENCODINGS:
        raise InvalidInput(f"--encoding must be one of {', '.join(CART_ENCODINGS)}.")
    if spec.operation_allowed not in OPERATIONS_ALLOWED:
        raise InvalidInput(f"operationAllowed must be one of {', '.join(OPERATIONS_ALLOWED)}.")
    punchout_role(session, spec.default_role)
    partner = TradingPartner(
        name=spec.name,
        protocol=PartnerProtocol.CXML,
        organisation=organisation,
        secret_digest=secret_digest(spec.shared_secret, digest_key),
        allowed_url_prefixes=list(spec.allowed_urls),
        cart_encoding=spec.encoding,
        operation_allowed=spec.operation_allowed,
        replay_protection=spec.replay_protection,
        enforce_budgets=spec.enforce_budgets,
        accepted_deployment_mode=accepted_mode(spec.accepted_deployment_mode),
        default_role=spec.default_role,
        identities=[PartnerIdentity(domain=d, identity=i) for d, i in dict.fromkeys(pairs)],
    )
    session.add(partner)
    session.flush()
    return partner


@dataclass(frozen=True, slots=True, kw_only=True)
class OCIPartnerSpec:
    """What `gateway partner add-oci` (and the demo seed) registers; `settings` as in
    `gateway.services.oci.PartnerOptions` (login parameter names, charset, field mapping …)."""

    name: str
    customer_number: str
    username: str
    password: str
    allowed_urls: Sequence[str]
    version: str = OCIVersion.V4
    settings: Mapping[str, Any] = field(default_factory=dict)
    default_role: str = DEFAULT_PUNCHOUT_ROLE


def add_oci_partner(session: Session, *, spec: OCIPartnerSpec) -> TradingPartner:
    """Register an SAP OCI partner, its password slowly hashed; InvalidInput names any fault."""

    organisation = _new_partner_checks(session, spec.name, spec.customer_number, spec.allowed_urls)
    username = spec.username.strip()
    if not username or len(username) > MAX_LOGIN_LENGTH:
        raise InvalidInput(f"--username must be 1 to {MAX_LOGIN_LENGTH} characters.")
    if session.scalar(select(TradingPartner).where(TradingPartner.login_name == username)):
        raise InvalidInput(f"User {username!r} belongs to another partner.")
    if len(spec.password) < MIN_OCI_PASSWORD_LENGTH:
        raise InvalidInput(f"--password must be at least {MIN_OCI_PASSWORD_LENGTH} characters.")
    if spec.version not in OCI_VERSIONS:
        raise InvalidInput(f"--version must be one of {', '.join(OCI_VERSIONS)}.")
    settings = {**spec.settings, "version": spec.version}
    unknown = sorted(settings.keys() - set(PartnerOptions.__slots__))
    if unknown:
        raise InvalidInput(f"Unknown OCI settings: {', '.join(unknown)}.")
    try:
        PartnerOptions(**settings)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"Invalid OCI settings: {exc}") from None
    punchout_role(session, spec.default_role)
    partner = TradingPartner(
        name=spec.name,
        protocol=PartnerProtocol.OCI,
        default_role=spec.default_role,
        organisation=organisation,
        secret_digest="",
        login_name=username,
        password_hash=hash_password(spec.password),
        allowed_url_prefixes=list(spec.allowed_urls),
        settings=settings,
        replay_protection=False,
    )
    session.add(partner)
    session.flush()
    return partner


def punchout_roles(session: Session) -> list[Role]:
    """The roles a partner's punchout users may be given: the built-in customer roles (each
    customer holds a copy of its own), by name."""
    return [
        role
        for role in session.scalars(
            select(Role).where(Role.organisation_id.is_(None)).order_by(Role.name)
        )
        if customer_side(role)
    ]


def punchout_role(session: Session, name: str) -> Role:
    """The built-in customer role called `name` for a partner's punchout users, or InvalidInput:
    a staff role would let every punchout of the partner reach the staff pages."""
    role = session.scalar(select(Role).where(Role.organisation_id.is_(None), Role.name == name))
    if role is None:
        raise InvalidInput(f"No role named {name[:64]!r}.")
    if not customer_side(role):
        allowed = ", ".join(r.name for r in punchout_roles(session))
        raise InvalidInput(
            f"Role {name!r} is a staff role; a partner's punchout users get a customer role "
            f"({allowed})."
        )
    return role


def _new_partner_checks(
    session: Session, name: str, customer_number: str, allowed_urls: Sequence[str]
) -> Organisation:
    if not name.strip():
        raise InvalidInput("--name must not be empty.")
    if session.scalar(select(TradingPartner).where(TradingPartner.name == name)):
        raise InvalidInput(f"A partner named {name!r} exists already.")
    organisation = session.scalar(
        select(Organisation).where(Organisation.number == customer_number)
    )
    if organisation is None:
        raise InvalidInput(f"No customer numbered {customer_number!r}.")
    if not allowed_urls:
        raise InvalidInput("Give at least one --allow-url PREFIX.")
    for prefix in allowed_urls:
        if not url_allowed(prefix, [prefix]):
            raise InvalidInput(f"--allow-url {prefix!r} is not an absolute http(s) URL.")
    return organisation


def find_by_credentials(
    session: Session, credentials: Iterable[tuple[str, str]]
) -> TradingPartner | None:
    """The partner one of these (domain, identity) pairs names (domains ignore case)."""
    for domain, identity in credentials:
        partner = session.scalar(
            select(TradingPartner)
            .join(PartnerIdentity)
            .options(joinedload(TradingPartner.organisation))  # every caller needs it
            .where(
                PartnerIdentity.domain == domain.strip().casefold(),
                PartnerIdentity.identity == identity.strip(),
            )
        )
        if partner is not None:
            return partner
    return None


def _split_identity(text: str) -> tuple[str, str]:
    domain, sep, identity = text.partition(":")
    if not sep or not domain.strip() or not identity.strip():
        raise InvalidInput(f"--identity {text!r} must look like DOMAIN:IDENTITY.")
    return domain.strip().casefold(), identity.strip()
