"""`/api/openapi.json` and `/api/docs`: the generated document and a page that reads it,
served by the gateway itself (no script or style from elsewhere)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template
from werkzeug.wrappers import Response

from gateway.api.blueprint import blueprint
from gateway.api.spec import document


@blueprint.get("/openapi.json", endpoint="openapi")
def openapi() -> Response:
    """The OpenAPI 3.1 document of the API, generated from the code."""
    return jsonify(document())


@blueprint.get("/docs", endpoint="docs")
def docs() -> str:
    """The reference page: every operation with its parameters, body and answers."""
    generated = document()
    return render_template(
        "api/reference.html",
        info=generated["info"],
        operations=list(_operations(generated)),
        schemas=generated["components"]["schemas"],
    )


def _operations(generated: dict[str, Any]) -> Any:
    for path, operations in generated["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            yield {
                "method": method.upper(),
                "path": path,
                "id": operation["operationId"],
                "summary": operation["summary"],
                "description": operation["description"],
                "parameters": operation["parameters"],
                "body": _ref_name(body["schema"]) if body else None,
                "responses": [
                    (code, answer["description"], _answer_schema(answer))
                    for code, answer in sorted(operation["responses"].items())
                ],
            }


def _answer_schema(answer: dict[str, Any]) -> str | None:
    for content in answer.get("content", {}).values():
        return _ref_name(content["schema"])
    return None


def _ref_name(schema: dict[str, Any]) -> str:
    return str(schema.get("$ref", "")).rsplit("/", 1)[-1]
