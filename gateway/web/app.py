"""The Flask application: settings, database, CSRF, blueprints and error pages."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import api, ops
from gateway.admin.api_tokens import blueprint as admin_api_tokens_blueprint
from gateway.admin.funnel import blueprint as admin_funnel_blueprint
from gateway.admin.messages import blueprint as admin_messages_blueprint
from gateway.admin.partners import blueprint as admin_partners_blueprint
from gateway.admin.roles import blueprint as admin_roles_blueprint
from gateway.admin.simulator import blueprint as simulator_blueprint
from gateway.auth.permissions import Permission
from gateway.auth.policy import can
from gateway.config import load_settings
from gateway.logging import configure_logging
from gateway.punchout import setup_lane
from gateway.punchout.frames import frame_ancestors_header
from gateway.punchout.receiver import blueprint as tools_blueprint
from gateway.punchout.views import blueprint as punchout_blueprint
from gateway.shop import units
from gateway.shop.account import blueprint as account_blueprint
from gateway.shop.approvals import blueprint as approvals_blueprint
from gateway.shop.catalog_pictures import blueprint as catalog_pictures_blueprint
from gateway.shop.guest import blueprint as guest_blueprint
from gateway.shop.lists import blueprint as lists_blueprint
from gateway.shop.order_desk import blueprint as order_desk_blueprint
from gateway.shop.orders import blueprint as orders_blueprint
from gateway.shop.quotes import blueprint as quotes_blueprint
from gateway.shop.staff import blueprint as staff_blueprint
from gateway.shop.staff_catalogs import blueprint as staff_catalogs_blueprint
from gateway.shop.start import blueprint as start_blueprint
from gateway.shop.views import blueprint as shop_blueprint
from gateway.web import database, i18n, labels
from gateway.web.context import cart_line_count, current_shopper
from gateway.web.cookies import ShopSessionInterface
from gateway.web.errors import register_error_handlers
from gateway.web.headers import EVERY_ANSWER, security_headers

log = logging.getLogger(__name__)
csrf = CSRFProtect()


def build_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app; see `gateway.create_app`."""
    app = Flask("gateway", instance_relative_config=True)
    settings = load_settings(config, Path(app.instance_path))
    app.config.update(settings)
    app.config.update(
        SECRET_KEY=settings["GATEWAY_SECRET_KEY"],
        MAX_CONTENT_LENGTH=settings["GATEWAY_MAX_CONTENT_LENGTH"],
        SESSION_COOKIE_NAME="gateway_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings["GATEWAY_COOKIE_SECURE"],
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the shop session
        PERMANENT_SESSION_LIFETIME=settings["GATEWAY_SHOP_SESSION_TTL"],
    )
    configure_logging()
    setup_lane.install(app)  # the everyday cXML setup, answered below Flask's machinery
    if settings["GATEWAY_PROXY_HOPS"]:  # the client address comes from trusted proxies only
        hops = settings["GATEWAY_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    if settings["GATEWAY_CXML_DTD_DIR"] is None:
        log.warning(
            "GATEWAY_CXML_DTD_DIR is not set and no DTDs are installed: emitted cXML is checked "
            "against our own schemas only (`gateway cxml dtds install` fetches the DTDs)"
        )
    app.session_interface = ShopSessionInterface()
    ops.init_app(app, csrf)  # first: its request timing wraps every other hook
    database.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    labels.init_app(app)
    app.register_blueprint(punchout_blueprint)
    app.register_blueprint(shop_blueprint)
    app.register_blueprint(tools_blueprint)
    app.register_blueprint(orders_blueprint)
    app.register_blueprint(guest_blueprint)
    app.register_blueprint(admin_messages_blueprint)
    app.register_blueprint(admin_funnel_blueprint)
    app.register_blueprint(admin_partners_blueprint)
    app.register_blueprint(admin_api_tokens_blueprint)
    app.register_blueprint(admin_roles_blueprint)
    app.register_blueprint(simulator_blueprint)
    app.register_blueprint(approvals_blueprint)
    app.register_blueprint(account_blueprint)
    app.register_blueprint(staff_catalogs_blueprint)
    app.register_blueprint(catalog_pictures_blueprint)
    app.register_blueprint(staff_blueprint)
    app.register_blueprint(lists_blueprint)
    app.register_blueprint(quotes_blueprint)
    app.register_blueprint(order_desk_blueprint)
    app.register_blueprint(start_blueprint)
    api.init_app(app, csrf)
    csrf.exempt("gateway.punchout.views.cxml_endpoint")
    csrf.exempt("gateway.punchout.views.oci_endpoint")  # machine endpoint, login in the call
    csrf.exempt("gateway.punchout.receiver.receive_cart")  # receives cross-site posts by design
    app.jinja_env.globals["current_shopper"] = current_shopper
    app.jinja_env.globals["cart_line_count"] = cart_line_count
    app.jinja_env.globals.update(
        unit_amount=units.amount, unit_name=units.name, unit_contents=units.contents
    )
    app.jinja_env.globals.update(can=can, Permission=Permission)
    register_error_handlers(app)
    app.after_request(security_headers)  # runs last: completes the policies set before it
    app.after_request(_security_headers)
    app.after_request(frame_ancestors_header)
    return app


def _security_headers(response: Response) -> Response:
    for name, value in EVERY_ANSWER:
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
