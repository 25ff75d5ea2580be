"""Idempotency-Keys of API writes: the first answer is kept and replayed for the same request.

A key belongs to one token. The same key with the same request (method, path and body) gets the
kept answer again without running the write twice; with another request it is a conflict.
Only successful answers are kept (a refused write changed nothing, so repeating it is safe).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.errors import GatewayError
from gateway.models import ApiIdempotency

KEPT_FOR = timedelta(days=7)


class KeyReused(GatewayError):
    """The Idempotency-Key was used before for another request (answered 409)."""


@dataclass(frozen=True, slots=True)
class Kept:
    """A kept answer."""

    status: int
    body: bytes


def request_digest(method: str, path: str, body: bytes) -> str:
    """What makes two requests the same."""
    return hashlib.sha256(b"\0".join((method.encode(), path.encode(), body))).hexdigest()


def kept(session: Session, *, token_id: int, key: str, digest: str) -> Kept | None:
    """The answer kept for this key, None when there is none; KeyReused for another request."""
    row = session.scalar(
        select(ApiIdempotency).where(ApiIdempotency.token_id == token_id, ApiIdempotency.key == key)
    )
    if row is None:
        return None
    if row.request_digest != digest:
        raise KeyReused("This Idempotency-Key was used for another request.")
    return Kept(status=row.status, body=row.body)


def keep(
    session: Session,
    *,
    token_id: int,
    key: str,
    digest: str,
    status: int,
    body: bytes,
    now: datetime,
) -> None:
    """Keep a successful answer for its key; keys older than `KEPT_FOR` are forgotten. When a
    concurrent request with the same key kept its answer first, KeyReused: the caller's
    request is then rolled back, so the write happens once."""
    session.execute(delete(ApiIdempotency).where(ApiIdempotency.created_at < now - KEPT_FOR))
    try:
        with session.begin_nested():
            session.add(
                ApiIdempotency(
                    token_id=token_id,
                    key=key,
                    request_digest=digest,
                    status=status,
                    body=body,
                    created_at=now,
                )
            )
    except IntegrityError:
        raise KeyReused("This Idempotency-Key was used by a request at the same time.") from None
