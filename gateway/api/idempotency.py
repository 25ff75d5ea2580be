"""The `Idempotency-Key` header of API writes (see `gateway.services.idempotency`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import make_response, request
from werkzeug.wrappers import Response

from gateway.api.access import client
from gateway.api.spec import IDEMPOTENCY_HEADER, RequestInvalid
from gateway.db import utcnow
from gateway.services import idempotency
from gateway.web.database import get_session

MAX_KEY = 200


def idempotent(view: Callable[..., Any]) -> Callable[..., Response]:
    """Replay the kept answer for a repeated Idempotency-Key; keep a new successful one."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return make_response(view(*args, **kwargs))
        if not 1 <= len(key) <= MAX_KEY:
            raise RequestInvalid(
                [{"field": f"header.{IDEMPOTENCY_HEADER}", "message": "1 to 200 characters."}]
            )
        session = get_session()
        token_id = client().token_id
        digest = idempotency.request_digest(request.method, request.path, request.get_data())
        found = idempotency.kept(session, token_id=token_id, key=key, digest=digest)
        if found is not None:
            return Response(found.body, status=found.status, mimetype="application/json")
        response = make_response(view(*args, **kwargs))
        if response.status_code < 400:  # noqa: PLR2004
            idempotency.keep(
                session,
                token_id=token_id,
                key=key,
                digest=digest,
                status=response.status_code,
                body=response.get_data(),
                now=utcnow(),
            )
        return response

    return wrapper
