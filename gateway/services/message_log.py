"""Writing the integrator's message log."""

from __future__ import annotations

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
    """Log one document, secrets redacted and oversized bodies cut (the cut is marked).

    The body is kept as text: undecodable bytes become U+FFFD and NUL bytes (which PostgreSQL
    text cannot hold, and hostile UTF-16 documents are full of) become a visible `\\0`.
    """
    text = body[:MAX_LOGGED_BYTES].decode("utf-8", "replace").replace("\0", "\\0")
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
