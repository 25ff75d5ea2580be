"""Self-service under /account for the active customer: budgets, users, organisation data.

Thin adapters over `gateway.services.account`; every object is looked up within the session's
active customer, never by an id alone (O-4, O-5).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from gateway.auth.permissions import Permission
from gateway.auth.policy import can, require
from gateway.db import get_session, utcnow
from gateway.services import budgets
from gateway.shop import context

blueprint = Blueprint("account", __name__)


@blueprint.get("/account/budgets")
def budgets_page() -> str:
    """The user's budgets as bars; a superuser sees (and manages) every budget of the customer."""
    shopper = context.require_shopper()
    require(shopper.actor, Permission.BUDGET_READ)
    db = get_session()
    manage = can(shopper.actor, Permission.ACCOUNT_BUDGET_WRITE)
    shown = (
        budgets.of_customer(db, organisation_id=shopper.organisation.id)
        if manage
        else budgets.applicable(
            db, organisation_id=shopper.organisation.id, user_id=shopper.user.id
        )
    )
    zone = current_app.config["GATEWAY_TIMEZONE"]
    now = utcnow()
    return render_template(
        "shop/budgets.html",
        states=[budgets.state(db, budget=budget, now=now, zone=zone) for budget in shown],
        manage=manage,
    )
