"""A scripted shop user for the integration tests: log in, post forms with their CSRF token."""

from __future__ import annotations

from html.parser import HTMLParser
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


class _FormValues(HTMLParser):
    """What a browser would submit for one form: inputs, checked radios, textareas."""

    def __init__(self, marker: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.forms: list[dict[str, str]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({})
        elif not self.forms or not values.get("name"):
            return
        elif tag == "input" and (values.get("type") != "radio" or "checked" in values):
            self.forms[-1][values["name"]] = values.get("value", "")
        elif tag == "textarea":
            self._textarea = values["name"]
            self.forms[-1][self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.forms[-1][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def form_values(html: str, marker: str) -> dict[str, str]:
    """The values of the first form that has a field named `marker`, as a browser posts them."""
    reader = _FormValues(marker)
    reader.feed(html)
    return next(form for form in reader.forms if marker in form)
