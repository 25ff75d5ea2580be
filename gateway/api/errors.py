"""The API answers every error as RFC 9457 problem+json, never with an HTML page."""

from __future__ import annotations

import logging

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from gateway.api.access import RateLimited
from gateway.api.problems import http_problem, problem
from gateway.api.spec import RequestInvalid
from gateway.errors import AlreadyExists, InvalidInput, NotFound, PermissionDenied
from gateway.services.api_tokens import TokenRefused
from gateway.services.idempotency import KeyReused
from gateway.web.database import get_session

log = logging.getLogger(__name__)


def register(blueprint: Blueprint) -> None:
    """Map the GatewayError tree and HTTP errors to problems for the API's views."""

    @blueprint.errorhandler(TokenRefused)
    def _unauthorised(exc: TokenRefused) -> Response:
        detail = (
            str(exc) if str(exc).startswith("Send") else "The token is unknown, expired or revoked."
        )
        return problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="api"'})

    @blueprint.errorhandler(PermissionDenied)
    def _forbidden(exc: PermissionDenied) -> Response:
        return problem(403, str(exc))

    @blueprint.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> Response:
        return problem(404, str(exc) or "Not found.")

    @blueprint.errorhandler(RequestInvalid)
    def _request_invalid(exc: RequestInvalid) -> Response:
        fields = ", ".join(error["field"] for error in exc.errors)
        return problem(422, f"Check these fields: {fields}.", errors=exc.errors)

    @blueprint.errorhandler(AlreadyExists)
    def _exists(exc: AlreadyExists) -> Response:
        return problem(409, str(exc))

    @blueprint.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput) -> Response:
        return problem(422, str(exc))

    @blueprint.errorhandler(KeyReused)
    def _key_reused(exc: KeyReused) -> Response:
        return problem(409, str(exc))

    @blueprint.errorhandler(RateLimited)
    def _rate_limited(exc: RateLimited) -> Response:
        return problem(
            429,
            f"{exc} Try again in {exc.wait_seconds} s.",
            headers={"Retry-After": str(exc.wait_seconds)},
        )

    @blueprint.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        return http_problem(exc)

    @blueprint.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        log.error("unhandled API error on %s %s", request.method, request.path, exc_info=exc)
        get_session().rollback()
        return problem(500, "Something went wrong on our side.")
