"""API token administration (the admins who manage partners' secrets): list, create, revoke."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from gateway.auth.permissions import ApiScope, Permission
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.services import api_tokens
from gateway.web import i18n
from gateway.web.access import requires
from gateway.web.context import Shopper
from gateway.web.database import get_session

blueprint = Blueprint("admin_api_tokens", __name__, url_prefix="/admin/api-tokens")
SCOPES = tuple(scope.value for scope in ApiScope)


@blueprint.get("")
@requires(Permission.ADMIN_PARTNER_WRITE)
def index(shopper: Shopper) -> str:
    """Every token with its state, scopes, customers and expiry (never its value)."""
    return _page(shopper)


def _page(shopper: Shopper, *, values: dict[str, object] | None = None, error: str = "") -> str:
    return render_template(
        "admin/api_tokens.html",
        tokens=api_tokens.admin_tokens(get_session(), actor=shopper.actor),
        now=utcnow(),
        scopes=SCOPES,
        values=values or {},
        error=error,
    )


@blueprint.post("")
@requires(Permission.ADMIN_PARTNER_WRITE)
def create(shopper: Shopper) -> str | tuple[str, int]:
    """A new token (fields `name`, `scope` repeated, `customers`, `expires_days`), shown once."""
    form = request.form
    values: dict[str, object] = {
        "name": form.get("name", "")[:64],
        "scopes": form.getlist("scope"),
        "customers": form.get("customers", "")[:500],
        "expires_days": form.get("expires_days", "")[:5],
    }
    try:
        token, value = api_tokens.admin_create(
            get_session(),
            actor=shopper.actor,
            name=form.get("name", "")[:64],
            scopes=[scope for scope in form.getlist("scope") if scope][:10],
            customers=[n.strip() for n in form.get("customers", "").split(",") if n.strip()][:50],
            expires_days=_days(form.get("expires_days", "")),
            digest_key=current_app.config["GATEWAY_DIGEST_KEY"],
            now=utcnow(),
        )
    except InvalidInput as exc:
        get_session().rollback()
        return _page(shopper, values=values, error=i18n.error_text(exc)), 400
    return render_template("admin/api_token_created.html", token=token, value=value)


@blueprint.post("/<name>/revoke")
@requires(Permission.ADMIN_PARTNER_WRITE)
def revoke(shopper: Shopper, name: str) -> Response:
    """Revoke a token for good."""
    api_tokens.admin_revoke(get_session(), actor=shopper.actor, name=name, now=utcnow())
    return redirect(url_for("admin_api_tokens.index"))


def _days(text: str) -> int | None:
    text = text.strip()[:5]
    if not text:
        return None
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput(
            "A token expires after 1 to %(max)s days.", max=api_tokens.MAX_EXPIRY_DAYS
        )
    return int(text)
