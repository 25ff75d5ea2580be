"""The REST API for the supplier's ERP under `/api`: one module per resource on one blueprint,
a Bearer token per call, problem+json errors, the OpenAPI document from `gateway.api.spec`."""

from __future__ import annotations

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from gateway.api import catalog, customers, orders, reference
from gateway.api.blueprint import blueprint

__all__ = ["init_app"]
RESOURCES = (
    catalog,
    customers,
    orders,
    reference,
)  # imported for the views they add to the blueprint


def init_app(app: Flask, csrf: CSRFProtect) -> None:
    """Register the API: token authentication instead of cookies, so no CSRF token."""
    app.register_blueprint(blueprint)
    csrf.exempt(blueprint)
