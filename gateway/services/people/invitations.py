"""Invitations: a new user (a customer's or staff) chooses a password through a single-use link."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.models import Invitation, User
from gateway.services.people import links, password_resets

INVALID_INVITATION = "This invitation link is invalid, used or expired. Ask for a new one."


def issue(
    session: Session, *, user_id: int, organisation_id: int, now: datetime, ttl_seconds: int
) -> str:
    """A new invitation for the user to the organisation; returns the token for the link."""
    return links.issue(
        session,
        Invitation,
        now=now,
        ttl_seconds=ttl_seconds,
        user_id=user_id,
        organisation_id=organisation_id,
    )


def check(session: Session, *, token: str, now: datetime) -> Invitation:
    """The live invitation for a token, or InvalidInput."""
    return links.live(session, Invitation, token=token, now=now, refusal=INVALID_INVITATION)


def accept(
    session: Session, *, token: str, password: str, confirmation: str, now: datetime
) -> User:
    """Choose a password through an invitation link; the link works once."""
    invitation = check(session, token=token, now=now)
    password_resets.check_new_password(password, confirmation)
    links.spend(session, invitation, now=now, refusal=INVALID_INVITATION)
    return password_resets.set_password(
        session, user_id=invitation.user_id, password=password, now=now
    )
