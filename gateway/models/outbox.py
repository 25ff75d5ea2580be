"""The transactional outbox: documents we owe a partner, queued with the change causing them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base, UTCDateTime, utcnow


class OutboxStatus(StrEnum):
    """Where a queued document stands (`OutboxMessage.status`)."""

    PENDING = "pending"  # waiting for its (next) attempt
    SENT = "sent"
    DEAD = "dead"  # given up on: refused for good, or out of attempts


#: the document type of an e-mail (JSON: to, subject, body; or, sealed, only the Fernet token of
#: that JSON under "sealed"); it has no trading partner
EMAIL_DOCUMENT = "email"


class OutboxMessage(Base):
    """One outbound cXML document, or an e-mail (`EMAIL_DOCUMENT`, no partner); its payloadID
    (an e-mail's Message-ID) never changes across retries.

    A worker claims a row by setting `claimed_by` and `lease_until`; an expired lease frees
    the row of a worker that died. `body` holds the document with the SharedSecret replaced by
    a marker: the secret is inserted only when sending. A sealed e-mail's body is emptied once
    it is sent.
    """

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("trading_partner.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("customer_order.id"), index=True)
    document_type: Mapped[str] = mapped_column(String(40))
    payload_id: Mapped[str] = mapped_column(String(250), unique=True)
    body: Mapped[bytes] = mapped_column()
    status: Mapped[str] = mapped_column(String(8), default=OutboxStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
