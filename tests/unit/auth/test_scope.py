"""The scoped loader: an object of the active customer, or the same NotFound for anything else."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.orm import Session

from gateway.auth import scope
from gateway.errors import NotFound
from gateway.models import Budget
from tests.factories import actor_of, make_budget, user_named

MISSING_ID = 987_654


def test_an_object_of_the_active_customer_is_loaded(db_session: Session) -> None:
    budget = make_budget(db_session, user=None, number="1001")
    superuser = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    assert scope.load(db_session, Budget, budget.id, actor=superuser) is budget


def test_another_customers_object_is_not_found_like_a_missing_one_and_logged(
    db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    theirs = make_budget(db_session, user=None, number="1002")
    superuser = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    with caplog.at_level(logging.WARNING, logger="gateway.auth.policy"):
        with pytest.raises(NotFound) as foreign:
            scope.load(db_session, Budget, theirs.id, actor=superuser, message="No such budget.")
        (record,) = caplog.records
        assert record.getMessage().startswith("authorisation failure: user ")
        assert f"budget {theirs.id}" in record.getMessage()
        caplog.clear()
        with pytest.raises(NotFound) as missing:
            scope.load(db_session, Budget, MISSING_ID, actor=superuser, message="No such budget.")
        assert not caplog.records  # nothing of anyone else's was asked for
    assert str(foreign.value) == str(missing.value) == "No such budget."


@pytest.mark.parametrize("object_id", [None, 0])
def test_no_id_is_not_found(db_session: Session, object_id: int | None) -> None:
    superuser = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    with pytest.raises(NotFound, match="Not found"):
        scope.load(db_session, Budget, object_id, actor=superuser)
