"""The buyer simulator: what an integrator runs before a buyer goes live.

It writes PunchOutSetupRequests as a partner's procurement system would (from a template the
integrator then edits), sends them to the gateway in-process, and checks the carts that come
back: cXML with `gateway.cxml.lint`, OCI forms field by field (OCI 4.0 §4.2, B.5/B.6).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.cxml import CXMLError, Operation, PunchOutOrderMessage
from gateway.errors import InvalidInput, NotFound
from gateway.models import (
    MessageDirection,
    MessageLogEntry,
    PartnerProtocol,
    PunchOutSession,
    TradingPartner,
)
from gateway.oci import OCIReturn
from gateway.oci.fields import LENGTHS
from gateway.services.punchout import inbox
from gateway.services.punchout.sessions import PunchOutSettings

SECRET_PLACEHOLDER = "SHARED-SECRET"  # noqa: S105 - a placeholder, not a secret
RECEIVE_PATH = "/tools/simulator/receive"
_NUMBER = re.compile(r"\d{1,11}(\.\d{1,3})?")
_INTEGER = re.compile(r"\d+")
_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True, kw_only=True)
class SentSetup:
    """A setup request the simulator sent, and the gateway's answer."""

    request: str  # pretty-printed
    request_problems: tuple[cxml.lint.Problem, ...]
    answer: str  # pretty-printed
    status_code: int | None
    status_text: str
    start_page_url: str | None


def partner_for(session: Session, *, actor: Actor, partner_id: int) -> TradingPartner:
    """A partner the simulator may act as."""
    require(actor, Permission.ADMIN_SIMULATOR_USE)
    partner = session.get(TradingPartner, partner_id)
    if partner is None:
        raise NotFound("No such partner.")
    return partner


def partners(session: Session, *, actor: Actor) -> list[TradingPartner]:
    """The active partners, by name."""
    require(actor, Permission.ADMIN_SIMULATOR_USE)
    return list(
        session.scalars(
            select(TradingPartner).where(TradingPartner.active).order_by(TradingPartner.name)
        )
    )


def setup_template(
    partner: TradingPartner,
    *,
    operation: Operation,
    base_url: str,
    secret: str,
    now: datetime,
    items: tuple[tuple[str, str | None, Decimal], ...] = (),
    buyer_cookie: str | None = None,
) -> str:
    """A PunchOutSetupRequest from `partner`'s system; `items` are (SKU, SPAID, quantity)."""
    header = _buyer_header(partner, secret)
    request = cxml.PunchOutSetupRequest(
        operation=operation,
        buyer_cookie=buyer_cookie or f"sim-{secrets.token_hex(8)}",
        browser_form_post_url=f"{base_url}{RECEIVE_PATH}",
        extrinsics=(cxml.Extrinsic(name="UserEmail", value="integrator@simulator.invalid"),),
        contacts=(),
        ship_to=None,
        selected_item=None,
        items=tuple(
            cxml.ItemOut(
                quantity=quantity,
                item_id=cxml.ItemID(supplier_part_id=sku, supplier_part_auxiliary_id=aux),
                line_number=number,
            )
            for number, (sku, aux, quantity) in enumerate(items, start=1)
        ),
    )
    body = cxml.build(
        request,
        header=header,
        payload_id=f"{now.strftime('%Y%m%dT%H%M%S')}.{secrets.token_hex(6)}@simulator",
        timestamp=now,
    )
    return cxml.lint.pretty(body)


def order_template(
    partner: TradingPartner, *, message: PunchOutOrderMessage, secret: str, now: datetime
) -> str:
    """The OrderRequest the buyer's system sends once the returned cart is approved: every
    line with its SupplierPartAuxiliaryID and ItemDetail, as the cart returned them."""
    address = cxml.Address(
        address_id="SIM",
        name="Buyer simulator",
        streets=("Simulator street 1",),
        city="Amsterdam",
        postal_code="1011 AA",
        country_code="NL",
    )
    request = cxml.OrderRequest(
        order_id=f"SIM-{secrets.token_hex(4).upper()}",
        order_date=now,
        type=cxml.OrderRequestType.NEW,
        total=message.total,
        ship_to=address,
        bill_to=address,
        items=tuple(
            cxml.ItemOut(
                quantity=item.quantity,
                item_id=item.item_id,
                line_number=number,
                detail=item.detail,
            )
            for number, item in enumerate(message.items, start=1)
        ),
    )
    body = cxml.build(
        request,
        header=_buyer_header(partner, secret),
        payload_id=f"{now.strftime('%Y%m%dT%H%M%S')}.{secrets.token_hex(6)}@simulator",
        timestamp=now,
    )
    return cxml.lint.pretty(body)


def _buyer_header(partner: TradingPartner, secret: str) -> cxml.Header:
    """The header the partner's system sends: its first identity, the secret in Sender."""
    if partner.protocol != PartnerProtocol.CXML or not partner.identities:
        raise InvalidInput("The template needs a cXML partner with an identity.")
    identity = partner.identities[0]
    ours = cxml.Credential(domain=identity.domain, identity=identity.identity)
    return cxml.Header(
        from_credentials=(ours,),
        to_credentials=(cxml.Credential(domain="NetworkID", identity="AN-PUNCHOUT-GATEWAY"),),
        sender_credentials=(
            cxml.Credential(
                domain=identity.domain,
                identity=identity.identity,
                shared_secret=secret or SECRET_PLACEHOLDER,
            ),
        ),
        user_agent="punchout-gateway buyer simulator",
    )


def send_setup(
    session: Session,
    *,
    actor: Actor,
    body: str,
    settings: PunchOutSettings,
    now: datetime,
) -> SentSetup:
    """Post `body` to the gateway's cXML endpoint logic (in-process) and read the answer."""
    require(actor, Permission.ADMIN_SIMULATOR_USE)
    data = body.strip().encode("utf-8")
    problems = cxml.lint.check(data, dtd_dir=settings.dtd_dir)
    answer = inbox.receive(session, body=data, settings=settings, now=now).body
    status = cxml.lint.response_status(answer)
    start_page = None
    try:
        document = cxml.parse(answer)
    except CXMLError:
        document = None
    if document is not None and isinstance(document.payload, cxml.Response):
        response_body = document.payload.body
        if isinstance(response_body, cxml.PunchOutSetupResponse):
            start_page = response_body.start_page_url
    try:
        request_text = cxml.lint.pretty(data)
    except CXMLError:
        request_text = body
    return SentSetup(
        request=request_text,
        request_problems=problems,
        answer=cxml.lint.pretty(answer),
        status_code=status[0] if status else None,
        status_text=status[1] if status else "",
        start_page_url=start_page,
    )


def returned_cart(
    session: Session, *, actor: Actor, payload_id: str
) -> tuple[TradingPartner, PunchOutOrderMessage]:
    """A cart the gateway returned (from the message log) and the partner it went to."""
    require(actor, Permission.ADMIN_SIMULATOR_USE)
    entry = session.scalars(
        select(MessageLogEntry).where(
            MessageLogEntry.payload_id == payload_id,
            MessageLogEntry.direction == MessageDirection.OUT,
            MessageLogEntry.document_type == "PunchOutOrderMessage",
        )
    ).first()
    if entry is None or entry.partner_id is None:
        raise NotFound("No returned cart with this payloadID.")
    document = cxml.parse(entry.body.encode("utf-8"))
    if not isinstance(document.payload, PunchOutOrderMessage):
        raise NotFound("No returned cart with this payloadID.")
    return session.get_one(TradingPartner, entry.partner_id), document.payload


def partner_of_cookie(session: Session, buyer_cookie: str) -> TradingPartner | None:
    """The partner whose punchout used this BuyerCookie (the simulator's are unique)."""
    punchout = session.scalars(
        select(PunchOutSession)
        .where(PunchOutSession.buyer_cookie == buyer_cookie)
        .order_by(PunchOutSession.id.desc())
    ).first()
    return punchout.partner if punchout is not None else None


def check_oci_return(returned: OCIReturn) -> list[str]:
    """Every field of a returned OCI form that breaks OCI 4.0 §4.2 (length, format, pairing)."""
    problems: list[str] = []
    for item in returned.items:
        fields = item.fields
        where = f"item {item.index}"
        for name, value in fields.items():
            length = LENGTHS.get(name)
            if length is not None and len(value) > length:
                problems.append(f"{where}: {name} is {len(value)} characters (at most {length})")
        if not fields.get("DESCRIPTION") and not fields.get("MATNR"):
            problems.append(f"{where}: DESCRIPTION or MATNR is required")
        if not fields.get("MATNR") and not fields.get("UNIT"):
            problems.append(f"{where}: UNIT is required without MATNR")
        for name in ("QUANTITY", "PRICE"):
            value = fields.get(name, "")
            if (value or name == "QUANTITY") and not _NUMBER.fullmatch(value):
                problems.append(f"{where}: {name} must be 11.3 digits with a point, no grouping")
        for name in ("PRICEUNIT", "LEADTIME"):
            value = fields.get(name, "")
            if value and not _INTEGER.fullmatch(value):
                problems.append(f"{where}: {name} must be a whole number")
        if fields.get("PRICE") and not _CURRENCY.fullmatch(fields.get("CURRENCY", "")):
            problems.append(f"{where}: CURRENCY (ISO 4217) is required with PRICE")
        if item.index < 1:
            problems.append(f"{where}: item numbers start at 1")
    return problems


def edit_items(message: PunchOutOrderMessage) -> tuple[tuple[str, str | None, Decimal], ...]:
    """The (SKU, SPAID, quantity) lines of a returned cart, for an edit request."""
    return tuple(
        (item.item_id.supplier_part_id, item.item_id.supplier_part_auxiliary_id, item.quantity)
        for item in message.items
    )
