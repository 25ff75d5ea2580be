"""Single-use links sent by e-mail (invitations, password resets): one way to issue, check and
spend them, and to choose a password through one.

Only the token's digest is stored. A link works until it expires and only once: spending it is
one conditional UPDATE, so two browsers using the same link at once cannot both succeed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.auth.credentials import new_token, token_digest
from gateway.db import affected_rows
from gateway.errors import InvalidInput
from gateway.models import Invitation, PasswordReset, User
from gateway.services.people import passwords

Link = TypeVar("Link", Invitation, PasswordReset)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


def issue(
    session: Session, kind: type[Link], *, now: datetime, ttl_seconds: int, **fields: Any
) -> str:
    """Store a new link of `kind` (its other columns in `fields`); returns the token to send."""
    token, digest = new_token()
    session.add(
        kind(
            token_digest=digest,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
            **fields,
        )
    )
    session.flush()
    return token


def live(session: Session, kind: type[Link], *, token: str, now: datetime, refusal: str) -> Link:
    """The unused, unexpired link for `token`, or InvalidInput(`refusal`)."""
    link = session.scalar(select(kind).where(kind.token_digest == token_digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        raise InvalidInput(refusal)
    return link


def spend(
    session: Session, link: Invitation | PasswordReset, *, now: datetime, refusal: str
) -> None:
    """Mark `link` used, unless another request spent it first (then InvalidInput(`refusal`))."""
    kind = type(link)
    spent = session.execute(
        update(kind).where(kind.id == link.id, kind.used_at.is_(None)).values(used_at=now)
    )
    if affected_rows(spent) != 1:
        raise InvalidInput(refusal)


def choose_password(
    session: Session,
    kind: type[Link],
    *,
    token: str,
    password: str,
    confirmation: str,
    now: datetime,
    refusal: str,
) -> User:
    """Set the user's new password through a live link of `kind`: the link is spent, the
    password stored (`passwords.set_password`: every reset link and session of the user end)."""
    link = live(session, kind, token=token, now=now, refusal=refusal)
    if password != confirmation:
        raise InvalidInput("The two passwords differ.")
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "Choose a password of %(shortest)s to %(longest)s characters.",
            shortest=MIN_PASSWORD_LENGTH,
            longest=MAX_PASSWORD_LENGTH,
        )
    spend(session, link, now=now, refusal=refusal)
    user = session.get_one(User, link.user_id)
    passwords.set_password(session, user=user, password=password, now=now)
    session.flush()
    return user
