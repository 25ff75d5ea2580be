"""The API's blueprint; the resource modules add their views to it."""

from __future__ import annotations

from flask import Blueprint

from gateway.api import access, errors

blueprint = Blueprint("api", __name__, url_prefix="/api")
blueprint.before_request(access.check_token)
blueprint.before_request(access.refuse_nul_in_path)
errors.register(blueprint)
