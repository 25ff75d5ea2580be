"""The customer's staff-access switch (b2b-rules I-7) without Flask: the right, the change and
its audit row, written only when the setting changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import ForbiddenWhileAssisting, PermissionDenied
from gateway.models import AuditEntry
from gateway.services.people.organisation import set_staff_access
from tests.factories import actor_of, customer, user_named

NOW = datetime(2026, 5, 15, 10, 0, tzinfo=UTC)


def _rows(session: Session) -> list[AuditEntry]:
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "customer.staff_access")
            .order_by(AuditEntry.id)
        )
    )


def test_a_superuser_forbids_and_allows_staff_access_with_an_audit_row_per_change(
    db_session: Session,
) -> None:
    superuser = user_named(db_session, "superuser@1001.demo")
    actor = actor_of(db_session, superuser)
    assert customer(db_session).allow_impersonation

    changed = set_staff_access(db_session, actor=actor, allow=False, now=NOW)
    assert changed is customer(db_session)
    assert not changed.allow_impersonation
    set_staff_access(db_session, actor=actor, allow=False, now=NOW)  # unchanged: no row
    set_staff_access(db_session, actor=actor, allow=True, now=NOW)

    rows = _rows(db_session)
    assert [row.changes for row in rows] == [
        {"allow_impersonation": ["True", "False"]},
        {"allow_impersonation": ["False", "True"]},
    ]
    assert {(row.subject, row.organisation_id, row.actor_id) for row in rows} == {
        ("1001", customer(db_session).id, superuser.id)
    }
    assert {row.on_behalf_of_id for row in rows} == {None}
    assert customer(db_session).allow_impersonation
    assert customer(db_session, "1002").allow_impersonation  # only the actor's customer


def test_a_buyer_cannot_switch_staff_access(db_session: Session) -> None:
    actor = actor_of(db_session, user_named(db_session, "buyer@1001.demo"))
    with pytest.raises(PermissionDenied):
        set_staff_access(db_session, actor=actor, allow=False, now=NOW)
    assert customer(db_session).allow_impersonation
    assert _rows(db_session) == []


def test_staff_shopping_as_the_customer_cannot_switch_staff_access(db_session: Session) -> None:
    superuser = user_named(db_session, "superuser@1001.demo")
    staff = user_named(db_session, "service@supplier.demo")
    assisted = replace(actor_of(db_session, superuser), acting_staff_id=staff.id)
    with pytest.raises(ForbiddenWhileAssisting):
        set_staff_access(db_session, actor=assisted, allow=False, now=NOW)
    assert customer(db_session).allow_impersonation
    assert _rows(db_session) == []
