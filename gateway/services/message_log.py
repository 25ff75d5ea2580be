"""The integrator's message log: writing, searching, reading (secrets redacted) and purging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.cxml import CXMLError, lint
from gateway.db import affected_rows
from gateway.errors import InvalidInput, NotFound
from gateway.models import MessageDirection, MessageLogEntry, PartnerProtocol
from gateway.numbers import NumberError, read_whole
from gateway.redaction import redact_document

PAGE_SIZE = 50

MAX_LOGGED_BYTES = 1024 * 1024


class StatusFilter(StrEnum):
    """The message log's status filter besides one status code such as "401"."""

    OK = "ok"  # 2xx
    ERROR = "error"  # any other code (a document without a Status is neither)


def record(
    session: Session,
    *,
    direction: MessageDirection,
    document_type: str,
    body: bytes,
    payload_id: str | None = None,
    status_code: int | None = None,
    status_text: str = "",
    partner_id: int | None = None,
    punchout_session_id: int | None = None,
    protocol: PartnerProtocol = PartnerProtocol.CXML,
) -> MessageLogEntry:
    """Log one document, secrets redacted and oversized bodies cut (see `row`)."""
    entry = MessageLogEntry(
        **row(
            direction=direction,
            document_type=document_type,
            body=body,
            payload_id=payload_id,
            status_code=status_code,
            status_text=status_text,
            partner_id=partner_id,
            punchout_session_id=punchout_session_id,
            protocol=protocol,
        )
    )
    session.add(entry)
    session.flush()
    return entry


def row(
    *,
    direction: MessageDirection,
    document_type: str,
    body: bytes,
    payload_id: str | None = None,
    status_code: int | None = None,
    status_text: str = "",
    partner_id: int | None = None,
    punchout_session_id: int | None = None,
    protocol: PartnerProtocol = PartnerProtocol.CXML,
) -> dict[str, Any]:
    """The column values of one logged document, secrets redacted and oversized bodies cut (the
    cut is marked).

    The body is kept as text: undecodable bytes become U+FFFD and NUL bytes (which PostgreSQL
    text cannot hold, and hostile UTF-16 documents are full of) become a visible `\\0`.
    """
    text = body[:MAX_LOGGED_BYTES].decode("utf-8", "replace").replace("\0", "\\0")
    if len(body) > MAX_LOGGED_BYTES:
        text += f"\n[... {len(body) - MAX_LOGGED_BYTES} more bytes not logged]"
    return {
        "direction": direction,
        "document_type": document_type,
        "body": redact_document(text),
        "payload_id": payload_id[:250] if payload_id else None,
        "status_code": status_code,
        "status_text": status_text,
        "partner_id": partner_id,
        "punchout_session_id": punchout_session_id,
        "protocol": protocol,
    }


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
    return affected_rows(result)


@dataclass(frozen=True, slots=True, kw_only=True)
class LogFilter:
    """What the message log list is narrowed to; empty values filter nothing."""

    partner_id: int | None = None
    direction: str = ""
    document_type: str = ""
    status: str = ""  # "ok" (2xx), "error" (anything else), or one code such as "401"
    date_from: date | None = None
    date_to: date | None = None  # inclusive

    def __post_init__(self) -> None:
        if self.direction and self.direction not in frozenset(MessageDirection):
            raise InvalidInput("direction must be in or out")
        if self.status and self.status not in frozenset(StatusFilter) and not _is_code(self.status):
            raise InvalidInput("status must be ok, error or a status code")


@dataclass(frozen=True, slots=True, kw_only=True)
class Inspection:
    """One logged document as an integrator reads it."""

    entry: MessageLogEntry
    text: str  # pretty-printed when it is readable XML, else as stored
    checked: bool  # False: not an XML document
    problems: tuple[lint.Problem, ...]
    dtd_checked: bool = False  # also against the official DTD (a DTD folder is configured)


def search(
    session: Session, *, actor: Actor, filters: LogFilter, page: int = 1
) -> tuple[list[MessageLogEntry], bool]:
    """One page of matching entries, newest first, and whether there are more."""
    require(actor, Permission.ADMIN_MESSAGES_READ)
    query = _filtered(select(MessageLogEntry), filters)
    rows = list(
        session.scalars(
            query.order_by(MessageLogEntry.created_at.desc(), MessageLogEntry.id.desc())
            .offset((max(page, 1) - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def errors_since(
    session: Session, *, actor: Actor, since: datetime, limit: int = 10
) -> tuple[list[MessageLogEntry], int]:
    """The newest documents answered or refused with an error since `since` (at most `limit`),
    and how many there are in all: the admin's start page."""
    require(actor, Permission.ADMIN_MESSAGES_READ)
    query = _filtered(select(MessageLogEntry), LogFilter(status=StatusFilter.ERROR)).where(
        MessageLogEntry.created_at >= since
    )
    count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(MessageLogEntry.created_at.desc(), MessageLogEntry.id.desc()).limit(limit)
    )
    return list(rows), count


def document_types(session: Session) -> list[str]:
    """Every document type in the log, for the filter's choices."""
    return list(
        session.scalars(select(MessageLogEntry.document_type).distinct().order_by("document_type"))
    )


def inspect(session: Session, *, actor: Actor, entry_id: int, dtd_dir: Path | None) -> Inspection:
    """An entry pretty-printed, with every DTD, schema and rule problem of a cXML document."""
    require(actor, Permission.ADMIN_MESSAGES_READ)
    entry = session.get(MessageLogEntry, entry_id)
    if entry is None:
        raise NotFound("No such logged document.")
    body = entry.body.encode("utf-8")
    if entry.protocol != PartnerProtocol.CXML or not entry.body.lstrip().startswith("<"):
        return Inspection(entry=entry, text=entry.body, checked=False, problems=())
    try:
        text = lint.pretty(body)
    except CXMLError:
        text = entry.body
    problems = lint.check(body, dtd_dir=dtd_dir)
    return Inspection(
        entry=entry, text=text, checked=True, problems=problems, dtd_checked=dtd_dir is not None
    )


def _filtered(query: Select[MessageLogEntry], filters: LogFilter) -> Select[MessageLogEntry]:
    if filters.partner_id is not None:
        query = query.where(MessageLogEntry.partner_id == filters.partner_id)
    if filters.direction:
        query = query.where(MessageLogEntry.direction == filters.direction)
    if filters.document_type:
        query = query.where(MessageLogEntry.document_type == filters.document_type)
    if filters.status == StatusFilter.OK:
        query = query.where(MessageLogEntry.status_code.between(200, 299))
    elif filters.status == StatusFilter.ERROR:
        query = query.where(  # NULL (no Status) is neither ok nor an error
            (MessageLogEntry.status_code < 200) | (MessageLogEntry.status_code > 299)  # noqa: PLR2004
        )
    elif filters.status:
        query = query.where(MessageLogEntry.status_code == int(filters.status))
    if filters.date_from is not None:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
        query = query.where(MessageLogEntry.created_at >= start)
    if filters.date_to is not None:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(MessageLogEntry.created_at < end)
    return query


def _is_code(text: str) -> bool:
    """A status code filter: digits 0-9 only (`²` is a digit to str.isdigit, not to int)."""
    try:
        read_whole(text, digits=3)
    except NumberError:
        return False
    return True
