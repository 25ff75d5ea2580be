"""Server-side shop sessions: the browser holds only an opaque token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.organisation import Organisation
from gateway.models.punchout import PunchOutSession
from gateway.models.user import User


class ShopSession(Base):
    """Who is shopping, for which customer, and (in a punchout) for which buyer session."""

    __tablename__ = "shop_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    punchout_session_id: Mapped[int | None] = mapped_column(ForeignKey("punchout_session.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Shopping as a customer (I-2): the staff member acts, `user` is the subject (the staff
    # member themself when ordering for the customer directly).
    acting_staff_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fresh_cart: Mapped[bool] = mapped_column(default=False, server_default=false())

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    acting_staff: Mapped[User | None] = relationship(foreign_keys=[acting_staff_id])
    organisation: Mapped[Organisation] = relationship()
    punchout: Mapped[PunchOutSession | None] = relationship()
