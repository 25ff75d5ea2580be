"""Partner administration pages (admin role): list, create, edit, disable, rotate, preview."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from gateway.admin import forms
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor
from gateway.cxml import CartEncoding, Operation
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import (
    AcceptedDeploymentMode,
    OrderPricePolicy,
    Organisation,
    PartnerProtocol,
    TradingPartner,
)
from gateway.oci import OCIVersion
from gateway.services.ordering.price_check import policy_of
from gateway.services.partners import admin
from gateway.services.partners.deployment import ACCEPTED_DEPLOYMENT_MODES
from gateway.services.partners.registry import CART_ENCODINGS, OCI_VERSIONS, OPERATIONS_ALLOWED
from gateway.services.punchout.cart_mapping import CXMLMapping
from gateway.services.punchout.oci_mapping import PartnerOptions
from gateway.web import i18n
from gateway.web.access import requires
from gateway.web.context import Shopper
from gateway.web.database import get_session

blueprint = Blueprint("admin_partners", __name__, url_prefix="/admin/partners")

_OCI_FORM_KEYS = ("unit_map", "version")  # edited in their own fields, not in the JSON


@blueprint.get("")
@requires(Permission.ADMIN_PARTNER_WRITE)
def index(shopper: Shopper) -> str:
    """Every partner with its protocol, customer and state."""
    actor = shopper.actor
    partners = admin.list_partners(get_session(), actor=actor)
    return render_template("admin/partners.html", partners=partners)


@blueprint.route("/new", methods=["GET", "POST"])
@requires(Permission.ADMIN_PARTNER_WRITE)
def create(shopper: Shopper) -> Response | str | tuple[str, int]:
    """A new cXML or OCI partner (`?protocol=oci`); its secret is shown once after saving."""
    actor = shopper.actor
    db = get_session()
    protocol = request.values.get("protocol", PartnerProtocol.CXML)
    if request.method == "GET":
        return _form_page(None, _values_of_new(protocol))
    values = request.form.to_dict()
    try:
        form = forms.read_partner(request.form, protocol)
        if values.get("action") == "preview":
            return _form_page(None, values, preview=_preview(actor, form, values))
        partner, secret = admin.create_partner(
            db, actor=actor, form=form, digest_key=current_app.config["GATEWAY_DIGEST_KEY"]
        )
    except InvalidInput as exc:
        return _form_page(None, values, error=i18n.error_text(exc)), 400
    return render_template("admin/secret.html", partner=partner, secret=secret, created=True)


@blueprint.route("/<int:partner_id>", methods=["GET", "POST"])
@requires(Permission.ADMIN_PARTNER_WRITE)
def edit(shopper: Shopper, partner_id: int) -> Response | str | tuple[str, int]:
    """Change a partner (disable it with `active` unticked); preview the mapping first."""
    actor = shopper.actor
    db = get_session()
    partner = admin.partner_by_id(db, actor=actor, partner_id=partner_id)
    if request.method == "GET":
        return _form_page(partner, _values_of(partner))
    values = request.form.to_dict()
    try:
        form = forms.read_partner(request.form, partner.protocol)
        if values.get("action") == "preview":
            return _form_page(partner, values, preview=_preview(actor, form, values))
        admin.update_partner(db, actor=actor, partner_id=partner_id, form=form)
    except InvalidInput as exc:
        return _form_page(partner, values, error=i18n.error_text(exc)), 400
    return redirect(url_for("admin_partners.edit", partner_id=partner_id, saved=1))


@blueprint.post("/<int:partner_id>/rotate")
@requires(Permission.ADMIN_PARTNER_WRITE)
def rotate(shopper: Shopper, partner_id: int) -> str:
    """A new shared secret (cXML) or password (OCI), shown once."""
    actor = shopper.actor
    db = get_session()
    secret = admin.rotate_secret(
        db,
        actor=actor,
        partner_id=partner_id,
        digest_key=current_app.config["GATEWAY_DIGEST_KEY"],
    )
    partner = db.get_one(TradingPartner, partner_id)
    return render_template("admin/secret.html", partner=partner, secret=secret, created=False)


def _preview(actor: Actor, form: admin.PartnerForm, values: dict[str, str]) -> admin.Preview:
    return admin.preview(
        get_session(),
        actor=actor,
        form=form,
        sku=values.get("sample_sku", ""),
        now=utcnow(),
        dtd_dir=current_app.config["GATEWAY_CXML_DTD_DIR"],
    )


def _form_page(
    partner: TradingPartner | None,
    values: dict[str, Any],
    *,
    error: str = "",
    preview: admin.Preview | None = None,
) -> str:
    db = get_session()
    return render_template(
        "admin/partner.html",
        partner=partner,
        protocol=partner.protocol if partner else values.get("protocol", PartnerProtocol.CXML),
        values=values,
        error=error,
        preview=preview,
        saved=request.args.get("saved") == "1",
        customers=list(db.scalars(select(Organisation).order_by(Organisation.number))),
        roles=admin.role_names(db),
        encodings=CART_ENCODINGS,
        operations=OPERATIONS_ALLOWED,
        versions=OCI_VERSIONS,
        deployment_modes=ACCEPTED_DEPLOYMENT_MODES,
        price_policies=[policy.value for policy in OrderPricePolicy],
    )


def _values_of_new(protocol: str) -> dict[str, Any]:
    return {
        "protocol": PartnerProtocol.OCI
        if protocol == PartnerProtocol.OCI
        else PartnerProtocol.CXML,
        "active": "on",
        "replay_protection": "on",
        "deployment_mode": AcceptedDeploymentMode.BOTH,
        "default_role": "punchout",
        "encoding": CartEncoding.BASE64,
        "operation_allowed": Operation.EDIT,
        "version": OCIVersion.V5,
        "classification_domain": "UNSPSC",
        "oci_settings": "{}",
        "sample_sku": "DEMO-0001",
        "order_price_policy": OrderPricePolicy.HOLD,
        "order_price_tolerance": "0.01",
    }


def _values_of(partner: TradingPartner) -> dict[str, Any]:
    """The form's values for a stored partner (secrets are never shown)."""
    settings = partner.settings or {}
    mapping = CXMLMapping.of(partner) if partner.protocol == PartnerProtocol.CXML else CXMLMapping()
    options = PartnerOptions.of(partner) if partner.protocol == PartnerProtocol.OCI else None
    unit_map = mapping.unit_map if options is None else options.unit_map
    oci_json = {
        name: settings[name]
        for name in PartnerOptions.__slots__
        if name in settings and name not in _OCI_FORM_KEYS
    }
    return {
        "protocol": partner.protocol,
        "name": partner.name,
        "customer": partner.organisation.number,
        "active": "on" if partner.active else "",
        "allowed_urls": "\n".join(partner.allowed_url_prefixes),
        "default_role": partner.default_role,
        "frame_ancestors": " ".join(admin.frame_ancestors(partner)),
        "identities": "\n".join(f"{i.domain}:{i.identity}" for i in partner.identities),
        "encoding": partner.cart_encoding,
        "operation_allowed": partner.operation_allowed,
        "replay_protection": "on" if partner.replay_protection else "",
        "deployment_mode": partner.accepted_deployment_mode,
        "unit_map": "\n".join(f"{k}={v}" for k, v in unit_map.items()),
        "classification_domain": mapping.classification_domain,
        "classification_codes": "\n".join(
            f"{k}={v}" for k, v in mapping.classification_codes.items()
        ),
        "extrinsics": "\n".join(f"{k}={v}" for k, v in mapping.extrinsics.items()),
        "forbidden_part_id_characters": mapping.forbidden_part_id_characters,
        "description_max_length": mapping.description_max_length or "",
        "price_decimals": "" if mapping.price_decimals is None else mapping.price_decimals,
        "username": partner.login_name or "",
        "version": settings.get("version", OCIVersion.V4),
        "oci_settings": json.dumps(oci_json, indent=2, sort_keys=True),
        "sample_sku": "DEMO-0001",
        **_price_policy_values(partner),
    }


def _price_policy_values(partner: TradingPartner) -> dict[str, str]:
    """The order price policy fields of a cXML partner."""
    if partner.protocol != PartnerProtocol.CXML:
        return {}
    rule = policy_of(get_session(), partner)
    return {
        "order_price_policy": rule.policy.value,
        "order_price_tolerance": f"{rule.tolerance.normalize():f}",
    }
