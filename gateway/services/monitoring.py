"""Figures for monitoring, read with aggregate queries that stay cheap on a large database.

The message log is counted over a recent window only (its `created_at` index bounds the scan);
the outbox over its pending and dead rows only (its `status` index does).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.models import MessageLogEntry, OutboxMessage, OutboxStatus, TradingPartner

DOCUMENT_WINDOW = timedelta(hours=1)
BACKLOG_STATUSES = (OutboxStatus.PENDING, OutboxStatus.DEAD)


@dataclass(frozen=True, slots=True)
class DocumentCount:
    """Documents logged in the window with these labels (`status` is the code, or "none")."""

    partner: str  # "" for documents no partner could be told from
    direction: str
    document_type: str
    status: str
    count: int


@dataclass(frozen=True, slots=True)
class Backlog:
    """Outbox rows of one status, and when the oldest of them was queued."""

    status: str
    count: int
    oldest: datetime | None


def recent_documents(session: Session, *, now: datetime) -> list[DocumentCount]:
    """Documents logged in the last `DOCUMENT_WINDOW`, by partner, direction, type and status."""
    labels = (
        TradingPartner.name,
        MessageLogEntry.direction,
        MessageLogEntry.document_type,
        MessageLogEntry.status_code,
    )
    rows = session.execute(
        select(*labels, func.count())
        .select_from(MessageLogEntry)
        .outerjoin(TradingPartner, TradingPartner.id == MessageLogEntry.partner_id)
        .where(MessageLogEntry.created_at >= now - DOCUMENT_WINDOW)
        .group_by(*labels)
    )
    return [
        DocumentCount(
            partner=partner or "",
            direction=direction,
            document_type=document_type,
            status="none" if status is None else str(status),
            count=count,
        )
        for partner, direction, document_type, status, count in rows
    ]


def outbox_backlog(session: Session) -> list[Backlog]:
    """Pending and dead outbox rows (every status in `BACKLOG_STATUSES`, zero when none)."""
    found = {
        status: Backlog(status=status, count=count, oldest=oldest)
        for status, count, oldest in session.execute(
            select(OutboxMessage.status, func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status.in_(BACKLOG_STATUSES))
            .group_by(OutboxMessage.status)
        )
    }
    return [
        found.get(status, Backlog(status=status, count=0, oldest=None))
        for status in BACKLOG_STATUSES
    ]
