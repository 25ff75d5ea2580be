"""The built-in role templates (issue 17): the supplier's admin lists and changes them; every
customer created afterwards starts with copies, which its superuser changes at /account/roles."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.services.people import roles
from gateway.shop import forms
from gateway.web.access import requires
from gateway.web.context import Shopper
from gateway.web.database import get_session

blueprint = Blueprint("admin_roles", __name__, url_prefix="/admin/roles")


@blueprint.get("")
@requires(Permission.ADMIN_ROLE_WRITE)
def index(shopper: Shopper) -> str:
    """Every template with its form (fields as at /account/roles, without catalogs)."""
    return _page(shopper)


@blueprint.post("/<int:role_id>")
@requires(Permission.ADMIN_ROLE_WRITE)
def save(shopper: Shopper, role_id: int) -> Response | tuple[str, int]:
    """Change one template; existing customers keep their copies."""
    try:
        roles.save_template(
            get_session(),
            actor=shopper.actor,
            role_id=role_id,
            data=forms.RoleForm.read(request.form).role_data(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _page(shopper, error=str(exc), error_role=role_id), 400
    return redirect(url_for("admin_roles.index", saved=role_id))


def _page(shopper: Shopper, *, error: str = "", error_role: int | None = None) -> str:
    return render_template(
        "admin/roles.html",
        templates=roles.role_templates(get_session(), actor=shopper.actor),
        rights=roles.CUSTOMER_RIGHTS,
        error=error,
        error_role=error_role,
        form=request.form if request.method == "POST" else None,
        saved=request.args.get("saved", type=int),
    )
