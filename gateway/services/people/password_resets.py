"""Password reset by e-mail link: time-limited, single use, only the token's digest stored; the
mail is queued, sealed, in the transaction that creates the reset.

Asking for a link tells nothing about the address: throttled per address asked for and per
client, the same statements, hashing and sealing for every address (the reset row and its mail
are inserted by INSERT … SELECT, which adds them only for an active account with a password),
and the same answer. A new link ends every older one of the account.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import exists, insert, literal, select
from sqlalchemy.orm import Session

from gateway.auth.credentials import new_token
from gateway.db import UTCDateTime
from gateway.models import PasswordReset, User
from gateway.services import outbox, throttle
from gateway.services.mail_texts import Letter, locale_for
from gateway.services.outbox import BASE_URL_MARKER
from gateway.services.people import links, passwords
from gateway.services.throttle import Key

INVALID_LINK = "This reset link is invalid, used or expired. Please ask for a new one."


def request_reset(
    session: Session,
    *,
    email: str,
    now: datetime,
    ttl_seconds: int,
    mail_key: str,
    throttle_keys: Sequence[Key],
    locale: str | None = None,
) -> int | None:
    """Mail a reset link to the active shop account with a password at `email`: the reset and
    its mail (sealed with `mail_key`) in this transaction, sent by the outbox worker. Nothing
    is stored for any other address, at the same cost.

    Every request counts under `throttle_keys` (the address asked for, then the client); a
    throttled one does nothing and returns the seconds to wait, else None.
    """
    wait = throttle.retry_after(session, keys=throttle_keys, now=now)
    if wait is not None:
        return wait
    throttle.record_failure(session, keys=throttle_keys, now=now)  # every request counts
    address = email.strip().lower()
    account = select(User.id).where(
        User.email == address, User.active, User.password_hash.is_not(None)
    )
    passwords.end_reset_links(session, users=account, now=now)
    token, digest = new_token()
    link = account.add_columns(
        literal(digest).label("token_digest"),
        literal(now, UTCDateTime).label("created_at"),
        literal(now + timedelta(seconds=ttl_seconds), UTCDateTime).label("expires_at"),
    )
    session.execute(
        insert(PasswordReset).from_select(
            ["user_id", "token_digest", "created_at", "expires_at"], link
        )
    )
    letter = Letter(locale_for(None, locale))
    _ = letter._
    letter.paragraph(
        _(
            "Someone (hopefully you) asked to reset the shop password of %(address)s.",
            address=address,
        )
    )
    letter.link(
        _(
            "Choose a new password here within %(minutes)s minutes; the link works once:",
            minutes=ttl_seconds // 60,
        ),
        f"{BASE_URL_MARKER}/password/reset/{token}",
    )
    letter.paragraph(_("If you did not ask for this, ignore this message."))
    outbox.enqueue_mail_where(
        session,
        exists(account),
        to=address,
        subject=_("Reset your password"),
        body=letter.text(),
        html=letter.html(),
        now=now,
        sealed_with=mail_key,
    )
    return None


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
