"""Order numbers people can say on the phone: `2026-000123`, one sequence a year, never twice.

The concurrency tests use real threads with their own connections, outside the rolled-back
fixture: a SQLite file, or the suite's PostgreSQL database when it runs there.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from gateway.engines import make_engine
from gateway.migrate import upgrade
from gateway.models import Order, OrderNumberCounter
from gateway.services.ordering import numbering
from gateway.services.ordering.queries import find_order
from tests import shop
from tests.factories import customer
from tests.integration.test_shop_checkout import _fill_cart, _place

NUMBER = re.compile(r"\d{4}-\d{6}")
NOW = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)


def test_a_shop_order_gets_the_years_next_number(client: FlaskClient, db_session: Session) -> None:
    year = datetime.now(UTC).year
    shop.login(client, "buyer@1001.demo")
    _fill_cart(client, ("DEMO-0001", "1"))
    assert _place(client).status_code == 302
    _fill_cart(client, ("DEMO-0002", "1"))
    assert _place(client).status_code == 302
    first, second = db_session.scalars(select(Order).order_by(Order.id)).all()
    assert NUMBER.fullmatch(first.number), first.number
    assert first.number.startswith(f"{year}-")
    assert int(second.number[5:]) == int(first.number[5:]) + 1
    page = client.get(f"/orders/{second.id}").text
    assert second.number in page
    assert find_order(db_session, second.number).id == second.id


def test_the_year_is_the_shops_calendar_year(db_session: Session) -> None:
    """New Year's Eve 23:30 UTC is already the new year in Amsterdam."""
    eve = datetime(2040, 12, 31, 23, 30, tzinfo=UTC)
    assert numbering.next_order_number(db_session, now=eve) == "2041-000001"
    assert numbering.next_order_number(db_session, now=eve) == "2041-000002"
    assert numbering.next_order_number(db_session, now=eve, zone="UTC") == "2040-000001"
    assert numbering.format_number(2041, 1234567) == "2041-1234567"  # grows past six digits


def test_orders_keep_their_old_numbers_and_are_found_by_them(db_session: Session) -> None:
    """Orders numbered before (`S…` in the shop, `CX…` from cXML) keep their numbers; the
    lookup by number (`gateway orders show`, `hold release/reject`) finds old and new."""
    organisation_id = customer(db_session).id
    numbers = ("S1A2B3C4D5E", "CX261203-0A1B2C3D", numbering.next_order_number(db_session, now=NOW))
    orders = [
        Order(
            number=number,
            organisation_id=organisation_id,
            status="placed",
            currency="EUR",
            net_total=Decimal(0),
        )
        for number in numbers
    ]
    db_session.add_all(orders)
    db_session.commit()
    assert [find_order(db_session, number).id for number in numbers] == [o.id for o in orders]
    assert find_order(db_session, f" {numbers[2]} ").id == orders[2].id  # as pasted


@pytest.fixture
def threads_engine(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """The suite's database when it allows several connections (PostgreSQL), else a file."""
    if engine.url.get_backend_name() == "sqlite":
        file = make_engine(f"sqlite:///{tmp_path / 'numbers.sqlite3'}")
        upgrade(file)
        yield file
        file.dispose()
    else:
        yield engine


@pytest.mark.parametrize("year", [2097, 2098])
def test_simultaneous_orders_never_share_a_number(threads_engine: Engine, year: int) -> None:
    """Two at a time on a year that has a counter row, and on one whose first order races to
    create it: every transaction gets its own number, one after the other."""
    now = datetime(year, 6, 1, 12, tzinfo=UTC)
    if year == 2097:
        with Session(threads_engine) as session, session.begin():
            session.add(OrderNumberCounter(year=year, last=41))
    start = threading.Barrier(2)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def take() -> None:
        try:
            for attempt in range(5):
                with Session(threads_engine) as session, session.begin():
                    if attempt == 0:  # both inside a transaction before either takes a number
                        start.wait(timeout=30)
                    numbers.append(numbering.next_order_number(session, now=now))
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=take) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=120)
    finally:
        with Session(threads_engine) as session, session.begin():
            session.execute(delete(OrderNumberCounter).where(OrderNumberCounter.year == year))
    assert failures == []
    first = 42 if year == 2097 else 1
    assert sorted(numbers) == [f"{year}-{value:06d}" for value in range(first, first + 10)]
