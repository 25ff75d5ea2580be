"""Server-side shop sessions: the browser holds only an opaque token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
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

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    punchout: Mapped[PunchOutSession | None] = relationship()
