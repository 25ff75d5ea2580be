"""cXML OrderRequest intake: new, update and delete purchase orders, idempotently (A.8).

The dedup key (partner, payloadID) is inserted before anything else, in the transaction that
processes the document: a concurrent copy blocks on the unique key (or on SQLite's write lock)
and then replays the stored Status. Only accepted documents are remembered; a refused one
leaves nothing behind, so a corrected re-send is processed normally.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import (
    CXMLDocument,
    DuplicateDocumentError,
    InboundDocumentError,
    OrderRequest,
    OrderRequestType,
    StatusCode,
)
from gateway.models import (
    BuyerOrder,
    BuyerOrderVersion,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
    PartnerOrderSettings,
    ReceivedDocument,
    TradingPartner,
)
from gateway.services.catalog.pricing import DEFAULT_TIMEZONE, DEFAULT_VAT_RATES
from gateway.services.ordering import numbering, price_check
from gateway.services.ordering._order_lines import checked_lines, insert_lines, order_values
from gateway.services.partners import deployment

CLOSED_STATUSES = frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED, OrderStatus.REJECTED})


@dataclass(frozen=True, slots=True, kw_only=True)
class IntakeResult:
    """The Status answered and the order it concerns (None when a stored Status is replayed)."""

    status: cxml.Status
    order_id: int | None


def receive_order(
    session: Session,
    *,
    document: CXMLDocument,
    body: bytes,
    partner: TradingPartner,
    now: datetime,
    zone: str = DEFAULT_TIMEZONE,
    vat_rates: Mapping[str, Decimal] = DEFAULT_VAT_RATES,
) -> IntakeResult:
    """Process one authenticated OrderRequest; raise a `CXMLError` (4xx) to refuse it.

    Lines, prices and Total are checked (`price_check`); with problems, the partner's policy
    holds the order (`on_hold`), refuses it (400) or accepts it, the problems recorded.

    May raise `IntegrityError` when a concurrent twin committed first: the caller rolls back
    its savepoint and calls again, which then replays the twin's Status.
    """
    request = document.payload
    if not isinstance(request, OrderRequest):
        raise TypeError("receive_order needs an OrderRequest")
    digest = hashlib.sha256(body).hexdigest()
    seen = session.scalar(
        select(ReceivedDocument).where(
            ReceivedDocument.partner_id == partner.id,
            ReceivedDocument.payload_id == document.payload_id,
        )
    )
    if seen is not None:
        if seen.body_digest != digest or seen.status_code is None:
            raise DuplicateDocumentError(
                "/cXML/@payloadID already used for a different document: an OrderRequest may "
                "be re-sent only unchanged, a changed one needs a new payloadID (payloadIDs are "
                f"remembered without time limit; our clock read {cxml.format_timestamp(now)})"
            )
        return IntakeResult(
            status=cxml.Status(code=StatusCode(seen.status_code), text=seen.status_text),
            order_id=None,
        )
    key = ReceivedDocument(
        partner_id=partner.id,
        payload_id=document.payload_id,
        document_type="OrderRequest",
        body_digest=digest,
        received_at=now,
    )
    session.add(key)
    session.flush()  # the dedup key first: a concurrent twin waits here
    if request.type is OrderRequestType.NEW:
        order = _new(
            session,
            request=request,
            payload_id=document.payload_id,
            partner=partner,
            now=now,
            zone=zone,
            vat_rates=vat_rates,
            deployment_mode=document.deployment_mode,
        )
    else:
        order = _change(
            session,
            request=request,
            payload_id=document.payload_id,
            partner=partner,
            now=now,
            zone=zone,
            vat_rates=vat_rates,
        )
    # a re-send or change in the other mode: refused, and the caller's savepoint undoes it
    deployment.check_same_mode(order, mode=document.deployment_mode)
    status = _acknowledgement(session, partner)
    key.order_id = order.id
    key.status_code = int(status.code)
    key.status_text = status.text
    session.flush()
    return IntakeResult(status=status, order_id=order.id)


# --- new ------------------------------------------------------------------------------------


def _new(
    session: Session,
    *,
    request: OrderRequest,
    payload_id: str,
    partner: TradingPartner,
    now: datetime,
    zone: str,
    vat_rates: Mapping[str, Decimal],
    deployment_mode: str,
) -> Order:
    content = _content(request)
    digest = _content_digest(content)
    existing = _buyer_order(session, partner, request.order_id)
    if existing is not None:
        if existing.content_digest != digest:
            raise DuplicateDocumentError(
                "OrderRequestHeader/@orderID: already received with different content"
            )
        return existing.order  # a re-send of the same order under a new payloadID
    lines, punchout_session_id = checked_lines(
        session, request=request, partner=partner, vat_rates=vat_rates
    )
    checked = price_check.review(session, request=request, partner=partner, lines=lines, zone=zone)
    order = Order(
        number=numbering.next_order_number(session, now=now, zone=zone),
        organisation_id=partner.organisation_id,
        source=OrderSource.CXML,
        deployment_mode=deployment_mode,
        status=checked.status,
        buyer_reference=request.order_id,
        placed_at=now,
        history=[
            OrderStatusChange(
                status=checked.status, changed_at=now, note=f"OrderRequest {payload_id}"
            )
        ],
        **order_values(request, lines),
    )
    session.add(order)
    session.flush()
    insert_lines(session, order, lines)
    price_check.record(session, order=order, problems=checked.problems, replace=False)
    session.add(
        BuyerOrder(
            order_id=order.id,
            partner_id=partner.id,
            buyer_order_id=request.order_id,
            order_date=request.order_date,
            order_version=request.order_version or 1,
            payload_id=payload_id,
            content_digest=digest,
            punchout_session_id=punchout_session_id,
            extrinsics=[{"name": e.name, "value": e.value} for e in request.extrinsics],
            comments=request.comments,
            versions=[
                BuyerOrderVersion(
                    request_type=request.type.value,
                    order_version=request.order_version or 1,
                    payload_id=payload_id,
                    content=content,
                    received_at=now,
                )
            ],
        )
    )
    session.flush()  # (partner, orderID) is unique: a concurrent twin fails here
    return order


# --- update and delete ------------------------------------------------------------------------


def _change(
    session: Session,
    *,
    request: OrderRequest,
    payload_id: str,
    partner: TradingPartner,
    now: datetime,
    zone: str,
    vat_rates: Mapping[str, Decimal],
) -> Order:
    kind = request.type.value
    if not request.document_reference:
        raise InboundDocumentError(
            f"OrderRequestHeader/DocumentReference is required for type {kind}",
            status=StatusCode.BAD_REQUEST,
        )
    referenced = session.scalar(
        select(ReceivedDocument).where(
            ReceivedDocument.partner_id == partner.id,
            ReceivedDocument.payload_id == request.document_reference,
            ReceivedDocument.order_id.is_not(None),
        )
    )
    buyer_order = (
        None
        if referenced is None
        else session.scalar(select(BuyerOrder).where(BuyerOrder.order_id == referenced.order_id))
    )
    if buyer_order is None:
        raise InboundDocumentError(
            "OrderRequestHeader/DocumentReference/@payloadID: no order received with it",
            status=StatusCode.EXPECTATION_FAILED,
        )
    if buyer_order.buyer_order_id != request.order_id:
        raise InboundDocumentError(
            "OrderRequestHeader/@orderID: differs from the referenced order's",
            status=StatusCode.BAD_REQUEST,
        )
    order = buyer_order.order
    if order.status in CLOSED_STATUSES:
        raise DuplicateDocumentError(f"order {order.number} is {order.status}; no {kind} allowed")
    version = request.order_version or buyer_order.order_version + 1
    if version <= buyer_order.order_version:
        raise DuplicateDocumentError(
            f"OrderRequestHeader/@orderVersion: {version} is not newer than "
            f"{buyer_order.order_version}"
        )
    content = _content(request)
    if request.type is OrderRequestType.DELETE:
        order.status = OrderStatus.CANCELLED
        note = f"cancelled by the buyer (OrderRequest delete {payload_id})"
    else:
        lines, punchout_session_id = checked_lines(
            session, request=request, partner=partner, vat_rates=vat_rates
        )
        checked = price_check.review(
            session, request=request, partner=partner, lines=lines, zone=zone
        )
        session.execute(delete(OrderLine).where(OrderLine.order_id == order.id))
        insert_lines(session, order, lines)
        price_check.record(session, order=order, problems=checked.problems)
        for name, value in order_values(request, lines).items():
            setattr(order, name, value)
        order.status = checked.status
        buyer_order.content_digest = _content_digest(content)
        buyer_order.extrinsics = [{"name": e.name, "value": e.value} for e in request.extrinsics]
        buyer_order.comments = request.comments
        buyer_order.punchout_session_id = punchout_session_id or buyer_order.punchout_session_id
        note = f"version {version} received (OrderRequest update {payload_id})"
    order.history.append(OrderStatusChange(status=order.status, changed_at=now, note=note))
    buyer_order.order_version = version
    buyer_order.versions.append(
        BuyerOrderVersion(
            request_type=kind,
            order_version=version,
            payload_id=payload_id,
            content=content,
            received_at=now,
        )
    )
    session.flush()
    return order


# --- lines and values -------------------------------------------------------------------------


def _acknowledgement(session: Session, partner: TradingPartner) -> cxml.Status:
    asynchronous = session.scalar(
        select(PartnerOrderSettings.async_acknowledgement).where(
            PartnerOrderSettings.partner_id == partner.id
        )
    )
    code = StatusCode.ACCEPTED if asynchronous else StatusCode.OK
    return cxml.Status(code=code, text=code.phrase)


def _buyer_order(session: Session, partner: TradingPartner, order_id: str) -> BuyerOrder | None:
    return session.scalar(
        select(BuyerOrder).where(
            BuyerOrder.partner_id == partner.id, BuyerOrder.buyer_order_id == order_id
        )
    )


def _content(request: OrderRequest) -> dict[str, Any]:
    """The order's content as JSON-ready data (no type or reference: those are the envelope)."""
    data: dict[str, Any] = _plain(request)
    data.pop("type")
    data.pop("document_reference")
    return data


def _plain(value: object) -> Any:
    """`value` as `json.loads(json.dumps(asdict(value), default=str, sort_keys=True))` gives it
    (the stored content and its digest must not change), without asdict's deep copies."""
    kind: type = type(value)  # as `type`: typeshed will not call a class of object Hashable
    return _plain_maker(kind)(value)


@functools.cache
def _plain_maker(kind: type) -> Callable[[Any], Any]:
    """What makes a value of type `kind` plain: decided once per type, not once per value."""
    if kind in _JSON_SCALARS:
        return _itself
    if issubclass(kind, tuple | list):
        return _plain_items
    if issubclass(kind, str):  # a StrEnum: its value
        return str
    if issubclass(kind, int):  # an IntEnum: its number
        return int
    if not dataclasses.is_dataclass(kind):  # Decimal, date, datetime: written as str() writes them
        return str
    names = tuple(sorted(field.name for field in dataclasses.fields(kind)))
    return lambda value: {  # most fields are strings or None: those without a call
        name: part if type(part := getattr(value, name)) in _JSON_SCALARS else _plain(part)
        for name in names
    }


def _itself(value: Any) -> Any:
    return value


def _plain_items(values: Iterable[Any]) -> list[Any]:
    return [value if type(value) in _JSON_SCALARS else _plain(value) for value in values]


_JSON_SCALARS = frozenset({str, int, bool, float, type(None)})


def _content_digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
