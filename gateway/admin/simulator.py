"""The buyer simulator at `/tools/simulator` (admin only; off unless GATEWAY_SIMULATOR is set).

Pick a partner; for cXML, fill in a PunchOutSetupRequest template, edit it, send it to the
gateway (in-process) and open the StartPage; for OCI, post the login fields to `/oci` as SAP
SRM would. Carts come back to `/tools/simulator/receive` (`gateway.punchout.receiver`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, current_app, render_template, request

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor
from gateway.cxml import Operation
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import PartnerProtocol, TradingPartner
from gateway.numbers import NumberError, read_whole
from gateway.punchout.settings import punchout_settings
from gateway.services.ordering import quantities
from gateway.services.partners import simulator
from gateway.services.punchout.oci_mapping import PartnerOptions
from gateway.web import i18n
from gateway.web.access import requires
from gateway.web.context import Shopper
from gateway.web.database import get_session

blueprint = Blueprint("simulator", __name__, url_prefix="/tools/simulator")

OPERATIONS = (Operation.CREATE, Operation.EDIT, Operation.INSPECT)


@blueprint.before_request
def _enabled() -> None:
    if not current_app.config["GATEWAY_SIMULATOR"]:
        abort(404)


@blueprint.get("")
@requires(Permission.ADMIN_SIMULATOR_USE)
def index(shopper: Shopper) -> str:
    """Pick a partner; `?cart=<payloadID>` turns a returned cart into an edit request, or
    with `&as=order` into the OrderRequest the buyer would send after approval."""
    actor = shopper.actor
    db = get_session()
    values: dict[str, Any] = {
        "operation": Operation.CREATE,
        "secret": "",
        "items": "",
        "document": "",
    }
    partner: TradingPartner | None = None
    payload_id = request.args.get("cart", "")
    if payload_id:
        partner, message = simulator.returned_cart(db, actor=actor, payload_id=payload_id)
        if request.args.get("as") == "order":
            values["document"] = simulator.order_template(
                partner, message=message, secret="", now=utcnow()
            )
            return _page(actor, partner, values)
        items = simulator.edit_items(message)
        values.update(
            operation=Operation.EDIT,
            items="\n".join(f"{sku}|{aux or ''}|{quantity}" for sku, aux, quantity in items),
        )
        values["document"] = _template(partner, values, items)
    elif (partner_id := _partner_id(request.args.get("partner", ""))) is not None:
        partner = simulator.partner_for(db, actor=actor, partner_id=partner_id)
    return _page(actor, partner, values)


@blueprint.post("")
@requires(Permission.ADMIN_SIMULATOR_USE)
def act(shopper: Shopper) -> str | tuple[str, int]:
    """`action=template` fills in the template; `action=send` sends the document."""
    actor = shopper.actor
    db = get_session()
    values = request.form.to_dict()
    partner_id = _partner_id(values.get("partner", ""))
    partner = (
        simulator.partner_for(db, actor=actor, partner_id=partner_id)
        if partner_id is not None
        else None
    )
    if partner is None:
        return _page(actor, None, values, error="Pick a partner first."), 400
    try:
        if values.get("action") == "send":
            sent = simulator.send_setup(
                db,
                actor=actor,
                body=values.get("document", ""),
                settings=punchout_settings(current_app.config),
                now=utcnow(),
            )
            return _page(actor, partner, values, sent=sent)
        values["document"] = _template(partner, values, _items(values.get("items", "")))
    except InvalidInput as exc:
        return _page(actor, partner, values, error=i18n.error_text(exc)), 400
    return _page(actor, partner, values)


def _template(
    partner: TradingPartner,
    values: dict[str, Any],
    items: tuple[tuple[str, str | None, Decimal], ...],
) -> str:
    operation = values.get("operation", Operation.CREATE)
    if operation not in OPERATIONS:
        raise InvalidInput("The operation must be create, edit or inspect.")
    return simulator.setup_template(
        partner,
        operation=Operation(operation),
        base_url=current_app.config["GATEWAY_BASE_URL"],
        secret=values.get("secret", ""),
        now=utcnow(),
        items=items if operation != Operation.CREATE else (),
    )


def _items(text: str) -> tuple[tuple[str, str | None, Decimal], ...]:
    """Lines `SKU|SPAID|quantity` (SPAID and quantity optional)."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        sku, _, rest = line.strip().partition("|")
        aux, _, quantity = rest.partition("|")
        if not sku.strip():
            raise InvalidInput(
                f"Item line {line.strip()[:40]!r} must look like SKU|SPAID|quantity."
            )
        try:
            amount = quantities.parse(quantity.strip() or "1")
        except InvalidInput as exc:
            raise InvalidInput(f"Item line {line.strip()[:40]!r}: {exc}") from None
        items.append((sku.strip(), aux.strip() or None, amount))
    return tuple(items)


def _page(
    actor: Actor,
    partner: TradingPartner | None,
    values: dict[str, Any],
    *,
    error: str = "",
    sent: simulator.SentSetup | None = None,
) -> str:
    base_url = current_app.config["GATEWAY_BASE_URL"]
    options = (
        PartnerOptions.of(partner) if partner and partner.protocol == PartnerProtocol.OCI else None
    )
    return render_template(
        "admin/simulator.html",
        partners=simulator.partners(get_session(), actor=actor),
        partner=partner,
        values=values,
        error=error,
        sent=sent,
        operations=[o.value for o in OPERATIONS],
        oci_options=options,
        receive_url=f"{base_url}{simulator.RECEIVE_PATH}",
    )


def _partner_id(text: str) -> int | None:
    """The chosen partner's id; anything but a plain id is no choice."""
    try:
        return read_whole(text)
    except NumberError:
        return None
