"""A received purchase order checked against what the customer would pay (issue 16).

Every line is checked against the customer's assortment and against our price: the price the
customer pays for that quantity on the order date (contract lists, tiers: `pricing`), or the
price of the punchout cart the line came from (its SupplierPartAuxiliaryID traced to a
transferred cart: the customer's price for the cart's quantity on the day the cart went back
to the buyer; for a line of an accepted quote, the quoted price). A unit price within the
partner's tolerance of either is right. The header Total must equal the sum of the lines, to
the cent. Lines without an ItemDetail carry our price.

What problems do is the partner's `OrderPricePolicy`: `hold` stores the order `on_hold` until
staff release or reject it (`holds`), `reject` refuses the document with Status 400 naming the
first problem, `accept` stores it as received. The problems are recorded in every case.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from gateway.cxml import OrderRequest
from gateway.models import (
    Cart,
    CartLine,
    Order,
    OrderPricePolicy,
    OrderProblem,
    OrderStatus,
    PartnerOrderSettings,
    ProblemKind,
    Product,
    PunchOutSession,
    PunchOutStatus,
    QuoteLine,
    TradingPartner,
)
from gateway.services.catalog import pricing
from gateway.services.ordering._order_lines import Line, bad_request
from gateway.services.ordering._sets import insert_rows, one_of

DEFAULT_TOLERANCE = Decimal("0.01")


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One problem of a line (`line_number`) or of the whole order (`line_number` None)."""

    kind: ProblemKind
    line_number: int | None = None
    sku: str | None = None
    expected: Decimal | None = None
    received: Decimal | None = None

    @classmethod
    def of(cls, row: OrderProblem) -> Problem:
        """The problem a stored row holds."""
        return cls(
            kind=ProblemKind(row.kind),
            line_number=row.line_number,
            sku=row.sku,
            expected=row.expected,
            received=row.received,
        )

    def reason(self) -> str:
        """The problem in words, naming the line and our price (a cXML Status text)."""
        where = f"ItemOut lineNumber {self.line_number}"
        expected, received = _amount(self.expected), _amount(self.received)
        if self.kind is ProblemKind.UNKNOWN_PRODUCT:
            return f"{where}: unknown SupplierPartID {self.sku}"
        if self.kind is ProblemKind.NOT_IN_ASSORTMENT:
            return (
                f"{where}: {self.sku} is not in this customer's assortment (our price {expected})"
            )
        if self.kind is ProblemKind.PRICE:
            return f"{where}: UnitPrice {received} for {self.sku}, expected {expected}"
        return f"OrderRequestHeader/Total: does not equal the sum of the lines ({expected})"

    def as_json(self) -> dict[str, object]:
        """The problem as `gateway orders list --json` and `orders show --json` print it."""
        return {
            "kind": self.kind.value,
            "line_number": self.line_number,
            "sku": self.sku,
            "expected": _amount(self.expected),
            "received": _amount(self.received),
            "reason": self.reason(),
        }


def _amount(value: Decimal | None) -> str | None:
    """An amount as prices are written: at least two decimals (0.77, 5.00, 0.7750 → 0.775)."""
    if value is None:
        return None
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:  # noqa: PLR2004 - cents
        return f"{value.quantize(pricing.CENT):f}"
    return f"{value.normalize():f}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    """The problems of a received order and the status it gets under the partner's policy."""

    status: OrderStatus
    problems: tuple[Problem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PricePolicy:
    """A partner's policy for orders with problems, and its per-unit price tolerance."""

    policy: OrderPricePolicy = OrderPricePolicy.HOLD
    tolerance: Decimal = DEFAULT_TOLERANCE


def policy_of(session: Session, partner: TradingPartner) -> PricePolicy:
    """The partner's price policy (the defaults when it has no order settings)."""
    row = session.execute(
        select(
            PartnerOrderSettings.order_price_policy, PartnerOrderSettings.order_price_tolerance
        ).where(PartnerOrderSettings.partner_id == partner.id)
    ).first()
    if row is None:
        return PricePolicy()
    return PricePolicy(policy=OrderPricePolicy(row[0]), tolerance=row[1])


def review(
    session: Session,
    *,
    request: OrderRequest,
    partner: TradingPartner,
    lines: Sequence[Line],
    zone: str = pricing.DEFAULT_TIMEZONE,
) -> Review:
    """Check the order's lines and Total; under `reject`, raise a 400 naming the first problem.

    A constant number of queries, whatever the number of lines.
    """
    rule = policy_of(session, partner)
    problems = find_problems(
        session, request=request, partner=partner, lines=lines, tolerance=rule.tolerance, zone=zone
    )
    if problems and rule.policy is OrderPricePolicy.REJECT:
        raise bad_request(problems[0].reason())
    held = bool(problems) and rule.policy is OrderPricePolicy.HOLD
    return Review(status=OrderStatus.ON_HOLD if held else OrderStatus.RECEIVED, problems=problems)


def find_problems(
    session: Session,
    *,
    request: OrderRequest,
    partner: TradingPartner,
    lines: Sequence[Line],
    tolerance: Decimal,
    zone: str = pricing.DEFAULT_TIMEZONE,
) -> tuple[Problem, ...]:
    """The problems of the lines (in order) and of the Total (last)."""
    organisation = partner.organisation
    priced = [
        (line, _Priced(id=line.product_id, list_price=line.list_price))
        for line in lines
        if line.product_id is not None and line.list_price is not None
    ]
    ours = pricing.line_prices(
        session,
        organisation,
        [(product, line.quantity) for line, product in priced],
        on=pricing.price_date(request.order_date, zone),
    )
    expected = {line.line_number: price for (line, _), price in zip(priced, ours, strict=True)}
    carts = _cart_prices(session, partner=partner, lines=lines, zone=zone)
    with_detail = {
        number for number, item in enumerate(request.items, start=1) if item.detail is not None
    }
    problems: list[Problem] = []
    for position, line in enumerate(lines, start=1):
        if line.product_id is None:
            problems.append(_problem(ProblemKind.UNKNOWN_PRODUCT, line, expected=None))
            continue
        ours_now = expected[line.line_number]
        if not line.in_assortment:
            problems.append(_problem(ProblemKind.NOT_IN_ASSORTMENT, line, expected=ours_now))
        if position not in with_detail:
            continue  # no ItemDetail: the line carries our price
        cart_price = carts.get(line.line_number)
        acceptable = [ours_now] if cart_price is None else [cart_price, ours_now]
        if all(abs(line.unit_price - price) > tolerance for price in acceptable):
            problems.append(_problem(ProblemKind.PRICE, line, expected=acceptable[0]))
    line_sum = sum((line.net_amount for line in lines), Decimal(0))
    total = request.total.amount.quantize(pricing.CENT)
    if total != line_sum:
        problems.append(Problem(kind=ProblemKind.TOTAL, expected=line_sum, received=total))
    return tuple(problems)


@dataclass(frozen=True, slots=True)
class _Priced:
    """What `pricing` needs of a product."""

    id: int
    list_price: Decimal


def _problem(kind: ProblemKind, line: Line, *, expected: Decimal | None) -> Problem:
    return Problem(
        kind=kind,
        line_number=line.line_number,
        sku=line.sku,
        expected=expected,
        received=line.unit_price,
    )


def _cart_prices(
    session: Session, *, partner: TradingPartner, lines: Sequence[Line], zone: str
) -> dict[int, Decimal]:
    """Per line number: the price of the transferred punchout cart line its SPAID names (the
    partner's latest), for the cart's quantity on the day the cart went back to the buyer."""
    wanted = {line.aux_id: line for line in lines if line.aux_id and line.product_id is not None}
    if not wanted:
        return {}
    found: dict[str, tuple[_Priced, Decimal, datetime | None]] = {}
    quoted: dict[str, tuple[int, Decimal]] = {}  # a line of an accepted quote: its price
    for aux_id, product_id, list_price, quantity, ended_at, quoted_price in session.execute(
        select(
            CartLine.aux_id,
            CartLine.product_id,
            Product.list_price,
            CartLine.quantity,
            PunchOutSession.ended_at,
            QuoteLine.unit_price,
        )
        .join(Product, CartLine.product_id == Product.id)
        .outerjoin(QuoteLine, CartLine.quote_line_id == QuoteLine.id)
        .join(Cart, CartLine.cart_id == Cart.id)
        .join(PunchOutSession, Cart.punchout_session_id == PunchOutSession.id)
        .where(
            PunchOutSession.partner_id == partner.id,
            PunchOutSession.status == PunchOutStatus.TRANSFERRED,
            one_of(CartLine.aux_id, wanted),
        )
        .order_by(PunchOutSession.id.desc())
    ):
        found.setdefault(
            aux_id, (_Priced(id=product_id, list_price=list_price), quantity, ended_at)
        )
        if quoted_price is not None:
            quoted.setdefault(aux_id, (product_id, quoted_price))
    by_day: dict[date | None, list[tuple[int, _Priced, Decimal]]] = {}
    for aux_id, (product, quantity, ended_at) in found.items():
        line = wanted[aux_id]
        if product.id == line.product_id:  # else `_order_lines` refused the line
            day = None if ended_at is None else pricing.price_date(ended_at, zone)
            by_day.setdefault(day, []).append((line.line_number, product, quantity))
    prices: dict[int, Decimal] = {}
    for day, items in by_day.items():  # one day, almost always: one cart per order
        found_prices = pricing.line_prices(
            session, partner.organisation, [(product, qty) for _, product, qty in items], on=day
        )
        prices.update(zip((number for number, _, _ in items), found_prices, strict=True))
    for aux_id, (product_id, price) in quoted.items():
        if wanted[aux_id].product_id == product_id:
            prices[wanted[aux_id].line_number] = price
    return prices


def record(
    session: Session, *, order: Order, problems: Iterable[Problem], replace: bool = True
) -> None:
    """Store the order's problems in one statement, replacing those of an earlier version
    (`replace` False: a new order, which has none yet)."""
    if replace:
        session.execute(delete(OrderProblem).where(OrderProblem.order_id == order.id))
    rows = [
        {
            "order_id": order.id,
            "line_number": problem.line_number,
            "kind": problem.kind.value,
            "sku": problem.sku,
            "expected": problem.expected,
            "received": problem.received,
        }
        for problem in problems
    ]
    insert_rows(session, cast(Table, OrderProblem.__table__), rows)


def problems_of(session: Session, order_ids: Iterable[int]) -> dict[int, list[Problem]]:
    """The recorded problems of each order (absent: none), in one query."""
    found: dict[int, list[Problem]] = {}
    ids = set(order_ids)
    if not ids:
        return found
    for row in session.scalars(
        select(OrderProblem).where(OrderProblem.order_id.in_(ids)).order_by(OrderProblem.id)
    ):
        found.setdefault(row.order_id, []).append(Problem.of(row))
    return found
