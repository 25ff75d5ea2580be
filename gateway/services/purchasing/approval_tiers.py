"""Approval tiers per customer (b2b-rules A-4).

A customer's chain is a list of tiers passed in order; a tier is an AND of groups, a group an OR
of roles and users (and, if set, the requester's supervisors). Each approval counts for one group,
so one person never satisfies two groups. A customer without tiers has the default chain: one
tier, one group {the requester's supervisors, the superusers}, decided by `approvals.approvers`.
Members are only ever eligible under A-2: active, of this customer, holding
`shop:order:approve`, and never the requester.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission, is_internal
from gateway.auth.policy import Actor, require
from gateway.errors import InvalidInput
from gateway.models import (
    ApprovalAction,
    ApprovalDecision,
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalTier,
    Membership,
    Order,
    OrderStatus,
    Role,
    RoleKind,
    Supervision,
    User,
)

MAX_TIERS = 10
MAX_GROUPS = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class GroupSpec:
    """One group as a superuser defines it: role names, user e-mail addresses, supervisors."""

    name: str = ""
    roles: tuple[str, ...] = ()
    users: tuple[str, ...] = ()
    supervisors: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class TierSpec:
    """One tier: all of its groups must approve."""

    name: str = ""
    groups: tuple[GroupSpec, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """Where an order stands in its chain: the current tier's groups still to approve."""

    tier: ApprovalTier | None
    open_groups: tuple[ApprovalGroup, ...]

    @property
    def complete(self) -> bool:
        """True when every tier has approved."""
        return self.tier is None


def chain(session: Session, *, organisation_id: int) -> list[ApprovalTier]:
    """The customer's tiers in order; empty means the default chain."""
    return list(
        session.scalars(
            select(ApprovalTier)
            .where(ApprovalTier.organisation_id == organisation_id)
            .order_by(ApprovalTier.position)
        )
    )


def define(session: Session, *, actor: Actor, tiers: Sequence[TierSpec]) -> list[ApprovalTier]:
    """Replace the actor's customer's chain (an empty list restores the default).

    Refused while an order of the customer is halfway through the current chain, so no
    recorded approval ever loses the group it counted for.
    """
    require(actor, Permission.ACCOUNT_USER_WRITE)
    organisation_id = actor.organisation_id
    if len(tiers) > MAX_TIERS:
        raise InvalidInput(f"At most {MAX_TIERS} tiers.")
    built = [
        _tier(session, organisation_id=organisation_id, position=position, spec=spec)
        for position, spec in enumerate(tiers, start=1)
    ]
    halfway = session.scalar(
        select(ApprovalDecision.id)
        .join(Order, Order.id == ApprovalDecision.order_id)
        .where(
            Order.organisation_id == organisation_id,
            Order.status == OrderStatus.PENDING_APPROVAL,
            ApprovalDecision.group_id.is_not(None),
        )
        .limit(1)
    )
    if halfway is not None:
        raise InvalidInput(
            "Some orders are halfway through approval; please let them be decided first."
        )
    for old in chain(session, organisation_id=organisation_id):
        session.delete(old)
    session.flush()
    session.add_all(built)
    session.flush()
    return built


def _tier(session: Session, *, organisation_id: int, position: int, spec: TierSpec) -> ApprovalTier:
    if not spec.groups:
        raise InvalidInput(f"Tier {position} needs at least one group.")
    if len(spec.groups) > MAX_GROUPS:
        raise InvalidInput(f"A tier has at most {MAX_GROUPS} groups.")
    groups = []
    for group in spec.groups:
        if not (group.roles or group.users or group.supervisors):
            raise InvalidInput(
                f"Every group of tier {position} needs a role, a user or supervisors."
            )
        members = [
            ApprovalGroupMember(role_id=_approver_role(session, organisation_id, name).id)
            for name in group.roles
        ]
        members += [
            ApprovalGroupMember(user_id=_member(session, organisation_id, email).id)
            for email in group.users
        ]
        groups.append(
            ApprovalGroup(
                name=group.name.strip()[:100], supervisors=group.supervisors, members=members
            )
        )
    return ApprovalTier(
        organisation_id=organisation_id,
        position=position,
        name=spec.name.strip()[:100],
        groups=groups,
    )


def _approver_role(session: Session, organisation_id: int, name: str) -> Role:
    """One of the customer's own roles (roles are per customer, issue 17)."""
    role = session.scalar(
        select(Role).where(Role.organisation_id == organisation_id, Role.name == name)
    )
    if role is None or role.kind != RoleKind.CUSTOMER or any(map(is_internal, role.permissions)):
        raise InvalidInput(f"No customer role named {name[:64]!r}.")
    if Permission.ORDER_APPROVE not in role.permissions:
        raise InvalidInput(f"The role {name!r} may not approve orders.")
    return role


def _member(session: Session, organisation_id: int, email: str) -> User:
    user = session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            User.email == email.strip().lower(),
            Membership.organisation_id == organisation_id,
            Membership.active,
        )
    )
    if user is None:
        raise InvalidInput(f"No user {email[:254]!r} at this customer.")
    return user


def eligible(
    session: Session, *, group: ApprovalGroup, organisation_id: int, requester_id: int | None
) -> set[int]:
    """The user ids who may approve for `group` an order of `requester_id` (A-2 applies)."""
    role_ids = {member.role_id for member in group.members if member.role_id is not None}
    user_ids = {member.user_id for member in group.members if member.user_id is not None}
    if group.supervisors:
        user_ids |= set(
            session.scalars(
                select(Supervision.supervisor_id).where(
                    Supervision.organisation_id == organisation_id,
                    Supervision.user_id == requester_id,
                )
            )
        )
    found = set()
    for link in session.scalars(
        select(Membership).where(Membership.organisation_id == organisation_id, Membership.active)
    ):
        if (
            link.user_id != requester_id
            and link.user.active
            and Permission.ORDER_APPROVE in link.role.permissions
            and (link.role_id in role_ids or link.user_id in user_ids)
        ):
            found.add(link.user_id)
    return found


def progress(session: Session, *, order: Order, tiers: Sequence[ApprovalTier]) -> Progress:
    """The first tier with groups that have not yet approved the order."""
    covered = set(
        session.scalars(
            select(ApprovalDecision.group_id).where(
                ApprovalDecision.order_id == order.id,
                ApprovalDecision.decision.in_((ApprovalAction.APPROVE, ApprovalAction.TAKE_OVER)),
                ApprovalDecision.group_id.is_not(None),
            )
        )
    )
    for tier in tiers:
        open_groups = tuple(group for group in tier.groups if group.id not in covered)
        if open_groups:
            return Progress(tier=tier, open_groups=open_groups)
    return Progress(tier=None, open_groups=())


MAX_TEXT = 5000


def parse(text: str) -> list[TierSpec]:
    """Tiers from text: one tier a line, its groups joined by `AND`, a group's members by `OR`;
    a member is a role name, a user's e-mail address, or `supervisors` (the requester's).

    Example: `finance AND manager OR superuser`. Blank lines are ignored.
    """
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"At most {MAX_TEXT} characters.")
    tiers = []
    for line in text.splitlines():
        if not line.strip():
            continue
        groups = []
        for raw_group in _split(line, "AND"):
            members = _split(raw_group, "OR")
            if not all(members):
                raise InvalidInput(f"Something is missing around AND or OR in {line.strip()!r}.")
            groups.append(
                GroupSpec(
                    roles=tuple(m for m in members if "@" not in m and m.lower() != "supervisors"),
                    users=tuple(m for m in members if "@" in m),
                    supervisors=any(m.lower() == "supervisors" for m in members),
                )
            )
        tiers.append(TierSpec(groups=tuple(groups)))
    return tiers


def describe(tiers: Sequence[ApprovalTier]) -> str:
    """The text `parse` reads back as the same chain."""
    lines = []
    for tier in tiers:
        groups = []
        for group in tier.groups:
            members = [name for member in group.members if (name := _member_name(member))]
            if group.supervisors:
                members.append("supervisors")
            groups.append(" OR ".join(members))
        lines.append(" AND ".join(groups))
    return "\n".join(lines)


def _member_name(member: ApprovalGroupMember) -> str | None:
    """How `describe` writes a group member: its role's name, else its user's address."""
    if member.role is not None:
        return member.role.name
    return member.user.email if member.user is not None else None


def _split(text: str, word: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    for token in text.split():
        if token.upper() == word:
            parts.append(" ".join(current))
            current = []
        else:
            current.append(token)
    parts.append(" ".join(current))
    return [part.strip() for part in parts]
