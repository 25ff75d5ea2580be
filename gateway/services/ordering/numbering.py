"""Order numbers people can read and say on the phone: `2026-000123`.

One sequence a calendar year (in the shop's time zone), kept in a counter row that is raised in
the transaction creating the order: the row lock makes simultaneous orders wait for each other
on PostgreSQL, SQLite's single writer does the same, so no number is given twice. A number given
to a transaction that rolls back is not reused (a gap, never a duplicate). Orders numbered before
this scheme keep their numbers (`S…`, `CX…`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.models import OrderNumberCounter
from gateway.services.catalog.pricing import DEFAULT_TIMEZONE

DIGITS = 6


def next_order_number(session: Session, *, now: datetime, zone: str = DEFAULT_TIMEZONE) -> str:
    """The next number of the year `now` falls in (`zone`), `YYYY-NNNNNN`."""
    year = now.astimezone(ZoneInfo(zone)).year
    value = _raise(session, year)
    if value is None:
        try:
            with session.begin_nested():  # the year's first order: create its counter
                session.add(OrderNumberCounter(year=year, last=1))
                session.flush()
            value = 1
        except IntegrityError:  # another transaction created it first: count on from there
            value = _raise(session, year)
            if value is None:  # pragma: no cover - the row exists once the insert collided
                raise
    return format_number(year, value)


def format_number(year: int, value: int) -> str:
    """`2026-000123`: the year, a dash, the sequence with at least six digits."""
    return f"{year}-{value:0{DIGITS}d}"


def _raise(session: Session, year: int) -> int | None:
    statement = (
        update(OrderNumberCounter)
        .where(OrderNumberCounter.year == year)
        .values(last=OrderNumberCounter.last + 1)
        .returning(OrderNumberCounter.last)
        .execution_options(synchronize_session=False)
    )
    result: int | None = session.execute(statement).scalar_one_or_none()
    return result
