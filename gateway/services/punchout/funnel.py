"""The punchout funnel: per trading partner and period, what became of its punchouts.

A punchout counts in the period of its setup (the cohort), so every step is a share of the one
before it: setup requests that opened a punchout, shop sessions opened from their StartPage,
carts returned with at least one item, and purchase orders that match a returned cart. An order
matches a cart through the punchout session the intake traced it to, else through a line's
SupplierPartAuxiliaryID found in a returned cart of the same partner. Test punchouts and test
orders never count (b2b-rules: test documents never count toward figures).

Everything is aggregated in SQL (per partner and UTC day; days are then summed into weeks and
months), on SQLite and PostgreSQL alike, with the indexes of migration 0023. Periods are UTC
days, ISO weeks (from Monday) and calendar months.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    case,
    distinct,
    func,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, reachable_customers, require
from gateway.errors import InvalidInput
from gateway.models import (
    BuyerOrder,
    Cart,
    CartLine,
    CartStatus,
    DeploymentMode,
    Order,
    OrderLine,
    Organisation,
    PunchOutSession,
    TradingPartner,
)
from gateway.models.catalog import PRICE

DEFAULT_DAYS = 30
MAX_PERIODS = 400  # buckets a page shows: a bit more than a year of days
SECONDS_A_DAY = 86_400


class Period(StrEnum):
    """How the funnel's trend is bucketed (query `period`)."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"

    def start_of(self, day: date) -> date:
        """The first day of the bucket `day` falls in."""
        if self is Period.WEEK:
            return day - timedelta(days=day.weekday())
        if self is Period.MONTH:
            return day.replace(day=1)
        return day

    def after(self, start: date) -> date:
        """The first day of the next bucket."""
        if self is Period.WEEK:
            return start + timedelta(days=7)
        if self is Period.MONTH:
            return (start.replace(day=28) + timedelta(days=4)).replace(day=1)
        return start + timedelta(days=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class FunnelFilter:
    """Which punchouts the funnel counts: set up from `date_from` to `date_to` (UTC days, both
    included), bucketed by `period`, optionally of one partner (by name)."""

    period: Period
    date_from: date
    date_to: date
    partner: str = ""

    @classmethod
    def read(cls, args: Mapping[str, str], *, today: date) -> FunnelFilter:
        """The filter a query string asks for (`period`, `from`, `to`, `partner`); InvalidInput
        names the field that cannot be read. Default: the last 30 days, by week."""
        try:
            period = Period((args.get("period") or Period.WEEK.value).strip())
        except ValueError:
            raise InvalidInput("period must be day, week or month") from None
        date_to = _date(args.get("to"), "to") or today
        date_from = _date(args.get("from"), "from") or date_to - timedelta(days=DEFAULT_DAYS - 1)
        if date_from > date_to:
            raise InvalidInput("from must not be after to")
        chosen = cls(
            period=period,
            date_from=date_from,
            date_to=date_to,
            partner=(args.get("partner") or "").strip()[:100],
        )
        if len(chosen.period_starts()) > MAX_PERIODS:
            raise InvalidInput(f"too many periods: at most {MAX_PERIODS}, choose a longer period")
        return chosen

    def period_starts(self) -> list[date]:
        """The first day of every bucket the range touches, oldest first."""
        starts: list[date] = []
        start = self.period.start_of(self.date_from)
        while start <= self.date_to and len(starts) <= MAX_PERIODS:
            starts.append(start)
            start = self.period.after(start)
        return starts

    def query(self) -> dict[str, str]:
        """The filter as query-string values (for links such as the CSV export)."""
        values = {
            "period": self.period.value,
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
        }
        if self.partner:
            values["partner"] = self.partner
        return values


def _date(text: str | None, name: str) -> date | None:
    if not text or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a date (YYYY-MM-DD)") from None


@dataclass(slots=True, kw_only=True)
class Counts:
    """One funnel: the count at each step and the values of returned carts and their orders."""

    setups: int = 0
    sessions: int = 0
    carts: int = 0
    ordered_carts: int = 0
    orders: int = 0
    cart_value: Decimal = Decimal(0)
    order_value: Decimal = Decimal(0)

    def add(self, other: Counts) -> None:
        """Add `other`'s counts and values to these."""
        self.setups += other.setups
        self.sessions += other.sessions
        self.carts += other.carts
        self.ordered_carts += other.ordered_carts
        self.orders += other.orders
        self.cart_value += other.cart_value
        self.order_value += other.order_value

    @property
    def abandoned(self) -> int:
        """Shop sessions opened that returned no cart with items (cancelled, emptied, or left)."""
        return self.sessions - self.carts

    @property
    def session_rate(self) -> Decimal | None:
        """Setup requests that opened a shop session, in percent."""
        return _percent(self.sessions, self.setups)

    @property
    def cart_rate(self) -> Decimal | None:
        """Shop sessions that returned a cart with items, in percent."""
        return _percent(self.carts, self.sessions)

    @property
    def order_rate(self) -> Decimal | None:
        """Returned carts a purchase order matches, in percent."""
        return _percent(self.ordered_carts, self.carts)

    @property
    def overall_rate(self) -> Decimal | None:
        """Setup requests that led to a purchase order, in percent."""
        return _percent(self.ordered_carts, self.setups)


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


@dataclass(slots=True, kw_only=True)
class PartnerFunnel:
    """One partner's funnel over the whole range, and per period."""

    partner_id: int
    name: str
    protocol: str
    customer: str
    currency: str
    total: Counts = field(default_factory=Counts)
    periods: dict[date, Counts] = field(default_factory=dict)
    median_seconds: float | None = None


@dataclass(slots=True, kw_only=True)
class Funnel:
    """The funnel page: the filter, every reachable partner's funnel, and the sums."""

    filters: FunnelFilter
    partners: list[PartnerFunnel]
    total: Counts
    periods: dict[date, Counts]
    median_seconds: float | None
    currencies: tuple[str, ...]


def funnel(session: Session, *, actor: Actor, filters: FunnelFilter) -> Funnel:
    """The funnel of the partners of the customers the actor reaches (admins: every partner;
    sales agents: their assigned customers' partners)."""
    require(actor, Permission.ADMIN_FUNNEL_READ)
    partners = _partners(session, actor=actor, filters=filters)
    starts = filters.period_starts()
    rows = {
        p.partner_id: PartnerFunnel(
            partner_id=p.partner_id,
            name=p.name,
            protocol=p.protocol,
            customer=p.customer,
            currency=p.currency,
            periods={start: Counts() for start in starts},
        )
        for p in partners
    }
    total = Counts()
    periods = {start: Counts() for start in starts}
    if rows:
        for partner_id, day, counts in _daily(session, list(rows), filters):
            bucket = filters.period.start_of(day)
            row = rows[partner_id]
            row.periods.setdefault(bucket, Counts()).add(counts)
            row.total.add(counts)
            periods.setdefault(bucket, Counts()).add(counts)
            total.add(counts)
        medians, overall = _medians(session, list(rows), filters)
        for partner_id, median in medians.items():
            rows[partner_id].median_seconds = median
    else:
        overall = None
    return Funnel(
        filters=filters,
        partners=list(rows.values()),
        total=total,
        periods=periods,
        median_seconds=overall,
        currencies=tuple(sorted({p.currency for p in rows.values()})),
    )


@dataclass(frozen=True, slots=True)
class _Partner:
    partner_id: int
    name: str
    protocol: str
    customer: str
    currency: str


def _partners(session: Session, *, actor: Actor, filters: FunnelFilter) -> list[_Partner]:
    reach = reachable_customers(actor, Permission.ADMIN_FUNNEL_READ)
    statement = (
        select(
            TradingPartner.id,
            TradingPartner.name,
            TradingPartner.protocol,
            Organisation.number,
            Organisation.currency,
        )
        .join(Organisation, Organisation.id == TradingPartner.organisation_id)
        .order_by(TradingPartner.name)
    )
    if reach is not None:
        statement = statement.where(TradingPartner.organisation_id.in_(sorted(reach)))
    if filters.partner:
        statement = statement.where(TradingPartner.name == filters.partner)
    return [_Partner(*row) for row in session.execute(statement)]


def _bounds(filters: FunnelFilter) -> tuple[datetime, datetime]:
    start = datetime.combine(filters.date_from, time(0), tzinfo=UTC)
    end = datetime.combine(filters.date_to + timedelta(days=1), time(0), tzinfo=UTC)
    return start, end


def _day(dialect: str, column: Any) -> ColumnElement[str]:
    """The UTC day of a timestamp as 'YYYY-MM-DD' (SQLite stores UTC without a zone)."""
    if dialect == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # stored as 'YYYY-MM-DD HH:MM:SS…': cheaper than strftime


def _seconds_between(dialect: str, later: Any, earlier: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * SECONDS_A_DAY


def _returned() -> ColumnElement[bool]:
    """A punchout whose cart went back to the buyer with at least one item (recorded at
    transfer; migration 0023 counted the lines of earlier ones)."""
    return PunchOutSession.cart_lines > 0


def _matched_orders(partner_ids: list[int], start: datetime) -> Any:
    """The production orders of the partners matched to a punchout session: its id, the
    order's net value and when it came.

    The session is the one the intake traced (`BuyerOrder.punchout_session_id`), else the
    newest returned cart of the same partner holding one of the order's SPAIDs. Two plain
    joins in a UNION ALL: a correlated lookup per order costs more than both together.
    """
    received = (
        BuyerOrder.partner_id.in_(partner_ids),
        Order.deployment_mode == DeploymentMode.PRODUCTION,
        Order.placed_at >= start,  # an order follows its punchout's setup
    )
    traced = (
        select(
            BuyerOrder.punchout_session_id.label("session_id"),
            Order.net_total.label("net_total"),
            Order.placed_at.label("placed_at"),
        )
        .join(Order, Order.id == BuyerOrder.order_id)
        .where(BuyerOrder.punchout_session_id.is_not(None), *received)
    )
    by_aux = (
        select(
            func.max(Cart.punchout_session_id).label("session_id"),
            Order.net_total.label("net_total"),
            Order.placed_at.label("placed_at"),
        )
        .select_from(BuyerOrder)
        .join(Order, Order.id == BuyerOrder.order_id)
        .join(OrderLine, OrderLine.order_id == BuyerOrder.order_id)
        .join(CartLine, CartLine.aux_id == OrderLine.aux_id)
        .join(Cart, Cart.id == CartLine.cart_id)
        .join(PunchOutSession, PunchOutSession.id == Cart.punchout_session_id)
        .where(
            BuyerOrder.punchout_session_id.is_(None),
            PunchOutSession.partner_id == BuyerOrder.partner_id,
            Cart.status == CartStatus.TRANSFERRED,
            *received,
        )
        .group_by(BuyerOrder.order_id, Order.net_total, Order.placed_at)
    )
    return union_all(traced, by_aux).subquery("matched")


def _sessions(statement: Any, partner_ids: list[int], filters: FunnelFilter) -> Any:
    """`statement` restricted to the production punchouts of the partners set up in range."""
    start, end = _bounds(filters)
    return statement.where(
        PunchOutSession.partner_id.in_(partner_ids),
        PunchOutSession.created_at >= start,
        PunchOutSession.created_at < end,
        PunchOutSession.deployment_mode == DeploymentMode.PRODUCTION,
    )


def _daily(
    session: Session, partner_ids: list[int], filters: FunnelFilter
) -> Iterable[tuple[int, date, Counts]]:
    """Per partner and UTC day of setup: the funnel's counts, in two aggregate queries (the
    punchouts; the orders matched to returned carts, read from the orders to their sessions)."""
    dialect = session.get_bind().dialect.name
    start, _ = _bounds(filters)
    returned = _returned()
    day = _day(dialect, PunchOutSession.created_at).label("day")
    punchouts = _sessions(
        select(
            PunchOutSession.partner_id,
            day,
            func.count(PunchOutSession.id),
            func.count(PunchOutSession.redeemed_at),
            func.sum(case((returned, 1), else_=0)),
            func.sum(case((returned, PunchOutSession.cart_value), else_=None), type_=PRICE),
        ),
        partner_ids,
        filters,
    ).group_by(PunchOutSession.partner_id, day)
    orders = _matched_orders(partner_ids, start)
    ordered = (
        _sessions(
            select(
                PunchOutSession.partner_id,
                day,
                func.count(distinct(orders.c.session_id)),
                func.count(),
                func.sum(orders.c.net_total, type_=PRICE),
            )
            .select_from(orders)
            .join(PunchOutSession, PunchOutSession.id == orders.c.session_id),
            partner_ids,
            filters,
        )
        .where(returned)
        .group_by(PunchOutSession.partner_id, day)
    )
    found: dict[tuple[int, str], Counts] = {}
    for partner_id, text, setups, opened, carts, cart_value in session.execute(punchouts):
        found[partner_id, text] = Counts(
            setups=setups,
            sessions=opened,
            carts=int(carts or 0),
            cart_value=cart_value or Decimal(0),
        )
    for partner_id, text, ordered_carts, count, value in session.execute(ordered):
        counts = found[partner_id, text]  # a matched session is one of the punchouts above
        counts.ordered_carts = int(ordered_carts)
        counts.orders = int(count or 0)
        counts.order_value = value or Decimal(0)
    for (partner_id, text), counts in found.items():
        yield partner_id, date.fromisoformat(text), counts


def _medians(
    session: Session, partner_ids: list[int], filters: FunnelFilter
) -> tuple[dict[int, float], float | None]:
    """The median time from setup to a matched purchase order, per partner and over all of
    them: ranked in SQL with window functions in one pass, only the middle rows come back."""
    dialect = session.get_bind().dialect.name
    start, _ = _bounds(filters)
    orders = _matched_orders(partner_ids, start)
    seconds = _seconds_between(dialect, orders.c.placed_at, PunchOutSession.created_at)
    partner = PunchOutSession.partner_id
    ranked = (
        _sessions(
            select(
                partner.label("partner_id"),
                seconds.label("seconds"),
                func.row_number().over(partition_by=partner, order_by=seconds).label("position"),
                func.count().over(partition_by=partner).label("size"),
                func.row_number().over(order_by=seconds).label("overall_position"),
                func.count().over().label("overall_size"),
            )
            .select_from(orders)
            .join(PunchOutSession, PunchOutSession.id == orders.c.session_id),
            partner_ids,
            filters,
        )
        .where(_returned())
        .subquery()
    )

    def middle(position: Any, size: Any) -> ColumnElement[bool]:
        found: ColumnElement[bool] = position.in_([(size + 1) // 2, (size + 2) // 2])
        return found

    in_partner = middle(ranked.c.position, ranked.c.size)
    overall = middle(ranked.c.overall_position, ranked.c.overall_size)
    statement = select(
        ranked.c.partner_id, ranked.c.seconds, in_partner.label("partner"), overall.label("all")
    ).where(in_partner | overall)
    per_partner: dict[int, list[float]] = {}
    everyone: list[float] = []
    for partner_id, value, of_partner, of_all in session.execute(statement):
        if of_partner:
            per_partner.setdefault(partner_id, []).append(float(value))
        if of_all:
            everyone.append(float(value))
    return (
        {key: statistics.fmean(found) for key, found in per_partner.items()},
        statistics.fmean(everyone) if everyone else None,
    )


CSV_COLUMNS = (
    "partner",
    "customer",
    "period",
    "period_start",
    "setups",
    "sessions",
    "carts",
    "orders",
    "ordered_carts",
    "abandoned",
    "session_rate",
    "cart_rate",
    "order_rate",
    "cart_value",
    "order_value",
    "currency",
    "median_hours_to_order",
)


def csv_rows(result: Funnel) -> Iterable[list[str]]:
    """The funnel as CSV rows (header first): one row per partner and period, then one per
    partner for the whole range (`period` = `total`, with the median time to order)."""
    yield list(CSV_COLUMNS)
    for partner in result.partners:
        for start, counts in partner.periods.items():
            yield _csv_row(partner, result.filters.period.value, start.isoformat(), counts, None)
        yield _csv_row(
            partner,
            "total",
            result.filters.date_from.isoformat(),
            partner.total,
            partner.median_seconds,
        )


def _csv_row(
    partner: PartnerFunnel, period: str, start: str, counts: Counts, median: float | None
) -> list[str]:
    def rate(value: Decimal | None) -> str:
        return "" if value is None else str(value)

    return [
        _cell(partner.name),
        _cell(partner.customer),
        period,
        start,
        str(counts.setups),
        str(counts.sessions),
        str(counts.carts),
        str(counts.orders),
        str(counts.ordered_carts),
        str(counts.abandoned),
        rate(counts.session_rate),
        rate(counts.cart_rate),
        rate(counts.order_rate),
        f"{counts.cart_value:.2f}",
        f"{counts.order_value:.2f}",
        partner.currency,
        "" if median is None else f"{median / 3600:.2f}",
    ]


def _cell(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
