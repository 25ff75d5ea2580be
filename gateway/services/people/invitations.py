"""Invitations to a customer, accepted by the person invited.

A new user (a customer's or staff) chooses a password through a single-use link, mailed through
the outbox in the transaction that creates the invitation; choosing it accepts the invitation.
An existing account is only told: its holder accepts or refuses while logged in (`pending`,
`accept_pending`, `refuse`), so no superuser can link another customer's user to theirs. Until
then the account is not a member of the inviting customer; the customer sees the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.auth.policy import Actor, foreign, require_in_person
from gateway.db import affected_rows
from gateway.errors import InvalidInput
from gateway.models import Invitation, InvitationState, Membership, Role, User
from gateway.services import audit, outbox
from gateway.services.mail_texts import Letter, locale_for
from gateway.services.outbox import BASE_URL_MARKER
from gateway.services.people import links, staff

INVALID_INVITATION = "This invitation link is invalid, used or expired. Ask for a new one."
NOT_PENDING = "This invitation was already answered or has expired."
STAFF_NOT_INVITED = "Staff accounts cannot be invited to a customer."
INVITATIONS_PATH = "/account/invitations"


@dataclass(frozen=True, slots=True, kw_only=True)
class Wording:
    """What an invitation mail says before its link: English messages (marked with `N_` where
    they are written) that the mail translates into the recipient's language, with the values
    they name. `locale` is the language for a recipient without a setting of their own (a new
    address): the inviter's."""

    subject: str
    opening: str
    values: Mapping[str, str] = field(default_factory=dict)
    locale: str | None = None


def _letter(user: User, wording: Wording) -> tuple[Letter, str]:
    """The mail's letter, opened with the wording, and its subject, in the recipient's
    language."""
    letter = Letter(locale_for(user, wording.locale))
    letter.paragraph(letter._(wording.opening, **wording.values))
    return letter, letter._(wording.subject, **wording.values)


def issue(
    session: Session,
    *,
    user: User,
    organisation_id: int,
    wording: Wording,
    now: datetime,
    ttl_seconds: int,
    mail_key: str,
    role: Role | None = None,
    invited_by_id: int | None = None,
) -> None:
    """Invite the user to the organisation: a new invitation, and its mail (the wording's
    opening, then the single-use link) in the recipient's language, queued sealed with
    `mail_key`, since only the token's digest is stored.
    With a `role`, choosing the password also makes the user a member with that role."""
    token = links.issue(
        session,
        Invitation,
        now=now,
        ttl_seconds=ttl_seconds,
        user_id=user.id,
        organisation_id=organisation_id,
        role_id=role.id if role else None,
        invited_by_id=invited_by_id,
    )
    letter, subject = _letter(user, wording)
    letter.link(
        letter._("Choose your password here (the link works once):"),
        f"{BASE_URL_MARKER}/invitation/{token}",
    )
    outbox.enqueue_mail(
        session,
        to=user.email,
        subject=subject,
        body=letter.text(),
        html=letter.html(),
        order_id=None,
        now=now,
        sealed_with=mail_key,
    )


def offer(
    session: Session,
    *,
    user: User,
    organisation_id: int,
    role: Role,
    invited_by_id: int,
    wording: Wording,
    now: datetime,
    ttl_seconds: int,
) -> None:
    """Invite an existing account: an invitation without a link, which its holder accepts or
    refuses while logged in, and a mail in their language that says where."""
    session.add(
        Invitation(
            user_id=user.id,
            organisation_id=organisation_id,
            role_id=role.id,
            invited_by_id=invited_by_id,
            token_digest=None,
            created_at=now,
            expires_at=now + timedelta(seconds=ttl_seconds),
        )
    )
    letter, subject = _letter(user, wording)
    letter.link(
        letter._("Log in to accept or refuse the invitation:"),
        f"{BASE_URL_MARKER}{INVITATIONS_PATH}",
    )
    outbox.enqueue_mail(
        session,
        to=user.email,
        subject=subject,
        body=letter.text(),
        html=letter.html(),
        order_id=None,
        now=now,
    )
    session.flush()


def check(session: Session, *, token: str, now: datetime) -> Invitation:
    """The live, unanswered invitation for a token, or InvalidInput."""
    invitation = links.live(session, Invitation, token=token, now=now, refusal=INVALID_INVITATION)
    if invitation.state != InvitationState.PENDING:  # answered in the shop meanwhile
        raise InvalidInput(INVALID_INVITATION)
    return invitation


def accept(
    session: Session, *, token: str, password: str, confirmation: str, now: datetime
) -> User:
    """Choose a password through an invitation link (it works once), which accepts it."""
    invitation = check(session, token=token, now=now)
    user = links.choose_password(
        session,
        Invitation,
        token=token,
        password=password,
        confirmation=confirmation,
        now=now,
        refusal=INVALID_INVITATION,
    )
    _decide(session, invitation, InvitationState.ACCEPTED, now=now)
    return user


def pending(session: Session, *, user_id: int, now: datetime) -> list[Invitation]:
    """The invitations the user may still accept or refuse, oldest first."""
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.user_id == user_id,
                Invitation.role_id.is_not(None),
                Invitation.state == InvitationState.PENDING,
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id)
        )
    )


def accept_pending(session: Session, *, actor: Actor, invitation_id: int, now: datetime) -> None:
    """The holder, in person, accepts an invitation: a member with the offered role."""
    invitation = _own_pending(session, actor=actor, invitation_id=invitation_id, now=now)
    _decide(session, invitation, InvitationState.ACCEPTED, now=now)


def refuse(session: Session, *, actor: Actor, invitation_id: int, now: datetime) -> None:
    """The holder, in person, refuses an invitation: their account stays as it was."""
    invitation = _own_pending(session, actor=actor, invitation_id=invitation_id, now=now)
    _decide(session, invitation, InvitationState.REFUSED, now=now)


def _own_pending(
    session: Session, *, actor: Actor, invitation_id: int, now: datetime
) -> Invitation:
    require_in_person(actor)  # staff shopping as the user never answer for them
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.user_id != actor.user_id or invitation.role_id is None:
        raise foreign(actor, "invitation", invitation_id)
    if invitation.state != InvitationState.PENDING or invitation.expires_at <= now:
        raise InvalidInput(NOT_PENDING)
    return invitation


def _decide(
    session: Session, invitation: Invitation, state: InvitationState, *, now: datetime
) -> None:
    """Record the holder's answer once (a second answer, even a concurrent one, is refused);
    an accepted invitation with a role makes the membership. Both go to the customer's trail."""
    if state == InvitationState.ACCEPTED and staff.is_staff(session, user_id=invitation.user_id):
        raise InvalidInput(STAFF_NOT_INVITED)
    answered = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.state == InvitationState.PENDING)
        .values(state=state, decided_at=now)
    )
    if affected_rows(answered) != 1:
        raise InvalidInput(NOT_PENDING)
    session.refresh(invitation)
    role = invitation.role
    if role is None:
        return  # the membership was made with the invitation
    if state == InvitationState.ACCEPTED and not _is_member(session, invitation):
        session.add(
            Membership(
                user_id=invitation.user_id, organisation_id=invitation.organisation_id, role=role
            )
        )
    audit.record(
        session,
        organisation_id=invitation.organisation_id,
        actor_id=invitation.user_id,
        action=f"invitation.{'accept' if state == InvitationState.ACCEPTED else 'refuse'}",
        subject=invitation.user.email,
        changes={"invitation": [InvitationState.PENDING, state], "role": [None, role.name]},
        now=now,
    )


def _is_member(session: Session, invitation: Invitation) -> bool:
    return bool(
        session.scalar(
            select(Membership.id).where(
                Membership.user_id == invitation.user_id,
                Membership.organisation_id == invitation.organisation_id,
            )
        )
    )
