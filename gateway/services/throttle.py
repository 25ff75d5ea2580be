"""Throttling of failed logins: per account and per client address, in fixed windows.

A key is blocked once it has failed `attempts` times within `window`; it frees itself when the
window ends, so nobody is locked out for good. Counters live in the database (several workers
share them) and are updated with conditional UPDATEs, so concurrent failures all count. Keys
are digests: no e-mail address or IP address is stored.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.db import affected_rows
from gateway.models.throttle import ThrottleCounter


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `attempts` failures per `window`."""

    attempts: int
    window: timedelta


@dataclass(frozen=True, slots=True)
class Key:
    """One thing to count failures for, e.g. ("login-account", "jane@example.test")."""

    kind: str
    subject: str
    limit: Limit

    @property
    def digest(self) -> str:
        raw = f"{self.kind}\0{self.subject.casefold()}".encode()
        return f"{self.kind[:30]}:{hashlib.sha256(raw).hexdigest()[:64]}"


def retry_after(session: Session, *, keys: Sequence[Key], now: datetime) -> int | None:
    """Seconds until the most blocked key frees itself, or None when none is blocked."""
    rows = {
        row.key: row
        for row in session.scalars(
            select(ThrottleCounter).where(ThrottleCounter.key.in_([k.digest for k in keys]))
        )
    }
    waits = []
    for key in keys:
        row = rows.get(key.digest)
        if row is None:
            continue
        ends = row.window_start + key.limit.window
        if ends > now and row.count >= key.limit.attempts:
            waits.append(max(int((ends - now).total_seconds()) + 1, 1))
    return max(waits, default=None)


def record_failure(session: Session, *, keys: Sequence[Key], now: datetime) -> None:
    """Count one failure under every key."""
    for key in keys:
        _count(session, key, now)
    session.flush()


def forget(session: Session, *, keys: Sequence[Key]) -> None:
    """Drop the counters of these keys (after a successful login)."""
    session.execute(
        delete(ThrottleCounter).where(ThrottleCounter.key.in_([k.digest for k in keys]))
    )


def _count(session: Session, key: Key, now: datetime) -> None:
    current = ThrottleCounter.key == key.digest
    in_window = ThrottleCounter.window_start > now - key.limit.window
    counted = update(ThrottleCounter).where(current, in_window)
    if affected_rows(session.execute(counted.values(count=ThrottleCounter.count + 1))):
        return
    restarted = update(ThrottleCounter).where(current).values(count=1, window_start=now)
    if affected_rows(session.execute(restarted)):
        return
    try:
        with session.begin_nested():
            session.add(ThrottleCounter(key=key.digest, window_start=now, count=1))
    except IntegrityError:  # a concurrent first failure inserted it: count this one on top
        session.execute(
            update(ThrottleCounter).where(current).values(count=ThrottleCounter.count + 1)
        )
