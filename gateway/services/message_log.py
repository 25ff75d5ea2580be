"""Writing the integrator's message log."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from gateway.models import MessageLogEntry
from gateway.redaction import redact_document

MAX_LOGGED_BYTES = 1024 * 1024


def record(
    session: Session,
    *,
    direction: str,
    document_type: str,
    body: bytes,
    payload_id: str | None = None,
    status_code: int | None = None,
    status_text: str = "",
    partner_id: int | None = None,
    punchout_session_id: int | None = None,
    protocol: str = "cxml",
) -> MessageLogEntry:
    """Log one document, secrets redacted and oversized bodies cut (the cut is marked)."""
    text = body[:MAX_LOGGED_BYTES].decode("utf-8", "replace")
    if len(body) > MAX_LOGGED_BYTES:
        text += f"\n[... {len(body) - MAX_LOGGED_BYTES} more bytes not logged]"
    entry = MessageLogEntry(
        direction=direction,
        document_type=document_type,
        body=redact_document(text),
        payload_id=payload_id[:250] if payload_id else None,
        status_code=status_code,
        status_text=status_text,
        partner_id=partner_id,
        punchout_session_id=punchout_session_id,
        protocol=protocol,
    )
    session.add(entry)
    session.flush()
    return entry


def purge(session: Session, *, older_than_days: int, now: datetime) -> int:
    """Delete documents logged more than `older_than_days` days before `now`; return how many."""
    if older_than_days < 1:
        raise ValueError("the retention period is at least one day")
    result = session.execute(
        delete(MessageLogEntry)
        .where(MessageLogEntry.created_at < now - timedelta(days=older_than_days))
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return result.rowcount
