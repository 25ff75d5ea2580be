"""Catalog files per customer for staff: download a customer's CIF, cXML or BMEcat catalog
(sent by `gateway.web.catalog_files`).

A thin adapter over `gateway.services.catalog.exports`; staff who may see the customer may
export its catalog (the prices in it are on the customer's staff page too). A bad option is a
400 that names it (InvalidInput).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, request
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.services.catalog import exports
from gateway.services.people import customers
from gateway.web import catalog_files, context
from gateway.web.access import requires
from gateway.web.database import get_session

blueprint = Blueprint("staff_catalogs", __name__)


@blueprint.get("/staff/customers/<number>/catalog")
@requires(Permission.STAFF_CUSTOMER_READ)
def download(shopper: context.Shopper, number: str) -> Response:
    """The customer's catalog as a file (`format`, `language`, `punchout_items`, `since`)."""
    db = get_session()
    organisation = customers.customer(db, actor=shopper.actor, number=number)
    options = _options()
    now = utcnow()
    plan = exports.prepare(
        db,
        organisation=organisation,
        options=options,
        supplier=exports.Supplier.from_config(current_app.config),
        now=now,
    )
    return catalog_files.send(db, plan, exported_by=shopper.user.email, now=now)


def _options() -> exports.ExportOptions:
    try:
        export_format = exports.ExportFormat(request.args.get("format", ""))
    except ValueError:
        raise InvalidInput("Choose a catalog format: cif, cxml or bmecat.") from None
    since_text = request.args.get("since", "").strip()
    since = None
    if since_text:
        try:
            since = datetime.strptime(since_text, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise InvalidInput("The date of changes since is a date such as 2026-11-30.") from None
    return exports.ExportOptions(
        format=export_format,
        mode=exports.ExportMode.INCREMENTAL if since else exports.ExportMode.FULL,
        since=since,
        punchout_items=request.args.get("punchout_items") == "1",
        language=request.args.get("language", "en"),
    )
