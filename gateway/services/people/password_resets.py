"""Password reset by e-mail link: time-limited, single use, only the token's digest stored; the
mail is queued, sealed, in the transaction that creates the reset."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import PasswordReset, User
from gateway.services import outbox
from gateway.services.outbox import BASE_URL_MARKER
from gateway.services.people import links

INVALID_LINK = "This reset link is invalid, used or expired. Please ask for a new one."


def request_reset(
    session: Session, *, email: str, now: datetime, ttl_seconds: int, mail_key: str
) -> None:
    """Mail a reset link to an active shop account: the reset and its mail (sealed with
    `mail_key`) in this transaction. Nothing for an unknown address or a punchout user without
    a password. The caller says the same thing either way, and no mail is sent inside the
    request (the outbox worker sends it), so the answer does not wait on a mail server for
    known addresses only."""
    user = session.scalar(
        select(User).where(
            User.email == email.strip().lower(), User.active, User.password_hash.is_not(None)
        )
    )
    if user is None:
        return
    token = links.issue(session, PasswordReset, now=now, ttl_seconds=ttl_seconds, user_id=user.id)
    outbox.enqueue_mail(
        session,
        to=user.email,
        subject="Reset your password",
        body=(
            f"Someone (hopefully you) asked to reset the shop password of {user.email}.\n\n"
            f"Choose a new password here within {ttl_seconds // 60} minutes; the link works "
            f"once:\n{BASE_URL_MARKER}/password/reset/{token}\n\n"
            "If you did not ask for this, ignore this message.\n"
        ),
        order_id=None,
        now=now,
        sealed_with=mail_key,
    )


def check_token(session: Session, *, token: str, now: datetime) -> PasswordReset:
    """The live reset for a token, or InvalidInput."""
    return links.live(session, PasswordReset, token=token, now=now, refusal=INVALID_LINK)


def reset_password(
    session: Session, *, token: str, password: str, confirmation: str, now: datetime
) -> User:
    """Set a new password through a reset link; the link is spent and every session ends."""
    return links.choose_password(
        session,
        PasswordReset,
        token=token,
        password=password,
        confirmation=confirmation,
        now=now,
        refusal=INVALID_LINK,
    )
