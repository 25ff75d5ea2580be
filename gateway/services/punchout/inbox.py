"""`POST /cxml`: parse, authenticate, dispatch by request type, answer with a cXML Response.

Whatever happens, the buyer gets a cXML Status and both documents go to the message log; a
failed request leaves nothing else behind (its work runs in a savepoint that is rolled back).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import (
    CredentialError,
    CXMLError,
    InboundDocumentError,
    OrderRequest,
    ProfileRequest,
    PunchOutSetupRequest,
    StatusCode,
)
from gateway.db import relax_durability
from gateway.models import MessageDirection, TradingPartner
from gateway.services import message_log, throttle
from gateway.services.ordering import intake
from gateway.services.partners import deployment
from gateway.services.partners.order_settings import signature_certificate
from gateway.services.punchout import cxml_punchout, profile, quick_setup, unread
from gateway.services.punchout.sessions import PunchOutSettings
from gateway.services.throttle import Key

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Answer:
    """The cXML Response, and the seconds to wait when the sender was throttled."""

    body: bytes
    retry_after: int | None = None


def receive(
    session: Session,
    *,
    body: bytes,
    settings: PunchOutSettings,
    now: datetime,
    throttle_keys: Callable[[str], Sequence[Key]] | None = None,
) -> Answer:
    """Answer one inbound cXML request with a cXML Response.

    With `throttle_keys` (the keys a sender identity counts under), failed authentications are
    counted, and a sender past its limit gets Status 401 without being checked at all.
    """
    document: cxml.CXMLDocument | None = None
    partner: TradingPartner | None = None
    punchout_session_id: int | None = None
    keys: Sequence[Key] = ()
    wait: int | None = None
    try:
        document = cxml.parse(body)
        if throttle_keys is not None:
            keys = throttle_keys(_sender_identity(document.header))
        quick = _quick_setup(
            session, document=document, body=body, settings=settings, now=now, keys=keys
        )
        if quick is not None:
            return Answer(quick)
        if throttle_keys is not None:
            wait = throttle.retry_after(session, keys=keys, now=now)
        if wait is not None:
            raise InboundDocumentError(
                f"too many failed attempts: try again in {(wait + 59) // 60} minute(s)",
                status=StatusCode.UNAUTHORIZED,
            )
        partner = cxml_punchout.identify(session, document.header)
        certificate = None if partner is None else signature_certificate(session, partner)
        if certificate is not None:  # from here on, only what the partner signed is read
            document = cxml.parse(cxml.signing.verified_document(body, certificate_pem=certificate))
        response, punchout_session_id = _dispatch_once(
            session, document=document, body=body, partner=partner, settings=settings, now=now
        )
    except CredentialError as exc:
        log.info(
            "cXML request refused with 401 (payloadID %s)",
            document.payload_id if document else None,
        )
        throttle.record_failure(session, keys=keys, now=now)
        response = cxml.Response(status=exc.to_status())
    except CXMLError as exc:
        log.info(
            "cXML request refused with %s (payloadID %s)",
            exc.status.value,
            document.payload_id if document else None,
        )
        response = cxml.Response(status=exc.to_status())
    answer = cxml.build(
        response,
        payload_id=cxml.make_payload_id(settings.hostname),
        timestamp=now,
        dtd_dir=settings.dtd_dir,  # our XSD always; the DTD too when one is configured
    )
    if document is None:  # unreadable: the log names whom its From claims, for support
        partner = unread.claimed_partner(session, body)
    partner_id = partner.id if partner is not None else None
    message_log.record(
        session,
        direction=MessageDirection.IN,
        document_type=_document_type(document),
        body=body,
        payload_id=document.payload_id if document else None,
        status_code=response.status.code,
        status_text=response.status.text,
        partner_id=partner_id,
        punchout_session_id=punchout_session_id,
    )
    message_log.record(
        session,
        direction=MessageDirection.OUT,
        document_type="Response",
        body=answer,
        status_code=response.status.code,
        status_text=response.status.text,
        partner_id=partner_id,
        punchout_session_id=punchout_session_id,
    )
    return Answer(answer, retry_after=wait)


def answer_setup(
    session: Session,
    *,
    body: bytes,
    settings: PunchOutSettings,
    now: datetime,
    throttle_keys: Callable[[str], Sequence[Key]],
) -> bytes | None:
    """The answer to the everyday setup (`quick_setup`), for the caller to commit; None, with
    nothing written, for any other request or any refusal: `receive` answers those."""
    try:
        document = cxml.parse(body)
    except CXMLError:
        return None
    keys = throttle_keys(_sender_identity(document.header))
    return _quick_setup(
        session, document=document, body=body, settings=settings, now=now, keys=keys
    )


def _quick_setup(
    session: Session,
    *,
    document: cxml.CXMLDocument,
    body: bytes,
    settings: PunchOutSettings,
    now: datetime,
    keys: Sequence[Key],
) -> bytes | None:
    """The everyday setup in four statements, or None for the general path."""
    if not isinstance(document.payload, PunchOutSetupRequest):
        return None
    relax_durability(session)  # a lost setup only fails its start link: ask again
    quick = quick_setup.try_setup(
        session.connection(),
        document=document,
        body=body,
        settings=settings,
        now=now,
        throttle_keys=keys,
    )
    return None if quick is None else quick.answer


def _sender_identity(header: cxml.Header | None) -> str:
    """Who the request says it is from: the first From identity (throttling counts under it)."""
    if header is None or not header.from_credentials:
        return ""
    credential = header.from_credentials[0]
    return f"{credential.domain.strip().casefold()}:{credential.identity.strip()}"


def _dispatch_once(
    session: Session,
    *,
    document: cxml.CXMLDocument,
    body: bytes,
    partner: TradingPartner | None,
    settings: PunchOutSettings,
    now: datetime,
) -> tuple[cxml.Response, int | None]:
    """Run the request in a savepoint; a unique-key race with a concurrent twin runs it again.

    The second run sees the twin's committed rows (its dedup key, its order) and answers as
    for a repeated document.
    """
    dispatch = functools.partial(
        _dispatch, session, document=document, body=body, partner=partner, settings=settings
    )
    try:
        with session.begin_nested():
            return dispatch(now=now)
    except IntegrityError:
        log.info("concurrent duplicate of payloadID %s; answering again", document.payload_id)
    with session.begin_nested():
        return dispatch(now=now)


def _dispatch(
    session: Session,
    *,
    document: cxml.CXMLDocument,
    body: bytes,
    partner: TradingPartner | None,
    settings: PunchOutSettings,
    now: datetime,
) -> tuple[cxml.Response, int | None]:
    request = document.payload
    if not isinstance(request, ProfileRequest | OrderRequest | PunchOutSetupRequest):
        raise cxml.UnsupportedDocumentError(f"{_document_type(document)} is not supported")
    partner = cxml_punchout.authenticate(
        session,
        partner=partner,
        header=document.header,
        digest_key=settings.digest_key,
        encryption_key=settings.encryption_key,
        now=now,
    )
    ok = cxml.Status(code=StatusCode.OK, text=StatusCode.OK.phrase)
    if isinstance(request, ProfileRequest):
        answer = profile.profile(session, partner=partner, base_url=settings.base_url)
        return cxml.Response(status=ok, body=answer), None
    deployment.check(partner, mode=document.deployment_mode, document_type=_document_type(document))
    if isinstance(request, OrderRequest):
        result = intake.receive_order(
            session,
            document=document,
            body=body,
            partner=partner,
            now=now,
            zone=settings.timezone,
            vat_rates=settings.vat_rates,
        )
        return cxml.Response(status=result.status), None
    started, start_url = cxml_punchout.start(
        session, document=document, request=request, partner=partner, settings=settings, now=now
    )
    return cxml.Response(
        status=ok, body=cxml.PunchOutSetupResponse(start_page_url=start_url)
    ), started.id


def _document_type(document: cxml.CXMLDocument | None) -> str:
    return type(document.payload).__name__ if document is not None else "unreadable"


def refuse(
    session: Session,
    *,
    status: StatusCode,
    reason: str,
    settings: PunchOutSettings,
    now: datetime,
    body: bytes | None = None,
    total: int = 0,
    form: bool = False,
) -> bytes:
    """Answer a request refused before parsing (size, content type, not XML, encoding) and log
    the refusal: with `body` (the body, or its head of `total` bytes; `form`: posted as a
    URL-encoded form), its readable head and the partner its From credential names; without it
    (a compressed body is never read), the reason alone."""
    error = CXMLError(reason, status=status)
    response = cxml.Response(status=error.to_status())
    answer = cxml.build(
        response,
        payload_id=cxml.make_payload_id(settings.hostname),
        timestamp=now,
        dtd_dir=settings.dtd_dir,
    )
    logged = f"[refused before parsing: {reason}]".encode()
    partner = None
    if body is not None:
        logged = unread.readable_body(session, body, total=max(total, len(body)), form=form)
        partner = unread.claimed_partner(session, logged)
    message_log.record(
        session,
        direction=MessageDirection.IN,
        document_type="unread",
        body=logged,
        status_code=status,
        status_text=response.status.text,
        partner_id=partner.id if partner is not None else None,
    )
    return answer


def internal_error(*, settings: PunchOutSettings, now: datetime) -> bytes:
    """The answer to a fault of ours: cXML 500, so the buyer retries later. Touches no database."""
    response = cxml.Response(
        status=cxml.Status(
            code=StatusCode.INTERNAL_SERVER_ERROR,
            text=f"{StatusCode.INTERNAL_SERVER_ERROR.phrase}: please retry later",
        )
    )
    return cxml.build(response, payload_id=cxml.make_payload_id(settings.hostname), timestamp=now)
