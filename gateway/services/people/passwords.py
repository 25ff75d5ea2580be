"""A new password, however it is chosen (a reset link, an invitation): the one place that stores
it, and what it ends. Every live reset link of the user and every session of the user end, so
an older link, or a browser left logged in elsewhere, is worth nothing afterwards."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, update
from sqlalchemy.orm import Session

from gateway.auth.credentials import hash_password
from gateway.models import PasswordReset, User
from gateway.services.people import shop_sessions


def set_password(session: Session, *, user: User, password: str, now: datetime) -> None:
    """Store `password` as a slow hash; the user's reset links and sessions end."""
    user.password_hash = hash_password(password)
    end_reset_links(session, users=[user.id], now=now)
    shop_sessions.end_all(session, user_id=user.id, now=now)


def end_reset_links(
    session: Session, *, users: Collection[int] | Select[Any], now: datetime
) -> None:
    """Let every live reset link of `users` expire now (a newer link or a new password replaces
    them); one statement, whether or not there are any."""
    session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.user_id.in_(users),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
