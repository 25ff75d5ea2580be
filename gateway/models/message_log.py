"""The integrator's message log: every document exchanged, secrets redacted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.punchout import PartnerProtocol


class MessageDirection(StrEnum):
    """Whether a logged document came in or went out (`MessageLogEntry.direction`)."""

    IN = "in"
    OUT = "out"


class MessageLogEntry(Base):
    """One inbound or outbound document."""

    __tablename__ = "message_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    punchout_session_id: Mapped[int | None] = mapped_column(ForeignKey("punchout_session.id"))
    protocol: Mapped[str] = mapped_column(String(8), default=PartnerProtocol.CXML)
    direction: Mapped[str] = mapped_column(String(3))  # a MessageDirection
    document_type: Mapped[str] = mapped_column(String(64))
    payload_id: Mapped[str | None] = mapped_column(String(250))
    status_code: Mapped[int | None] = mapped_column(Integer)
    status_text: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
