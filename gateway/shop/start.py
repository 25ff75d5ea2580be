"""The start page after login (`/start`): what the person's role needs first.

A thin adapter over `gateway.services.start_page`. A punchout user goes on shopping at the
catalog, and so does a visitor without a login.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from gateway.db import utcnow
from gateway.services import start_page
from gateway.web import context
from gateway.web.database import get_session

blueprint = Blueprint("start", __name__)


@blueprint.get("/start")
def page() -> Response | str:
    """The logged-in person's start page; the catalog for punchout users and visitors."""
    shopper = context.current_shopper()
    if shopper is None or shopper.punchout is not None:
        return redirect(url_for("shop.catalog"))
    return render_template(
        "shop/start.html",
        start=start_page.start_page(
            get_session(),
            actor=shopper.actor,
            now=utcnow(),
            zone=current_app.config["GATEWAY_TIMEZONE"],
        ),
    )
