"""Approval decisions: append-only rows, one per accept, take-over or rejection (b2b-rules §4)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.user import Role, User


class ApprovalAction(StrEnum):
    """What an approver did (`ApprovalDecision.decision`)."""

    APPROVE = "approve"
    TAKE_OVER = "take_over"  # the approver changed line quantities, then approved
    REJECT = "reject"


class ApprovalDecision(Base):
    """Who decided what about an order awaiting approval, when, and why. Never updated."""

    __tablename__ = "approval_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[str] = mapped_column(String(16))  # an ApprovalAction
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The tier group this approval counted for; None under the default single group.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("approval_group.id"))
    # A stand-in decided during this absent approver's absence (the approver's authority).
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    approver: Mapped[User] = relationship(foreign_keys=[approver_id], viewonly=True)
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id], viewonly=True)
    changes: Mapped[list[ApprovalChange]] = relationship(
        order_by="ApprovalChange.id", viewonly=True
    )


class ApprovalChange(Base):
    """One line an approver changed while taking an order over: its quantity before and after
    (`before` None: the approver added the line; `after` None: removed it). Never updated."""

    __tablename__ = "approval_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("approval_decision.id"), index=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    line_number: Mapped[int]
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(3), default="")
    before: Mapped[str | None] = mapped_column(String(40))
    after: Mapped[str | None] = mapped_column(String(40))


class ApprovalAbsence(Base):
    """An approver away from `starts_on` to `ends_on` (both days included, in the shop's time
    zone); meanwhile `stand_in` also receives and may decide what waits for the approver.

    `starts_at` / `ends_at` are the same days as UTC instants, half-open. Ending an absence early
    sets `ended_at`; rows are never removed, so the delegation stays on record.
    """

    __tablename__ = "approval_absence"
    __table_args__ = (
        Index("ix_approval_absence_organisation_period", "organisation_id", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    approver_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    stand_in_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    approver: Mapped[User] = relationship(foreign_keys=[approver_id], viewonly=True)
    stand_in: Mapped[User] = relationship(foreign_keys=[stand_in_id], viewonly=True)


class ApprovalReminder(Base):
    """The one reminder an order waiting too long has had (its unique `order_id` makes the
    reminder sweep idempotent, however many workers run it)."""

    __tablename__ = "approval_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), unique=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApprovalTier(Base):
    """One step of a customer's approval chain (A-4): every group of it must approve, and the
    tiers are passed in `position` order. A customer without tiers has the default chain."""

    __tablename__ = "approval_tier"
    __table_args__ = (UniqueConstraint("organisation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100), default="")

    groups: Mapped[list[ApprovalGroup]] = relationship(
        cascade="all, delete-orphan", order_by="ApprovalGroup.id"
    )


class ApprovalGroup(Base):
    """Within a tier, a group approves when any one of its members does: holders of its roles,
    its named users, and (with `supervisors`) the requester's supervisors."""

    __tablename__ = "approval_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("approval_tier.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    supervisors: Mapped[bool] = mapped_column(default=False, server_default=false())

    members: Mapped[list[ApprovalGroupMember]] = relationship(
        cascade="all, delete-orphan", order_by="ApprovalGroupMember.id"
    )


class ApprovalGroupMember(Base):
    """A role or a user belonging to an approval group (exactly one of the two)."""

    __tablename__ = "approval_group_member"
    __table_args__ = (
        CheckConstraint("(role_id IS NULL) <> (user_id IS NULL)", name="role_or_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("approval_group.id"), index=True)
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    role: Mapped[Role | None] = relationship()
    user: Mapped[User | None] = relationship()
