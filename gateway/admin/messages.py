"""Message log pages (admin and customer service): list, filter, open, download."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, render_template, request
from sqlalchemy import select

from gateway.admin import forms
from gateway.auth.permissions import Permission
from gateway.models import PunchOutSession, TradingPartner
from gateway.services import message_log
from gateway.web.access import requires
from gateway.web.context import Shopper
from gateway.web.database import get_session

blueprint = Blueprint("admin_messages", __name__, url_prefix="/admin/messages")


@blueprint.get("")
@requires(Permission.ADMIN_MESSAGES_READ)
def index(shopper: Shopper) -> str:
    """Every logged document, newest first, filtered by the query string."""
    actor = shopper.actor
    db = get_session()
    filters = forms.MessageFilterForm.read(request.args).log_filter()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries, more = message_log.search(db, actor=actor, filters=filters, page=page)
    partners = list(db.scalars(select(TradingPartner).order_by(TradingPartner.name)))
    return render_template(
        "admin/messages.html",
        entries=entries,
        more=more,
        page=page,
        filters=filters,
        partners=partners,
        partner_names={p.id: p.name for p in partners},
        document_types=message_log.document_types(db),
    )


@blueprint.get("/<int:entry_id>")
@requires(Permission.ADMIN_MESSAGES_READ)
def show(shopper: Shopper, entry_id: int) -> str:
    """One document, pretty-printed and checked, with its Status and punchout session."""
    actor = shopper.actor
    db = get_session()
    inspection = message_log.inspect(
        db,
        actor=actor,
        entry_id=entry_id,
        dtd_dir=current_app.config["GATEWAY_CXML_DTD_DIR"],
    )
    entry = inspection.entry
    return render_template(
        "admin/message.html",
        inspection=inspection,
        entry=entry,
        partner=db.get(TradingPartner, entry.partner_id) if entry.partner_id else None,
        punchout=db.get(PunchOutSession, entry.punchout_session_id)
        if entry.punchout_session_id
        else None,
    )


@blueprint.get("/<int:entry_id>/download")
@requires(Permission.ADMIN_MESSAGES_READ)
def download(shopper: Shopper, entry_id: int) -> Response:
    """The document as stored (secrets redacted), as a file."""
    actor = shopper.actor
    inspection = message_log.inspect(get_session(), actor=actor, entry_id=entry_id, dtd_dir=None)
    entry = inspection.entry
    xml = entry.body.lstrip().startswith("<")
    kind = re.sub(r"[^A-Za-z0-9_.-]+", "_", entry.document_type)
    name = f"message-{entry.id}-{entry.direction}-{kind}.{'xml' if xml else 'txt'}"
    return Response(
        entry.body,
        content_type="application/xml; charset=utf-8" if xml else "text/plain; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
