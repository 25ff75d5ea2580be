"""Error pages for the shop: a clear message and the right status, never a stack trace.

The cXML endpoint answers its own errors with cXML Status documents (`gateway.punchout.views`).
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from flask import Flask, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from gateway.api.problems import API_PREFIX, http_problem
from gateway.errors import (
    BudgetExceeded,
    ForbiddenWhileAssisting,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from gateway.services.punchout.sessions import StartTokenRefused
from gateway.web.access import audit_assisted_refusal
from gateway.web.context import LoginRequired
from gateway.web.database import get_session
from gateway.web.i18n import error_text

log = logging.getLogger(__name__)
FORBIDDEN = _l("You are not allowed to do this.")
#: page titles in the reader's language; other statuses show their HTTP phrase
TITLES = {
    HTTPStatus.BAD_REQUEST: _l("Please check your input"),
    HTTPStatus.FORBIDDEN: _l("Not allowed"),
    HTTPStatus.NOT_FOUND: _l("Not found"),
    HTTPStatus.METHOD_NOT_ALLOWED: _l("Not possible here"),
    HTTPStatus.GONE: _l("No longer valid"),
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: _l("Too large"),
    HTTPStatus.TOO_MANY_REQUESTS: _l("Too many attempts"),
    HTTPStatus.INTERNAL_SERVER_ERROR: _l("Something went wrong"),
}


def _page(status: HTTPStatus, message: str) -> tuple[str, int]:
    title = str(TITLES.get(status, status.phrase))
    return render_template("message.html", title=title, message=message), status.value


def register_error_handlers(app: Flask) -> None:
    """Map the GatewayError tree and HTTP errors to pages."""

    @app.errorhandler(LoginRequired)
    def _login(_exc: LoginRequired) -> Response:
        return redirect(url_for("shop.login", next=request.path))

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> tuple[str, int]:
        return _page(HTTPStatus.NOT_FOUND, error_text(exc) if str(exc) else gettext("Not found."))

    @app.errorhandler(PermissionDenied)
    def _forbidden(_exc: PermissionDenied) -> tuple[str, int]:
        return _page(HTTPStatus.FORBIDDEN, str(FORBIDDEN))

    @app.errorhandler(ForbiddenWhileAssisting)
    def _forbidden_while_assisting(_exc: ForbiddenWhileAssisting) -> tuple[str, int]:
        audit_assisted_refusal()
        return _page(HTTPStatus.FORBIDDEN, str(FORBIDDEN))

    @app.errorhandler(BudgetExceeded)
    def _over_budget(exc: BudgetExceeded) -> tuple[str, int]:
        return _page(HTTPStatus.FORBIDDEN, error_text(exc))

    @app.errorhandler(InvalidInput)
    def _invalid(exc: InvalidInput) -> tuple[str, int]:
        return _page(HTTPStatus.BAD_REQUEST, error_text(exc))

    @app.errorhandler(StartTokenRefused)
    def _start_refused(exc: StartTokenRefused) -> tuple[str, int]:
        return _page(HTTPStatus.GONE, error_text(exc))

    @app.errorhandler(CSRFError)
    def _csrf(_exc: CSRFError) -> tuple[str, int]:
        return _page(
            HTTPStatus.BAD_REQUEST,
            gettext(
                "The form has expired or did not come from this shop. Please reload and try again."
            ),
        )

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[str, int] | Response:
        if request.path.startswith(API_PREFIX):  # no such API URL or method: still a problem
            return http_problem(exc)
        status = HTTPStatus(exc.code or 500)
        return _page(status, exc.description or status.description)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> tuple[str, int]:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
        return _failure_page()


def _failure_page() -> tuple[str, int]:
    """The 500 page, after dropping the request's unit of work. The page itself reads the
    database (who is logged in, their language); when that is gone too, a page without it."""
    try:
        get_session().rollback()
        return _page(HTTPStatus.INTERNAL_SERVER_ERROR, gettext("Something went wrong on our side."))
    except SQLAlchemyError:
        log.warning("error page rendered without the database")
        return UNAVAILABLE_PAGE, HTTPStatus.INTERNAL_SERVER_ERROR


UNAVAILABLE_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head>'
    "<body><h1>Internal Server Error</h1><p>Something went wrong on our side. Nothing was "
    "saved; please try again in a moment.</p></body></html>"
)
