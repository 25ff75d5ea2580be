"""`/api/openapi.json` is a valid OpenAPI 3.1 document generated from the code, and `/api/docs`
shows it without any asset from elsewhere."""

from __future__ import annotations

import re

import schemathesis
from flask import Flask
from flask.testing import FlaskClient

from gateway.api.schemas import SourceName
from gateway.services.ordering.desk import Source


def test_the_document_is_valid_openapi_31_and_covers_the_orders(app: Flask) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    schema.validate()  # against the OpenAPI 3.1 meta-schema
    document = schema.raw_schema
    assert document["openapi"].startswith("3.1")
    paths = document["paths"]
    assert set(paths["/api/v1/orders"]) == {"get"}
    assert set(paths["/api/v1/orders/{number}"]) == {"get"}
    for action in ("confirm", "ship", "invoice", "release", "reject"):
        operation = paths[f"/api/v1/orders/{{number}}/{action}"]["post"]
        assert "Idempotency-Key" in {parameter["name"] for parameter in operation["parameters"]}
        assert "application/problem+json" in operation["responses"]["422"]["content"]
        assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert not any("/shop" in path or "/staff" in path for path in paths)


def test_the_source_filter_names_the_order_desk_sources() -> None:
    assert set(SourceName.__args__) == set(Source.ALL)


def test_the_reference_page_needs_nothing_from_elsewhere(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert 'data-operation="orders_list_orders' in page.text or "data-operation=" in page.text
    assert "GET /api/v1/orders" in page.text
    assert 'id="problem-429"' in page.text
    external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', page.text)
    assert external == []
