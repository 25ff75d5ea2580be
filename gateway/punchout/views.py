"""Punchout endpoints: thin adapters between HTTP and `gateway.services.punchout`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from http import HTTPStatus

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from gateway import cxml
from gateway.cxml import Operation, StatusCode
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import PartnerProtocol
from gateway.oci import OCIError
from gateway.punchout.settings import punchout_settings
from gateway.services import throttle
from gateway.services.partners.admin import frame_ancestors
from gateway.services.punchout import cxml_punchout, inbox, oci_punchout, sessions, unread
from gateway.web import context, throttling
from gateway.web.database import get_session, keep_changes, writes_on_get
from gateway.web.headers import allow_framing, form_action

log = logging.getLogger(__name__)
blueprint = Blueprint("punchout", __name__)

XML_TYPES = frozenset({"text/xml", "application/xml"})


def _xml(body: bytes, status: int = HTTPStatus.OK) -> Response:
    return Response(body, status=status, content_type="text/xml; charset=UTF-8")


@blueprint.post("/cxml")
def cxml_endpoint() -> Response:
    """Every cXML request; the answer is always a cXML Response (HTTP 200; 413 for size, 429
    for a sender throttled after failed authentications).

    The body is read as XML whenever it is XML, whatever the Content-Type says (buyer tools
    post it with none, or as a form or plain text); only a body that is not XML is refused for
    its type. A compressed body is refused unread.
    """
    db = get_session()
    settings = punchout_settings(current_app.config)
    now = utcnow()
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        reason = "Content-Encoding is not accepted; send the document uncompressed"
    else:
        try:
            body = request.get_data(cache=False)  # the raw bytes, even of a form-typed post
        except RequestEntityTooLarge:
            limit = current_app.config["MAX_CONTENT_LENGTH"]
            answer = inbox.refuse(
                db,
                status=StatusCode.NOT_ACCEPTABLE,
                reason=f"document larger than {limit} bytes",
                settings=settings,
                now=now,
                body=_head_of_unread_body(),
                total=request.content_length or 0,
            )
            keep_changes()  # the message log keeps the refusal
            return _xml(answer, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        if request.mimetype not in XML_TYPES and not cxml.looks_like_xml(body):
            answer = inbox.refuse(
                db,
                status=StatusCode.NOT_ACCEPTABLE,
                reason="the body is not an XML document: post the cXML document itself "
                "(it starts with <), preferably as text/xml",
                settings=settings,
                now=now,
                body=body,
                form=request.mimetype == "application/x-www-form-urlencoded",
            )
            return _xml(answer)
        try:
            received = inbox.receive(
                db, body=body, settings=settings, now=now, throttle_keys=throttling.cxml_keys
            )
        except Exception:
            log.exception("cXML request failed on our side")
            db.rollback()
            return _xml(inbox.internal_error(settings=settings, now=now))
        if received.retry_after is not None:  # a throttled sender: 429, the answer in cXML
            response = _xml(received.body, HTTPStatus.TOO_MANY_REQUESTS)
            response.headers["Retry-After"] = str(received.retry_after)
            keep_changes()  # the refusal stays in the message log
            return response
        return _xml(received.body)
    return _xml(
        inbox.refuse(
            db, status=StatusCode.NOT_ACCEPTABLE, reason=reason, settings=settings, now=now
        )
    )


def _head_of_unread_body() -> bytes:
    """The first bytes of a body too large to read, straight from the WSGI input (Werkzeug
    refused it from its declared length, before reading any of it); empty when unknown."""
    length = min(request.content_length or 0, unread.HEAD_BYTES)
    return request.environ["wsgi.input"].read(length) if length else b""


@blueprint.get("/punchout/start/<token>")
@writes_on_get
def start(token: str) -> BaseResponse:
    """Redeem a StartPage token: a fresh shop session, then a token-free URL."""
    db = get_session()
    shop_session, browser_token = sessions.redeem(
        db, token=token, settings=punchout_settings(current_app.config), now=utcnow()
    )
    operation = shop_session.punchout.operation if shop_session.punchout else Operation.CREATE
    context.begin(browser_token, punchout=True)
    landing = (shop_session.punchout.landing if shop_session.punchout else None) or {}
    if "product" in landing:
        response = redirect(url_for("shop.product", sku=landing["product"]))
    elif "search" in landing:  # `selected`: a level-2 item we could not open, named on the page
        response = redirect(
            url_for("shop.catalog", q=landing["search"], selected=landing.get("selected"))
        )
    else:
        response = redirect(
            url_for("shop.catalog" if operation == Operation.CREATE else "shop.cart")
        )
    if shop_session.punchout is not None:  # the buyer's frame follows the redirect
        allow_framing(response, frame_ancestors(shop_session.punchout.partner))
    return response


@blueprint.route("/oci", methods=["GET", "POST"])
@writes_on_get
def oci_endpoint() -> BaseResponse | tuple[str, int]:
    """SAP OCI launch and FUNCTION calls (query string and form body alike)."""
    db = get_session()
    fields = {**request.args.to_dict(), **request.form.to_dict()}
    keys = throttling.login_keys(oci_punchout.login_name(fields), kind="oci")
    wait = throttle.retry_after(db, keys=keys, now=utcnow())
    if wait is not None:
        return throttling.too_many_attempts(wait)
    try:
        result = oci_punchout.launch(
            db, fields=fields, settings=punchout_settings(current_app.config), now=utcnow()
        )
    except OCIError as exc:
        db.rollback()
        oci_punchout.record_refusal(db, fields=fields, error=exc)
        if isinstance(exc, oci_punchout.LoginRefused):
            throttle.record_failure(db, keys=keys, now=utcnow())
        keep_changes()  # the refusal stays in the message log although the answer is an error
        title = exc.status.phrase
        return render_template("message.html", title=title, message=exc.reason), exc.status
    if isinstance(result, oci_punchout.Redirect):
        return redirect(result.url)
    if isinstance(result, oci_punchout.JsonAnswer):
        return jsonify(result.body)
    return _return_page(result.cart_return)


@blueprint.post("/punchout/transfer")
def transfer() -> Response:
    """Return the cart to the procurement system and end the punchout."""
    return _return_cart(cancel=False)


@blueprint.post("/punchout/cancel")
def cancel() -> Response:
    """Leave the punchout without changing the buyer's requisition."""
    return _return_cart(cancel=True)


def _return_cart(*, cancel: bool) -> Response:
    shopper = context.require_shopper()
    if shopper.punchout is None:
        raise InvalidInput(
            "This is not a punchout session: there is no procurement system to return to."
        )
    settings = punchout_settings(current_app.config)
    if shopper.punchout.partner.protocol == PartnerProtocol.OCI:
        cart_return = oci_punchout.return_cart(
            get_session(),
            shop_session=shopper.shop_session,
            settings=settings,
            now=utcnow(),
            cancel=cancel,
        )
    else:  # cXML partners may enforce budgets, which go by the shop's time zone
        cart_return = cxml_punchout.return_cart(
            get_session(),
            shop_session=shopper.shop_session,
            settings=settings,
            now=utcnow(),
            cancel=cancel,
            zone=current_app.config["GATEWAY_TIMEZONE"],
        )
    hosts = frame_ancestors(shopper.punchout.partner)
    context.finish()
    return _return_page(cart_return, frame_hosts=hosts)


def _return_page(cart_return: sessions.CartReturn, *, frame_hosts: Sequence[str] = ()) -> Response:
    """The auto-posting form, encoded in the charset the buyer asked for (values fit it); only
    `frame_hosts` (those of the punchout's partner) may frame it."""
    html = render_template("punchout/return.html", cart_return=cart_return)
    response = Response(
        html.encode(cart_return.charset, "xmlcharrefreplace"),
        content_type=f"text/html; charset={cart_return.charset}",
    )
    response.headers["Content-Security-Policy"] = form_action(cart_return.url)
    allow_framing(response, frame_hosts)
    return response
