"""API tokens of the suppliers' ERP systems, and the answers kept for Idempotency-Keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, LargeBinary, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.organisation import Organisation

api_token_customer = Table(
    "api_token_customer",
    Base.metadata,
    Column("token_id", ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)
"""The customers a limited token reaches (none listed: every customer)."""


class ApiToken(Base):
    """A named bearer token with scopes; only its keyed digest is stored.

    Each token acts through its own service user (`user_id`, no password, never active for a
    login), so the order-desk services and the audit log name the token as the actor.
    """

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    customers: Mapped[list[Organisation]] = relationship(
        secondary=api_token_customer, order_by=Organisation.number
    )


class ApiIdempotency(Base):
    """The answer to a write made under an Idempotency-Key, replayed for the same request."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(64))  # method, path and body
    status: Mapped[int]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
