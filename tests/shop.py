"""A scripted shop user for the integration tests: log in, post forms with their CSRF token."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.buyer import csrf_token


def login(client: FlaskClient, email: str, password: str = "demo") -> TestResponse:
    """Log in through the form; asserts success."""
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 302, response.text
    return response


def post(client: FlaskClient, url: str, data: dict[str, Any], *, via: str = "/login") -> Any:
    """Post a form as a browser would, with the CSRF token of the page `via`."""
    token = csrf_token(client.get(via).text)
    return client.post(url, data={**data, "csrf_token": token})
