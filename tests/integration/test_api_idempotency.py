"""Idempotency-Keys kept in the database: a key kept first by a concurrent request wins."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.models import ApiToken
from gateway.services import idempotency
from tests.api import make_token


def test_a_key_kept_by_a_concurrent_request_is_a_conflict(db_session: Session) -> None:
    make_token(db_session, "orders:write")
    token_id = db_session.scalars(select(ApiToken.id)).one()
    digest = idempotency.request_digest("POST", "/api/v1/orders/1/ship", b"{}")
    assert idempotency.kept(db_session, token_id=token_id, key="k", digest=digest) is None
    answer = {"token_id": token_id, "key": "k", "digest": digest, "status": 200, "now": utcnow()}
    idempotency.keep(db_session, **answer, body=b"first")
    with pytest.raises(idempotency.KeyReused):
        idempotency.keep(db_session, **answer, body=b"second")
    kept = idempotency.kept(db_session, token_id=token_id, key="k", digest=digest)
    assert kept == idempotency.Kept(status=200, body=b"first")
    with pytest.raises(idempotency.KeyReused):
        idempotency.kept(db_session, token_id=token_id, key="k", digest="other")
