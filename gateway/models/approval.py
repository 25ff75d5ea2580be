"""Approval decisions: append-only rows, one per accept, take-over or rejection (b2b-rules §4)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false
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
