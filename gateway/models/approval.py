"""Approval decisions: append-only rows, one per accept, take-over or rejection (b2b-rules §4)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base, UTCDateTime, utcnow

APPROVAL_DECISIONS = ("approve", "take_over", "reject")


class ApprovalDecision(Base):
    """Who decided what about an order awaiting approval, when, and why. Never updated."""

    __tablename__ = "approval_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    approver_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    decision: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
