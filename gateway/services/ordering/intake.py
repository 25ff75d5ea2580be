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
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, Table, delete, insert, select
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
    Cart,
    CartLine,
    Order,
    OrderLine,
    OrderStatusChange,
    PartnerOrderSettings,
    Product,
    PunchOutSession,
    ReceivedDocument,
    TradingPartner,
)
from gateway.services.catalog import pricing

MAX_AUX_ID_LENGTH = 100
PRICE_DECIMALS = 4
QUANTITY_DECIMALS = 3
CLOSED_STATUSES = frozenset({"shipped", "cancelled", "rejected"})
ORDER_LINE = cast(Table, OrderLine.__table__)


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
) -> IntakeResult:
    """Process one authenticated OrderRequest; raise a `CXMLError` (4xx) to refuse it.

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
            raise DuplicateDocumentError("payloadID already used for a different document")
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
            session, request=request, payload_id=document.payload_id, partner=partner, now=now
        )
    else:
        order = _change(
            session, request=request, payload_id=document.payload_id, partner=partner, now=now
        )
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
    lines, punchout_session_id = _lines(session, request=request, partner=partner)
    order = Order(
        number=_order_number(now),
        organisation_id=partner.organisation_id,
        source="cxml",
        status="received",
        buyer_reference=request.order_id,
        placed_at=now,
        history=[
            OrderStatusChange(status="received", changed_at=now, note=f"OrderRequest {payload_id}")
        ],
        **_order_values(request, lines),
    )
    session.add(order)
    session.flush()
    _insert_lines(session, order, lines)
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
        order.status = "cancelled"
        note = f"cancelled by the buyer (OrderRequest delete {payload_id})"
    else:
        lines, punchout_session_id = _lines(session, request=request, partner=partner)
        session.execute(delete(OrderLine).where(OrderLine.order_id == order.id))
        _insert_lines(session, order, lines)
        for name, value in _order_values(request, lines).items():
            setattr(order, name, value)
        order.status = "received"
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


@dataclass(frozen=True, slots=True, kw_only=True)
class _Line:
    """One checked order line's values; a whole order's lines are inserted in one statement."""

    line_number: int
    product_id: int
    sku: str
    aux_id: str | None
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal

    def row(self, order_id: int) -> dict[str, Any]:
        """The `order_line` row of this line in order `order_id`."""
        return {
            "order_id": order_id,
            "line_number": self.line_number,
            "product_id": self.product_id,
            "sku": self.sku,
            "aux_id": self.aux_id,
            "description": self.description,
            "unit": self.unit,
            "quantity": self.quantity,
            "unit_price": self.unit_price,
            "net_amount": self.net_amount,
        }


def _insert_lines(session: Session, order: Order, lines: list[_Line]) -> None:
    """Add the lines to the order with one executemany INSERT (not one flush per line); on the
    table, as the ORM's bulk mode would only add bookkeeping nothing here reads."""
    if lines:
        session.execute(insert(ORDER_LINE), [line.row(order.id) for line in lines])
    session.expire(order, ["lines"])


def _lines(
    session: Session, *, request: OrderRequest, partner: TradingPartner
) -> tuple[list[_Line], int | None]:
    """Order lines matched to our products by SupplierPartID; SPAIDs traced to the punchout.

    Products, traced SPAIDs and our prices are each read in one query for all lines, so a
    large order costs a constant number of statements.
    """
    organisation = partner.organisation
    currency = organisation.currency
    if request.total.currency != currency:
        raise _bad(f"OrderRequestHeader/Total/Money/@currency: this customer orders in {currency}")
    skus = {item.item_id.supplier_part_id for item in request.items}
    products = {  # only the columns a line needs: loading whole entities costs more than SQL
        product.sku: product
        for product in session.execute(
            select(
                Product.id,
                Product.sku,
                Product.unit,
                Product.name,
                Product.description,
                Product.list_price,
            ).where(Product.sku.in_(skus), Product.active)
        )
    }
    traced = _punchout_lines(
        session, partner, {aux for item in request.items if (aux := _aux_id(item))}
    )
    without_detail = [  # ItemDetail is optional in the DTD: such lines get our price
        (position, products[item.item_id.supplier_part_id], item.quantity)
        for position, item in enumerate(request.items, start=1)
        if item.detail is None and item.item_id.supplier_part_id in products
    ]
    our_prices = dict(
        zip(
            (position for position, _, _ in without_detail),
            pricing.line_prices(
                session, organisation, [(product, qty) for _, product, qty in without_detail]
            ),
            strict=True,
        )
    )
    lines: list[_Line] = []
    numbers: set[int] = set()
    punchout_session_id: int | None = None
    for position, item in enumerate(request.items, start=1):
        number = item.line_number or position
        if number in numbers:
            raise _bad(f"ItemOut lineNumber {number}: lineNumber used twice")
        numbers.add(number)
        line, session_id = _line(
            item=item,
            number=number,
            product=products.get(item.item_id.supplier_part_id),
            currency=currency,
            traced=traced,
            our_price=our_prices.get(position),
        )
        lines.append(line)
        punchout_session_id = punchout_session_id or session_id
    net_total = sum((line.net_amount for line in lines), Decimal(0))
    if request.total.amount.quantize(pricing.CENT) != net_total:
        raise _bad(f"OrderRequestHeader/Total: does not equal the sum of the lines ({net_total})")
    return lines, punchout_session_id


def _aux_id(item: cxml.ItemOut) -> str | None:
    return (item.item_id.supplier_part_auxiliary_id or "").strip() or None


def _line(
    *,
    item: cxml.ItemOut,
    number: int,
    product: Row[tuple[int, str, str, str, str, Decimal]] | None,
    currency: str,
    traced: dict[str, tuple[int, int]],
    our_price: Decimal | None,
) -> tuple[_Line, int | None]:
    """One order line, and the punchout session its SPAID came from (if any)."""
    where = f"ItemOut lineNumber {number}"
    if product is None:
        raise _bad(f"{where}: unknown SupplierPartID")
    if _decimals(item.quantity) > QUANTITY_DECIMALS:
        raise _bad(f"{where}: quantity has more than {QUANTITY_DECIMALS} decimals")
    aux_id = _aux_id(item)
    origin = None
    if aux_id is not None:
        if len(aux_id) > MAX_AUX_ID_LENGTH:
            raise _bad(f"{where}: SupplierPartAuxiliaryID longer than {MAX_AUX_ID_LENGTH}")
        origin = traced.get(aux_id)
        if origin is not None and origin[0] != product.id:
            raise _bad(f"{where}: SupplierPartAuxiliaryID belongs to another part")
    if item.detail is None:  # optional in the DTD: our price and description then
        unit_price = product.list_price if our_price is None else our_price
        unit, description = product.unit, product.description or product.name
    else:
        money = item.detail.unit_price
        if money.currency != currency:
            raise _bad(f"{where}: UnitPrice currency must be {currency}")
        if money.amount < 0 or _decimals(money.amount) > PRICE_DECIMALS:
            raise _bad(f"{where}: UnitPrice must be positive with at most 4 decimals")
        unit_price, unit = money.amount, item.detail.unit_of_measure
        description = item.detail.description or product.name
    if unit != product.unit:
        raise _bad(f"{where}: UnitOfMeasure must be {product.unit}")
    line = _Line(
        line_number=number,
        product_id=product.id,
        sku=product.sku,
        aux_id=aux_id,
        description=description,
        unit=unit,
        quantity=item.quantity,
        unit_price=unit_price,
        net_amount=pricing.line_total(unit_price, item.quantity),
    )
    return line, None if origin is None else origin[1]


def _order_values(request: OrderRequest, lines: list[_Line]) -> dict[str, Any]:
    dates = [item.requested_delivery_date for item in request.items if item.requested_delivery_date]
    return {
        "currency": request.total.currency,
        "net_total": sum((line.net_amount for line in lines), Decimal(0)),
        "tax_total": request.tax.money.amount if request.tax else Decimal(0),
        "shipping_total": request.shipping.money.amount if request.shipping else Decimal(0),
        "requested_delivery_date": min(dates) if dates else None,
        "ship_to": _address(request.ship_to),
        "bill_to": _address(request.bill_to),
        "comment": request.comments,
    }


def _punchout_lines(
    session: Session, partner: TradingPartner, aux_ids: set[str]
) -> dict[str, tuple[int, int]]:
    """Per SPAID: (product id, punchout session id) of this partner's latest cart line with it."""
    if not aux_ids:
        return {}
    found: dict[str, tuple[int, int]] = {}
    for aux_id, product_id, punchout_session_id in session.execute(
        select(CartLine.aux_id, CartLine.product_id, PunchOutSession.id)
        .join(Cart, CartLine.cart_id == Cart.id)
        .join(PunchOutSession, Cart.punchout_session_id == PunchOutSession.id)
        .where(PunchOutSession.partner_id == partner.id, CartLine.aux_id.in_(aux_ids))
        .order_by(PunchOutSession.id.desc())
    ):
        found.setdefault(aux_id, (product_id, punchout_session_id))
    return found


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
    data = _plain(request)
    data.pop("type")
    data.pop("document_reference")
    return data


def _plain(value: object) -> Any:
    """`value` as `json.loads(json.dumps(asdict(value), default=str, sort_keys=True))` gives it
    (the stored content and its digest must not change), without asdict's deep copies."""
    if type(value) in _JSON_SCALARS:
        return value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, str):  # a StrEnum: its value
        return str(value)
    if isinstance(value, int):  # an IntEnum: its number
        return int(value)
    names = _field_names(type(value))
    if names is None:  # Decimal, date, datetime: written as str() writes them
        return str(value)
    return {name: _plain(getattr(value, name)) for name in names}


_JSON_SCALARS = frozenset({str, int, bool, float, type(None)})


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """A dataclass's field names, sorted; None for anything else."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(sorted(field.name for field in dataclasses.fields(kind)))


def _content_digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _address(address: cxml.Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    values = dataclasses.asdict(address)
    values["streets"] = list(address.streets)
    return {key: value for key, value in values.items() if value not in (None, [], "")}


def _order_number(now: datetime) -> str:
    return f"CX{now:%y%m%d}-{secrets.token_hex(4).upper()}"


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _bad(reason: str) -> InboundDocumentError:
    return InboundDocumentError(reason, status=StatusCode.BAD_REQUEST)
