"""Stand-in approvers: an approver away from one day to another names a colleague who, meanwhile,
also receives and may decide the orders that wait for the approver.

The stand-in must be an active member of the same customer holding `shop:order:approve`, both
when the absence is set and when it is used. A stand-in never approves their own order (A-2),
and standing in does not chain: the stand-in of an absent stand-in is nobody's stand-in.
Absences are never removed: ending one early keeps it on record, and every change is in the
customer's change history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, foreign, require, require_in_person
from gateway.errors import InvalidInput
from gateway.models import ApprovalAbsence, Membership, User
from gateway.services import audit

MAX_ABSENCE_DAYS = 366
NO_ABSENCE = "No such absence."
END_BEFORE_START = "The absence cannot end before it starts."
TOO_LONG = f"An absence lasts at most {MAX_ABSENCE_DAYS} days."
ALREADY_OVER = "That absence is already over."
NOT_YOURSELF = "You cannot stand in for yourself; choose a colleague."
NOT_A_COLLEAGUE = "The stand-in must be an active colleague of your organisation."
NO_APPROVAL_RIGHTS = "This colleague may not approve orders, so cannot stand in for you."
OVERLAPS = "This absence overlaps another of yours; end that one first."


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


def set_absence(
    session: Session,
    *,
    actor: Actor,
    starts_on: date,
    ends_on: date,
    stand_in_id: int,
    now: datetime,
    zone: str,
) -> ApprovalAbsence:
    """Record the actor's absence from `starts_on` to `ends_on` (both included) with a stand-in.

    Refused: an end before the start, an absence already over or longer than a year, a stand-in
    who is the actor, of another customer (or nobody), or without approval rights, and an
    absence overlapping another of the actor's.
    """
    require_in_person(actor)
    require(actor, Permission.ORDER_APPROVE)
    if ends_on < starts_on:
        raise InvalidInput(END_BEFORE_START)
    if (ends_on - starts_on).days >= MAX_ABSENCE_DAYS:
        raise InvalidInput(TOO_LONG)
    ends_at = _midnight(ends_on + timedelta(days=1), zone)
    if ends_at <= now:
        raise InvalidInput(ALREADY_OVER)
    if stand_in_id == actor.user_id:
        raise InvalidInput(NOT_YOURSELF)
    stand_in = _colleague(session, organisation_id=actor.organisation_id, user_id=stand_in_id)
    if stand_in is None:
        raise InvalidInput(NOT_A_COLLEAGUE)
    if not may_approve(session, organisation_id=actor.organisation_id, user_id=stand_in.id):
        raise InvalidInput(NO_APPROVAL_RIGHTS)
    starts_at = _midnight(starts_on, zone)
    overlapping = session.scalar(
        select(ApprovalAbsence.id).where(
            ApprovalAbsence.organisation_id == actor.organisation_id,
            ApprovalAbsence.approver_id == actor.user_id,
            ApprovalAbsence.ended_at.is_(None),
            ApprovalAbsence.starts_at < ends_at,
            ApprovalAbsence.ends_at > starts_at,
        )
    )
    if overlapping is not None:
        raise InvalidInput(OVERLAPS)
    absence = ApprovalAbsence(
        organisation_id=actor.organisation_id,
        approver_id=actor.user_id,
        stand_in_id=stand_in.id,
        starts_on=starts_on,
        ends_on=ends_on,
        starts_at=starts_at,
        ends_at=ends_at,
        created_at=now,
    )
    session.add(absence)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action="approval.absence",
        subject=f"absence {absence.id}",
        changes={
            "absent": [None, f"{starts_on.isoformat()} - {ends_on.isoformat()}"],
            "stand_in": [None, stand_in.email],
        },
        now=now,
    )
    return absence


def end_absence(session: Session, *, actor: Actor, absence_id: int, now: datetime) -> None:
    """End one of the actor's absences now (the stand-in loses the delegation); another's
    absence is not found."""
    require_in_person(actor)
    absence = session.get(ApprovalAbsence, absence_id)
    if (
        absence is None
        or absence.organisation_id != actor.organisation_id
        or absence.approver_id != actor.user_id
    ):
        raise foreign(actor, "absence", absence_id, NO_ABSENCE)
    if absence.ended_at is not None or absence.ends_at <= now:
        raise InvalidInput(ALREADY_OVER)
    absence.ended_at = now
    audit.record_change(
        session,
        actor=actor,
        action="approval.absence_end",
        subject=f"absence {absence.id}",
        changes={"ended": [None, now.isoformat(timespec="minutes")]},
        now=now,
    )
    session.flush()


def absences(session: Session, *, actor: Actor, now: datetime) -> list[ApprovalAbsence]:
    """The actor's absences not yet over, and those where the actor stands in."""
    return list(
        session.scalars(
            select(ApprovalAbsence)
            .where(
                ApprovalAbsence.organisation_id == actor.organisation_id,
                (ApprovalAbsence.approver_id == actor.user_id)
                | (ApprovalAbsence.stand_in_id == actor.user_id),
                ApprovalAbsence.ended_at.is_(None),
                ApprovalAbsence.ends_at > now,
            )
            .order_by(ApprovalAbsence.starts_at, ApprovalAbsence.id)
        )
    )


def candidates(session: Session, *, actor: Actor) -> list[User]:
    """The colleagues who may stand in for the actor: active, holding approval rights."""
    links = session.scalars(
        select(Membership).where(
            Membership.organisation_id == actor.organisation_id,
            Membership.active,
            Membership.user_id != actor.user_id,
        )
    )
    return sorted(
        (
            link.user
            for link in links
            if link.user.active and Permission.ORDER_APPROVE in link.role.permissions
        ),
        key=lambda user: user.email,
    )


def may_approve(session: Session, *, organisation_id: int, user_id: int) -> bool:
    """Whether the user is an active member of the customer holding `shop:order:approve`."""
    link = session.scalar(
        select(Membership).where(
            Membership.organisation_id == organisation_id,
            Membership.user_id == user_id,
            Membership.active,
        )
    )
    return (
        link is not None and link.user.active and Permission.ORDER_APPROVE in link.role.permissions
    )


def _colleague(session: Session, *, organisation_id: int, user_id: int) -> User | None:
    return session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.id == user_id,
            User.active,
            Membership.organisation_id == organisation_id,
            Membership.active,
        )
    )


def standing_in(
    session: Session, *, organisation_id: int, approver_ids: Iterable[int], now: datetime
) -> dict[int, int]:
    """Stand-in id -> absent approver id, for the approvers among `approver_ids` away at `now`
    whose stand-in may (still) approve. A stand-in for several absent approvers acts for the
    first of them by id."""
    wanted = set(approver_ids)
    if not wanted:
        return {}
    found: dict[int, int] = {}
    for absence in session.scalars(
        select(ApprovalAbsence)
        .where(
            ApprovalAbsence.organisation_id == organisation_id,
            ApprovalAbsence.approver_id.in_(sorted(wanted)),
            ApprovalAbsence.ended_at.is_(None),
            ApprovalAbsence.starts_at <= now,
            ApprovalAbsence.ends_at > now,
        )
        .order_by(ApprovalAbsence.approver_id, ApprovalAbsence.id)
    ):
        if absence.stand_in_id not in found and may_approve(
            session, organisation_id=organisation_id, user_id=absence.stand_in_id
        ):
            found[absence.stand_in_id] = absence.approver_id
    return found
