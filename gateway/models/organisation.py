"""Customer organisations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base, UTCDateTime, utcnow


class Organisation(Base):
    """A customer: the account a buyer's punchout and a shop session act for."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_list.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
