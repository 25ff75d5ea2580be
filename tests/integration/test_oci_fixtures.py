"""The integrator fixtures in fixtures/oci/ stay true: each launch gives the documented answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests import oci_buyer
from tests.integration.test_oci_punchout import add_to_cart, transfer
from tests.paths import FIXTURES

OCI_FIXTURES = sorted((FIXTURES / "oci").glob("*.json"))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def call(client: FlaskClient, fixture: dict[str, Any]) -> TestResponse:
    if fixture["method"] == "GET":
        return client.get("/oci?" + urlencode(fixture["launch"]))
    return client.post("/oci", data=fixture["launch"])


def test_there_are_fixtures() -> None:
    assert len(OCI_FIXTURES) >= 5


@pytest.mark.parametrize("path", OCI_FIXTURES, ids=lambda path: path.stem)
def test_fixture(client: FlaskClient, path: Path) -> None:
    fixture = load(path)
    response = call(client, fixture)
    if fixture.get("expected_status", 200) != 200:
        assert response.status_code == fixture["expected_status"]
        assert fixture["expected_message"] in response.text
        return
    if "expected_json" in fixture:
        assert response.status_code == 200
        assert response.get_json() == fixture["expected_json"]
        return
    if "cart" in fixture or "expected_landing" in fixture:
        assert response.status_code == 302
        opened = client.get(urlsplit(response.location).path)
        assert opened.status_code == 302
        if "expected_landing" in fixture:
            assert opened.location == fixture["expected_landing"]
            return
        for sku, quantity in fixture["cart"]:
            add_to_cart(client, sku, quantity)
        form, _ = transfer(client)
    else:
        assert response.status_code == 200
        form = oci_buyer.read_return(response.data, response.content_type)
    assert form.attrs["action"] == fixture["expected_action"]
    assert form.attrs["target"] == fixture["expected_target"]
    assert form.charset == fixture["expected_charset"]
    assert form.fields == [tuple(pair) for pair in fixture["expected_fields"]]
