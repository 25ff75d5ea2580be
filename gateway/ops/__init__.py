"""Operations endpoints: liveness and readiness probes for load balancers, Prometheus metrics.

None of them sets a cookie, needs a CSRF token or may be cached; a refusal is not an error.
"""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

from gateway.ops import health, metrics

blueprint = Blueprint("ops", __name__)
blueprint.add_url_rule("/healthz", view_func=health.healthz)
blueprint.add_url_rule("/readyz", view_func=health.readyz)
blueprint.add_url_rule("/metrics", view_func=metrics.metrics)


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the endpoints and the request metrics (call before any other request hook, so
    the timing covers the other hooks too)."""
    metrics.init_app(app)
    health.init_app(app)
    app.register_blueprint(blueprint)
    csrf.exempt(blueprint)
