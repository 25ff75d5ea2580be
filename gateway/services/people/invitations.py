"""Invitations: a new user (a customer's or staff) chooses a password through a single-use link,
mailed through the outbox in the transaction that creates the invitation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.models import Invitation, User
from gateway.services import outbox
from gateway.services.outbox import BASE_URL_MARKER
from gateway.services.people import links

INVALID_INVITATION = "This invitation link is invalid, used or expired. Ask for a new one."


def issue(
    session: Session,
    *,
    user: User,
    organisation_id: int,
    subject: str,
    opening: str,
    now: datetime,
    ttl_seconds: int,
    mail_key: str,
) -> None:
    """Invite the user to the organisation: a new invitation, and its mail (`opening`, then the
    single-use link) queued sealed with `mail_key`, since only the token's digest is stored."""
    token = links.issue(
        session,
        Invitation,
        now=now,
        ttl_seconds=ttl_seconds,
        user_id=user.id,
        organisation_id=organisation_id,
    )
    outbox.enqueue_mail(
        session,
        to=user.email,
        subject=subject,
        body=(
            f"{opening}\n\nChoose your password here (the link works once):\n"
            f"{BASE_URL_MARKER}/invitation/{token}\n"
        ),
        order_id=None,
        now=now,
        sealed_with=mail_key,
    )


def check(session: Session, *, token: str, now: datetime) -> Invitation:
    """The live invitation for a token, or InvalidInput."""
    return links.live(session, Invitation, token=token, now=now, refusal=INVALID_INVITATION)


def accept(
    session: Session, *, token: str, password: str, confirmation: str, now: datetime
) -> User:
    """Choose a password through an invitation link; the link works once."""
    return links.choose_password(
        session,
        Invitation,
        token=token,
        password=password,
        confirmation=confirmation,
        now=now,
        refusal=INVALID_INVITATION,
    )
