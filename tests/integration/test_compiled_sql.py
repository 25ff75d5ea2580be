"""A statement compiled once reads and writes what Core would: the same rows, the column types'
conversions (UTC datetimes, JSON, booleans) applied both ways, literals filled in, and a value
left out is an error rather than a NULL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, bindparam, insert, select

from gateway.compiled_sql import CompiledStatement
from gateway.models import PunchOutSession, Role, RoleKind, TradingPartner
from tests.statements import counted


def test_a_select_reads_what_core_reads(connection: Connection) -> None:
    statement = (
        select(
            TradingPartner.id,
            TradingPartner.name,
            TradingPartner.active,
            TradingPartner.allowed_url_prefixes,
            TradingPartner.created_at,
        )
        .where(TradingPartner.name != bindparam("other"))
        .order_by(TradingPartner.id)
    )
    compiled = CompiledStatement.of(statement, connection.dialect)

    rows = compiled.rows(connection, {"other": "nobody"})

    assert rows == [tuple(row) for row in connection.execute(statement, {"other": "nobody"})]
    assert rows, "the demo data has partners"
    _id, _name, active, prefixes, created_at = rows[0]
    assert active is True or active == 1
    assert isinstance(prefixes, list)
    assert created_at.tzinfo is not None


def test_a_literal_of_the_statement_is_filled_in(connection: Connection) -> None:
    statement = select(Role.id).where(Role.kind == RoleKind.INTERNAL).order_by(Role.id)
    compiled = CompiledStatement.of(statement, connection.dialect)

    assert compiled.rows(connection, {}) == [tuple(r) for r in connection.execute(statement)]


def test_an_insert_converts_its_values_and_is_one_statement(connection: Connection) -> None:
    partner = connection.execute(
        select(TradingPartner.id, TradingPartner.organisation_id).limit(1)
    ).one()
    user_id = connection.scalar(select(PunchOutSession.user_id).limit(1)) or 1
    moment = datetime(2026, 12, 4, 7, 30, tzinfo=UTC)
    values = {
        "partner_id": partner.id,
        "organisation_id": partner.organisation_id,
        "user_id": user_id,
        "operation": "create",
        "buyer_cookie": "compiled",
        "return_url": "https://buyer.example/return",
        "payload_id": "compiled@test",
        "buyer_credentials": [{"domain": "NetworkID", "identity": "AN-1"}],
        "token_digest": "d" * 64,
        "token_expires_at": moment,
        "created_at": moment,
        "landing": {"product": "SKU-1"},
        "status": "pending",  # columns with a default need a value: none is applied
        "deployment_mode": "production",
    }
    compiled = CompiledStatement.of(
        insert(PunchOutSession).values({name: bindparam(name) for name in values}),
        connection.dialect,
    )

    with counted(connection) as statements:
        compiled.execute(connection, values)

    assert len(statements) == 1
    stored = connection.execute(
        select(PunchOutSession).where(PunchOutSession.token_digest == "d" * 64)
    ).one()
    assert stored.token_expires_at == moment
    assert stored.buyer_credentials == [{"domain": "NetworkID", "identity": "AN-1"}]
    assert stored.landing == {"product": "SKU-1"}
    with pytest.raises(KeyError, match="status"):
        compiled.execute(
            connection, {name: value for name, value in values.items() if name != "status"}
        )


def test_a_missing_value_is_refused(connection: Connection) -> None:
    compiled = CompiledStatement.of(
        select(TradingPartner.id).where(TradingPartner.name == bindparam("name")),
        connection.dialect,
    )

    with pytest.raises(KeyError):
        compiled.rows(connection, {})
