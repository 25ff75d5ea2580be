"""The lines of a cXML OrderRequest: matched to our products by SupplierPartID, checked (units,
price decimals, currency), traced to the punchout cart their SupplierPartAuxiliaryID came from,
and inserted with one statement. Used by `intake` only; whether the prices, the assortment and
the total are right is `price_check`'s question (a line of an unknown product is kept, with no
product, for it to judge).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any, cast

from sqlalchemy import Row, Table, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import InboundDocumentError, OrderRequest, StatusCode
from gateway.models import (
    Cart,
    CartLine,
    Order,
    OrderLine,
    Product,
    PunchOutSession,
    TradingPartner,
)
from gateway.services.catalog import assortment, pricing
from gateway.services.ordering._sets import insert_rows, one_of

MAX_AUX_ID_LENGTH = 100


MAX_PART_ID_LENGTH = 64  # `order_line.sku`


MAX_UNIT_LENGTH = 3  # `order_line.unit`: UN/CEFACT codes


PRICE_DECIMALS = 4
PRICE_STEP = Decimal(1).scaleb(-PRICE_DECIMALS)


QUANTITY_DECIMALS = 3
QUANTITY_STEP = Decimal(1).scaleb(-QUANTITY_DECIMALS)


STANDARD_VAT = "standard"  # the VAT class of a line whose product we do not know


ORDER_LINE = cast(Table, OrderLine.__table__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One checked order line's values; a whole order's lines are inserted in one statement."""

    line_number: int
    product_id: int | None  # None: no active product has this SupplierPartID
    sku: str
    aux_id: str | None
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    vat_rate: Decimal
    list_price: Decimal | None  # the product's, which `pricing` starts from (not stored)
    in_assortment: bool  # whether the customer's assortment holds the product (not stored)

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
            "vat_rate": self.vat_rate,
        }


def insert_lines(session: Session, order: Order, lines: list[Line]) -> None:
    """Add the lines to the order in one statement (COPY on PostgreSQL; not one flush per
    line); on the table, as the ORM's bulk mode would only add bookkeeping nothing here reads."""
    insert_rows(session, ORDER_LINE, [line.row(order.id) for line in lines])
    session.expire(order, ["lines"])


def checked_lines(
    session: Session,
    *,
    request: OrderRequest,
    partner: TradingPartner,
    vat_rates: Mapping[str, Decimal] = pricing.DEFAULT_VAT_RATES,
) -> tuple[list[Line], int | None]:
    """Order lines matched to our products by SupplierPartID; SPAIDs traced to the punchout.

    Each line's VAT rate is its product's VAT class (a line of an unknown product: the standard
    class), as the shop's own orders have it.

    Products (with whether the customer's assortment holds them, for `price_check`), traced
    SPAIDs and our prices are each read in one query for all lines, so a large order costs a
    constant number of statements.
    """
    organisation = partner.organisation
    currency = organisation.currency
    if request.total.currency != currency:
        raise bad_request(
            f"OrderRequestHeader/Total/Money/@currency: this customer orders in {currency}"
        )
    skus = {item.item_id.supplier_part_id for item in request.items}
    visible = assortment.for_customer(session, organisation_id=organisation.id).condition()
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
                Product.vat_class,
                visible.label("visible"),
            ).where(one_of(Product.sku, skus), Product.active)
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
    lines: list[Line] = []
    numbers: set[int] = set()
    punchout_session_id: int | None = None
    for position, item in enumerate(request.items, start=1):
        number = item.line_number or position
        if number in numbers:
            raise bad_request(f"ItemOut lineNumber {number}: lineNumber used twice")
        numbers.add(number)
        line, session_id = _line(
            item=item,
            number=number,
            product=products.get(item.item_id.supplier_part_id),
            currency=currency,
            traced=traced,
            our_price=our_prices.get(position),
            vat_rates=vat_rates,
        )
        lines.append(line)
        punchout_session_id = punchout_session_id or session_id
    return lines, punchout_session_id


def _aux_id(item: cxml.ItemOut) -> str | None:
    return (item.item_id.supplier_part_auxiliary_id or "").strip() or None


def _line(
    *,
    item: cxml.ItemOut,
    number: int,
    product: Row[int, str, str, str, str, Decimal, str, bool] | None,
    currency: str,
    traced: dict[str, tuple[int, int]],
    our_price: Decimal | None,
    vat_rates: Mapping[str, Decimal],
) -> tuple[Line, int | None]:
    """One order line, and the punchout session its SPAID came from (if any).

    A line no active product matches is kept as the buyer described it (`price_check` reports
    it); without an ItemDetail there is no price or unit to keep, so it is refused.
    """
    where = f"ItemOut lineNumber {number}"
    sku = item.item_id.supplier_part_id
    if product is None and (item.detail is None or len(sku) > MAX_PART_ID_LENGTH):
        raise bad_request(f"{where}: unknown SupplierPartID")
    if _more_decimals(item.quantity, QUANTITY_STEP):
        raise bad_request(f"{where}: quantity has more than {QUANTITY_DECIMALS} decimals")
    aux_id = _aux_id(item)
    origin = None
    if aux_id is not None:
        if len(aux_id) > MAX_AUX_ID_LENGTH:
            raise bad_request(f"{where}: SupplierPartAuxiliaryID longer than {MAX_AUX_ID_LENGTH}")
        origin = traced.get(aux_id)
        if origin is not None and (product is None or origin[0] != product.id):
            raise bad_request(f"{where}: SupplierPartAuxiliaryID belongs to another part")
    if item.detail is None:  # optional in the DTD: our price and product name then
        assert product is not None  # noqa: S101 - refused above
        unit_price = product.list_price if our_price is None else our_price
        unit, description = product.unit, product.name
    else:
        money = item.detail.unit_price
        if money.currency != currency:
            raise bad_request(f"{where}: UnitPrice currency must be {currency}")
        if money.amount < 0 or _more_decimals(money.amount, PRICE_STEP):
            raise bad_request(f"{where}: UnitPrice must be positive with at most 4 decimals")
        unit_price, unit = money.amount, item.detail.unit_of_measure
        # A line's name: the buyer's ShortName (Ariba sends the long text as the Description)
        description = (
            item.detail.short_name or item.detail.description or (product.name if product else sku)
        )
    if product is None:
        if not 0 < len(unit) <= MAX_UNIT_LENGTH:
            raise bad_request(f"{where}: UnitOfMeasure must be 1 to {MAX_UNIT_LENGTH} characters")
    elif unit != product.unit:
        raise bad_request(f"{where}: UnitOfMeasure must be {product.unit}")
    line = Line(
        line_number=number,
        product_id=None if product is None else product.id,
        sku=sku if product is None else product.sku,
        aux_id=aux_id,
        description=description,
        unit=unit,
        quantity=item.quantity,
        unit_price=unit_price,
        net_amount=pricing.line_total(unit_price, item.quantity),
        vat_rate=pricing.vat_rate(product.vat_class if product else STANDARD_VAT, vat_rates),
        list_price=None if product is None else product.list_price,
        in_assortment=product is not None and bool(product.visible),
    )
    return line, None if origin is None else origin[1]


def order_values(request: OrderRequest, lines: list[Line]) -> dict[str, Any]:
    """The order's own columns from the request and its checked lines; VAT per rate as the
    shop's checkout computes it (the buyer's header Tax is their estimate, not our invoice)."""
    dates = [item.requested_delivery_date for item in request.items if item.requested_delivery_date]
    vat = pricing.vat_breakdown((line.vat_rate, line.net_amount) for line in lines)
    return {
        "currency": request.total.currency,
        "net_total": sum((line.net_amount for line in lines), Decimal(0)),
        "tax_total": sum((part.vat for part in vat), Decimal(0)),
        "vat_breakdown": [
            {"rate": str(part.rate), "base": str(part.base), "vat": str(part.vat)} for part in vat
        ],
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
        .where(PunchOutSession.partner_id == partner.id, one_of(CartLine.aux_id, aux_ids))
        .order_by(PunchOutSession.id.desc())
    ):
        found.setdefault(aux_id, (product_id, punchout_session_id))
    return found


def _address(address: cxml.Address | None) -> dict[str, Any] | None:
    """A cXML address in the shape every order keeps (`name`, `street`, `postcode`, `city`,
    `country`, as the shop's checkout stores them), plus what cXML adds (`deliver_to`, `state`,
    `email`, `phone`, `address_id`); empty parts left out."""
    if address is None:
        return None
    values = {
        "name": address.name,
        "deliver_to": ", ".join(address.deliver_to),
        "street": ", ".join(address.streets),
        "postcode": address.postal_code,
        "city": address.city,
        "state": address.state,
        "country": address.country_code,
        "email": address.email,
        "phone": address.phone,
        "address_id": address.address_id,
    }
    return {key: value for key, value in values.items() if value not in (None, "")}


def _more_decimals(value: Decimal, step: Decimal) -> bool:
    """Whether `value` has digits other than 0 after `step` (0.001: the third decimal). A
    comparison with its quantized self, which allocates no tuples (`as_tuple` did, a thousand
    times an order); the parser's bounds keep the quantized digits within Decimal's precision."""
    return value.quantize(step, rounding=ROUND_DOWN) != value


def bad_request(reason: str) -> InboundDocumentError:
    return InboundDocumentError(reason, status=StatusCode.BAD_REQUEST)
