"""Counters of failed attempts (logins), shared by every worker through the database."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base, UTCDateTime


class ThrottleCounter(Base):
    """Failures under one key (a digest of an account or address) in the current window."""

    __tablename__ = "throttle_counter"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    count: Mapped[int]
