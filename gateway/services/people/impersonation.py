"""Shopping as a customer: the dual-principal session of b2b-rules §6.

The staff member is the actor, a customer user the subject (or nobody: staff order for the
customer directly, and the session's user is then the staff member). Starting and ending rotate
the session; idle and absolute limits end it; every start, end and refusal is audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import Membership, Organisation, OrganisationStatus, ShopSession, User
from gateway.numbers import NumberError, read_whole
from gateway.services import audit
from gateway.services.audit import Client
from gateway.services.people import customers, shop_sessions, staff

MAX_REASON = 500


SEEN_RESOLUTION = 30  # seconds: how often an assisted session's last-seen time is written


def start(
    session: Session,
    *,
    actor: Actor,
    staff_session: ShopSession,
    number: str,
    on_behalf_of: str,
    reason: str,
    saved_cart: bool,
    client: Client,
    now: datetime,
    max_age_seconds: int,
) -> tuple[ShopSession, str]:
    """Open a shop session for a customer (and one of its users) and end the staff session.

    Refused: another agent's or an unknown customer, or a user not of this customer (NotFound);
    a customer that forbids it, a staff account as subject, an impersonation inside another
    (PermissionDenied). Refusals are audited; the caller keeps the audit row.
    """
    if staff_session.acting_staff_id is not None:
        raise PermissionDenied("End the current session before shopping as another customer.")
    organisation = customers.customer(
        session, actor=actor, number=number, permission=Permission.ASSIST_IMPERSONATE
    )
    subject: User | None = None

    def refuse(error: Exception, why: str) -> Exception:
        audit.record(
            session,
            organisation_id=organisation.id,
            actor_id=actor.user_id,
            action="impersonation.refused",
            subject=why,
            note=reason.strip()[:MAX_REASON],
            on_behalf_of_id=subject.id if subject else None,
            client=client,
            now=now,
        )
        return error

    try:
        subject = _subject(session, organisation=organisation, raw=on_behalf_of)
    except NotFound as exc:
        raise refuse(exc, f"not a user of this customer: {on_behalf_of[:40]}") from None

    if not organisation.allow_impersonation:
        raise refuse(
            PermissionDenied("This customer does not allow staff to shop on its behalf."),
            "customer forbids it",
        )
    if subject is not None and staff.is_staff(session, user_id=subject.id):
        raise refuse(PermissionDenied("Staff accounts cannot be shopped as."), "staff subject")
    if not organisation.active or organisation.status != OrganisationStatus.ACTIVE:
        raise InvalidInput("This customer is not active yet: it cannot order.")
    if subject is not None and not subject.active:
        raise InvalidInput("This user is deactivated.")
    text = reason.strip()[:MAX_REASON]
    if not text:
        raise InvalidInput("Give the reason for shopping as this customer.")
    shop_sessions.end(staff_session, now=now)
    assisted, token = shop_sessions.open_session(
        session,
        user=subject or staff_session.user,
        organisation=organisation,
        now=now,
        ttl_seconds=max_age_seconds,
    )
    assisted.acting_staff_id = actor.user_id
    assisted.reason = text
    assisted.last_seen_at = now
    assisted.fresh_cart = subject is None or not saved_cart
    audit.record(
        session,
        organisation_id=organisation.id,
        actor_id=actor.user_id,
        action="impersonation.start",
        subject=subject.email if subject else organisation.number,
        note=text,
        on_behalf_of_id=subject.id if subject else None,
        client=client,
        now=now,
    )
    return assisted, token


def end(
    session: Session, *, shop_session: ShopSession, client: Client, now: datetime, why: str = "end"
) -> User:
    """End a session of shopping as a customer; returns the staff member (whose own session the
    caller opens anew: never the assisted one, never elevated)."""
    if shop_session.acting_staff_id is None:
        raise InvalidInput("You are not shopping as a customer.")
    shop_sessions.end(shop_session, now=now)
    audit.record(
        session,
        organisation_id=shop_session.organisation_id,
        actor_id=shop_session.acting_staff_id,
        action=f"impersonation.{why}",
        subject=_subject_label(shop_session),
        note=shop_session.reason or "",
        on_behalf_of_id=_subject_id(shop_session),
        client=client,
        now=now,
    )
    return session.get_one(User, shop_session.acting_staff_id)


def log_out(session: Session, *, shop_session: ShopSession, client: Client, now: datetime) -> None:
    """End a shop session at logout; shopping as a customer ends as such, audited (I-2)."""
    if shop_session.acting_staff_id is None:
        shop_sessions.end(shop_session, now=now)
    else:
        end(session, shop_session=shop_session, client=client, now=now, why="logout")


def still_valid(
    session: Session,
    *,
    shop_session: ShopSession,
    client: Client,
    now: datetime,
    idle_seconds: int,
    max_age_seconds: int,
) -> bool:
    """Keep an assisted session alive for one more request, or end it past a time limit.

    The last-seen time is written at most every tenth of the idle limit (30 s at most): a page's
    dozens of picture requests then read the session without each writing it."""
    seen = shop_session.last_seen_at or shop_session.created_at
    if now - seen > timedelta(seconds=idle_seconds) or now - shop_session.created_at > timedelta(
        seconds=max_age_seconds
    ):
        end(session, shop_session=shop_session, client=client, now=now, why="timeout")
        return False
    if now - seen >= timedelta(seconds=min(SEEN_RESOLUTION, idle_seconds / 10)):
        shop_session.last_seen_at = now
    return True


def staff_home(session: Session, *, user: User) -> Organisation:
    """The organisation a staff member's own session acts for (the supplier's)."""
    home = staff.supplier(session)
    if not staff.is_staff(session, user_id=user.id):
        raise PermissionDenied("not a staff account")
    return home


def record_forbidden(
    session: Session, *, shop_session: ShopSession, what: str, client: Client, now: datetime
) -> None:
    """Audit an attempt at what is forbidden while shopping as a customer (I-6)."""
    _audit(session, shop_session, "impersonation.forbidden", what=what, client=client, now=now)


def record_change(
    session: Session, *, shop_session: ShopSession, what: str, client: Client, now: datetime
) -> None:
    """Audit a state change made while shopping as a customer (I-5)."""
    _audit(session, shop_session, "impersonation.change", what=what, client=client, now=now)


def _audit(
    session: Session,
    shop_session: ShopSession,
    action: str,
    *,
    what: str,
    client: Client,
    now: datetime,
) -> None:
    audit.record(
        session,
        organisation_id=shop_session.organisation_id,
        actor_id=shop_session.acting_staff_id,
        action=action,
        subject=what,
        on_behalf_of_id=_subject_id(shop_session),
        client=client,
        now=now,
    )


def _subject(session: Session, *, organisation: Organisation, raw: str) -> User | None:
    """The chosen user of the customer; anything else (a forged id) is NotFound."""
    value = raw.strip()
    if not value:
        return None
    try:
        user_id = read_whole(value)
    except NumberError:
        raise NotFound("No such user of this customer.") from None
    user = session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.id == user_id,
            Membership.organisation_id == organisation.id,
            Membership.active,
        )
    )
    if user is None:
        raise NotFound("No such user of this customer.")
    return user


def _subject_id(shop_session: ShopSession) -> int | None:
    if shop_session.user_id == shop_session.acting_staff_id:
        return None
    return shop_session.user_id


def _subject_label(shop_session: ShopSession) -> str:
    if shop_session.user_id == shop_session.acting_staff_id:
        return shop_session.organisation.number
    return shop_session.user.email
