"""RFC 9457 problem details: every error of the API is `application/problem+json`."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/"
TYPE_BASE = "/api/docs#problem-"


def problem(
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A problem answer: `type` names the status on the reference page, `detail` says what."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": TYPE_BASE + str(status),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_problem(exc: HTTPException) -> Response:
    """An HTTP error (no such URL, a method not allowed, a body too large) as a problem."""
    status = HTTPStatus(exc.code or 500)
    answer = problem(status.value, exc.description or status.description)
    for name, value in exc.get_headers():
        if name == "Allow":
            answer.headers["Allow"] = value
    return answer
