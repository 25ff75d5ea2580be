"""The everyday cXML PunchOutSetupRequest in four SQL statements, outside the ORM.

A known partner with the right SharedSecret opening a `create` punchout for a person it has
punched out before is most of the gateway's traffic. This path reads everything the checks
need in one SELECT (the partner by its credentials, its signature and throttle state, the
person's identity, user, membership and staff flag, whether the payloadID was seen, whether a
level-2 SelectedItem is in the user's assortment), then writes the punchout session, its cart
and both message-log rows: four statements, each compiled once (Core, not the unit of work).

It answers only when every check passes. Anything else (no partner, a wrong secret or a
CredentialMac, a throttled sender, a signed partner, edit and inspect, a new or deactivated
person, a replay, a refused URL or deploymentMode) returns None, and `inbox` runs the general
path, which decides and words every refusal; so the two paths cannot disagree on one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    Connection,
    Dialect,
    and_,
    bindparam,
    exists,
    insert,
    or_,
    select,
)
from sqlalchemy.orm import aliased
from sqlalchemy.sql.schema import Table

from gateway import cxml
from gateway.auth.credentials import new_token, secret_matches
from gateway.compiled_sql import CompiledStatement
from gateway.cxml import CXMLDocument, Operation, PunchOutSetupRequest
from gateway.db import utcnow
from gateway.engines import pipelined
from gateway.errors import InvalidInput
from gateway.models import (
    AcceptedDeploymentMode,
    Cart,
    CartStatus,
    Membership,
    MessageDirection,
    MessageLogEntry,
    PartnerIdentity,
    PartnerOrderSettings,
    PartnerProtocol,
    Product,
    PunchOutIdentity,
    PunchOutSession,
    PunchOutStatus,
    Role,
    RoleKind,
    ThrottleCounter,
    TradingPartner,
    User,
)
from gateway.services import message_log
from gateway.services.catalog.assortment import visible_to
from gateway.services.punchout import identities
from gateway.services.punchout.sessions import PunchOutSettings
from gateway.services.throttle import Key
from gateway.urls import url_allowed

#: Beyond these, a header is unusual enough for the general path.
MAX_CREDENTIALS = 8
MAX_THROTTLE_KEYS = 8


class _Found(NamedTuple):
    """One row of the read: a partner the header names, with everything the checks need."""

    domain: str
    identity: str
    id: int
    name: str
    protocol: str
    active: bool
    organisation_id: int
    secret_digest: str | None
    allowed_url_prefixes: list[str]
    replay_protection: bool
    accepted_deployment_mode: str
    require_signature: bool | None
    signature_certificate: str | None
    throttle_key: str | None
    window_start: datetime | None
    failures: int | None  # not `count`: a tuple has a method of that name
    user_id: int | None
    user_active: bool | None
    membership_id: int | None
    staff: bool
    seen: bool
    selected_visible: bool


def _read(credentials: int, throttle_keys: int) -> Any:
    """The one SELECT, for a header with this many credentials and throttle keys (every value
    a named parameter, so that it renders once per shape)."""
    staff = aliased(Membership)
    return (
        select(
            PartnerIdentity.domain,
            PartnerIdentity.identity,
            TradingPartner.id,
            TradingPartner.name,
            TradingPartner.protocol,
            TradingPartner.active,
            TradingPartner.organisation_id,
            TradingPartner.secret_digest,
            TradingPartner.allowed_url_prefixes,
            TradingPartner.replay_protection,
            TradingPartner.accepted_deployment_mode,
            PartnerOrderSettings.require_signature,
            PartnerOrderSettings.signature_certificate,
            ThrottleCounter.key.label("throttle_key"),
            ThrottleCounter.window_start,
            ThrottleCounter.count.label("failures"),
            PunchOutIdentity.user_id,
            User.active.label("user_active"),
            Membership.id.label("membership_id"),
            exists()
            .where(
                staff.user_id == PunchOutIdentity.user_id,
                staff.role_id == Role.id,
                Role.kind == bindparam("internal", RoleKind.INTERNAL.value),
            )
            .label("staff"),
            # Not EXISTS: PostgreSQL may answer that by hashing the partner of every session
            # with this payloadID, which a buyer repeating one payloadID makes thousands.
            select(PunchOutSession.id)
            .where(
                PunchOutSession.partner_id == TradingPartner.id,
                PunchOutSession.payload_id == bindparam("payload_id"),
            )
            .limit(1)
            .scalar_subquery()
            .is_not(None)
            .label("seen"),
            exists()
            .where(
                Product.sku == bindparam("selected", type_=Product.sku.type),
                Product.active,
                visible_to(
                    organisation_id=TradingPartner.organisation_id,
                    user_id=PunchOutIdentity.user_id,
                ),
            )
            .label("selected_visible"),
        )
        .select_from(PartnerIdentity)
        .join(TradingPartner, TradingPartner.id == PartnerIdentity.partner_id)
        .outerjoin(PartnerOrderSettings, PartnerOrderSettings.partner_id == TradingPartner.id)
        .outerjoin(
            ThrottleCounter,
            ThrottleCounter.key.in_([bindparam(f"key_{n}") for n in range(throttle_keys)]),
        )
        .outerjoin(
            PunchOutIdentity,
            and_(
                PunchOutIdentity.partner_id == TradingPartner.id,
                PunchOutIdentity.key == bindparam("identity_key"),
            ),
        )
        .outerjoin(User, User.id == PunchOutIdentity.user_id)
        .outerjoin(
            Membership,
            and_(
                Membership.user_id == PunchOutIdentity.user_id,
                Membership.organisation_id == TradingPartner.organisation_id,
                Membership.active,
            ),
        )
        .where(
            or_(
                *(
                    and_(
                        PartnerIdentity.domain == bindparam(f"domain_{n}"),
                        PartnerIdentity.identity == bindparam(f"identity_{n}"),
                    )
                    for n in range(credentials)
                )
            )
        )
    )


def _every_column(table: Table, **values: Any) -> Any:
    """An INSERT of every column but the key, each a parameter named as its column, unless
    `values` gives it an expression: a precompiled INSERT applies no column defaults, so
    a missing value is an error, not a silent NULL."""
    return insert(table).values(
        {
            column.key: values.get(column.key, bindparam(column.key, type_=column.type))
            for column in table.columns
            if not column.primary_key
        }
    )


def _started_by_token() -> Any:
    """The punchout session inserted with this token: the cart and the log rows name it in the
    same round trip, without reading its id back."""
    return (
        select(PunchOutSession.id)
        .where(PunchOutSession.token_digest == bindparam("token_digest"))
        .scalar_subquery()
    )


@lru_cache(maxsize=MAX_CREDENTIALS * MAX_THROTTLE_KEYS * 2)
def _read_statement(dialect: Dialect, credentials: int, throttle_keys: int) -> CompiledStatement:
    return CompiledStatement.of(_read(credentials, throttle_keys), dialect)


@lru_cache(maxsize=4)
def _write_statements(dialect: Dialect) -> tuple[CompiledStatement, ...]:
    """The INSERTs of the punchout session, its cart and the message-log rows."""
    return (
        CompiledStatement.of(_every_column(PunchOutSession.__table__), dialect),  # type: ignore[arg-type]
        CompiledStatement.of(
            _every_column(Cart.__table__, punchout_session_id=_started_by_token()),  # type: ignore[arg-type]
            dialect,
        ),
        CompiledStatement.of(
            _every_column(MessageLogEntry.__table__, punchout_session_id=_started_by_token()),  # type: ignore[arg-type]
            dialect,
        ),
    )


@dataclass(frozen=True, slots=True)
class Setup:
    """A punchout opened by this path: the answer sent."""

    answer: bytes


def try_setup(
    connection: Connection,
    *,
    document: CXMLDocument,
    body: bytes,
    settings: PunchOutSettings,
    now: datetime,
    throttle_keys: Sequence[Key],
) -> Setup | None:
    """Open the punchout `document` asks for in four statements, or None for the general path."""
    request = document.payload
    header = document.header
    key = _identity_key(request)
    if not isinstance(request, PunchOutSetupRequest) or header is None or key is None:
        return None
    selected = request.selected_item.supplier_part_id.strip() if request.selected_item else None
    credentials = [
        (c.domain.strip().casefold(), c.identity.strip())
        for c in (*header.from_credentials, *header.sender_credentials)
    ]
    digests = [k.digest for k in throttle_keys] or [""]  # "": no counter has that key
    if not 0 < len(credentials) <= MAX_CREDENTIALS or len(digests) > MAX_THROTTLE_KEYS:
        return None
    read = _read_statement(connection.dialect, len(credentials), len(digests))
    values: dict[str, Any] = {
        "identity_key": key,
        "payload_id": document.payload_id,
        "selected": selected,
    }
    for number, (domain, identity) in enumerate(credentials):
        values[f"domain_{number}"], values[f"identity_{number}"] = domain, identity
    for number, digest in enumerate(digests):
        values[f"key_{number}"] = digest
    rows = [_Found(*found) for found in read.rows(connection, values)]
    row = _usable(
        rows,
        credentials,
        header=header,
        mode=document.deployment_mode,
        digest_key=settings.digest_key,
    )
    url = (request.browser_form_post_url or "").strip()
    if (
        row is None
        or _throttled(rows, throttle_keys, now=now)
        or (row.replay_protection and _replayed(row, document, settings=settings, now=now))
        or not url
        or not url_allowed(url, row.allowed_url_prefixes)
    ):
        return None
    return _open(
        connection,
        document=document,
        request=request,
        body=body,
        row=row,
        url=url,
        landing=_landing(selected, visible=row.selected_visible),
        settings=settings,
        now=now,
    )


def _identity_key(request: object) -> str | None:
    """The identity key of the person a `create` setup names; None for anything else."""
    if not isinstance(request, PunchOutSetupRequest) or request.operation != Operation.CREATE:
        return None
    try:
        return identities.cxml_claim(request, partner_name="").keys[0]  # needs no partner name
    except InvalidInput:
        return None


def _replayed(
    row: _Found, document: CXMLDocument, *, settings: PunchOutSettings, now: datetime
) -> bool:
    """True for a payloadID seen before or a timestamp outside the window (the replay rule)."""
    return bool(row.seen) or abs(now - document.timestamp) > timedelta(seconds=settings.clock_skew)


def _usable(
    rows: Sequence[_Found],
    credentials: list[tuple[str, str]],
    *,
    header: cxml.Header,
    mode: str,
    digest_key: str,
) -> _Found | None:
    """The row of the partner the header names (From first, then Sender) if it may punch out
    here: active, cXML, the SharedSecret right, no signature required, the deploymentMode
    accepted, and the person a known, active, non-staff member of its customer."""
    by_credential = {(r.domain, r.identity): r for r in rows}
    row = next((by_credential[c] for c in credentials if c in by_credential), None)
    if row is None:
        return None
    secrets = [c.shared_secret for c in header.sender_credentials if c.shared_secret]
    digest = row.secret_digest
    if digest is None or not any(secret_matches(s, digest, digest_key) for s in secrets):
        return None  # a CredentialMac, or a refusal: the general path decides
    usable = (
        row.active
        and row.protocol == PartnerProtocol.CXML
        and not (row.require_signature and row.signature_certificate)
        and AcceptedDeploymentMode(row.accepted_deployment_mode).accepts(mode)
        and row.user_id is not None
        and row.user_active
        and row.membership_id is not None
        and not row.staff
    )
    return row if usable else None


def _throttled(rows: Sequence[_Found], keys: Sequence[Key], *, now: datetime) -> bool:
    """True when a key is past its limit (`throttle.retry_after`'s rule on the rows read)."""
    counters = {r.throttle_key: r for r in rows if r.throttle_key is not None}
    for key in keys:
        counter = counters.get(key.digest)
        if (
            counter is not None
            and counter.window_start is not None
            and counter.failures is not None
            and counter.window_start + key.limit.window > now
            and counter.failures >= key.limit.attempts
        ):
            return True
    return False


def _landing(selected: str | None, *, visible: bool) -> dict[str, str] | None:
    """`cxml_punchout._landing` on what the read found: the product page, else a search."""
    if selected is None:
        return None
    return {"product": selected} if visible else {"search": selected, "selected": selected}


def _open(
    connection: Connection,
    *,
    document: CXMLDocument,
    request: PunchOutSetupRequest,
    body: bytes,
    row: _Found,
    url: str,
    landing: dict[str, str] | None,
    settings: PunchOutSettings,
    now: datetime,
) -> Setup:
    """Write the punchout session, its cart and both log rows, sent together (one round trip
    on PostgreSQL): the cart and the log rows find the session by its token's digest."""
    token, digest = new_token()
    header = document.header
    ok = cxml.StatusCode.OK
    answer = cxml.setup_answer(
        f"{settings.base_url}/punchout/start/{token}",
        payload_id=cxml.make_payload_id(settings.hostname),
        timestamp=now,
        dtd_dir=settings.dtd_dir,
    )
    log_rows = [
        message_log.row(
            direction=direction,
            document_type=document_type,
            body=logged_body,
            payload_id=payload_id,
            status_code=ok,
            status_text=ok.phrase,
            partner_id=row.id,
        )
        for direction, document_type, logged_body, payload_id in (
            (MessageDirection.IN, "PunchOutSetupRequest", body, document.payload_id),
            (MessageDirection.OUT, "Response", answer, None),
        )
    ]
    logged_at = utcnow()
    punchout, cart, log = _write_statements(connection.dialect)
    with pipelined(connection):
        punchout.execute(
            connection,
            {
                "partner_id": row.id,
                "organisation_id": row.organisation_id,
                "user_id": row.user_id,
                "operation": request.operation.value,
                "buyer_cookie": request.buyer_cookie,
                "return_url": url,
                "payload_id": document.payload_id,
                "buyer_credentials": [
                    {"domain": c.domain, "identity": c.identity} for c in header.from_credentials
                ]
                if header
                else [],
                "token_digest": digest,
                "token_expires_at": now + timedelta(seconds=settings.start_token_ttl),
                "redeemed_at": None,
                "status": PunchOutStatus.PENDING,
                "created_at": now,
                "ended_at": None,
                "oci_parameters": None,
                "landing": landing,
                "deployment_mode": document.deployment_mode,
                "cart_value": None,
                "cart_lines": None,
            },
        )
        cart.execute(
            connection,
            {
                "organisation_id": row.organisation_id,
                "user_id": row.user_id,
                "token_digest": digest,
                "status": CartStatus.OPEN,
                "assisted_session_id": None,
                "created_at": now,
            },
        )
        log.execute_many(
            connection,
            [{**entry, "token_digest": digest, "created_at": logged_at} for entry in log_rows],
        )
    return Setup(answer=answer)
