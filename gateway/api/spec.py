"""The OpenAPI 3.1 document, generated from the views' pydantic models by spectree.

spectree works with a plain Flask app and its blueprints (apiflask and flask-openapi3 need their
own Flask subclass). It validates what comes in and what goes out against the same models. Its
own documentation pages load scripts from CDNs, so the gateway serves neither them nor its
document route: `gateway.api.reference` serves `/api/openapi.json` and a page of its own.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from pydantic import ValidationError
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from gateway import __version__
from gateway.api.problems import PROBLEM_TYPE
from gateway.api.schemas import SKU_PATTERN, Problem
from gateway.errors import GatewayError

IDEMPOTENCY_HEADER = "Idempotency-Key"
API_VERSION = "v1"
DESCRIPTION = (
    "The supplier's ERP reads and changes orders, products, prices and customers here. "
    "Send `Authorization: Bearer <token>` (made with `gateway api token create`). Versioned "
    "in the path (`/api/v1/...`); errors are RFC 9457 `application/problem+json`. Writes "
    "accept an `Idempotency-Key` header: the same key with the same body gets the same answer, "
    "with another body 409."
)


class RequestInvalid(GatewayError, ValueError):
    """A query or body that does not match its schema (answered 422, naming each field)."""

    def __init__(self, errors: list[dict[str, str]]) -> None:
        super().__init__("The request does not match the schema.")
        self.errors = errors


def _refuse_invalid(
    _req: Any, _resp: Any, error: Exception | None, _instance: Any, _adapter: Any
) -> None:
    """spectree's hook after checking a request: a refusal becomes a problem answer."""
    if isinstance(error, ValidationError):
        raise RequestInvalid(
            [
                {
                    "field": _printable(".".join(str(part) for part in item["loc"]) or "body"),
                    "message": _printable(item["msg"]),
                }
                for item in error.errors(include_url=False)
            ]
        )


def _printable(text: str) -> str:
    """A refused name as the problem may echo it: a NUL character written as `\\0`."""
    return text.replace("\0", "\\0")


spec = SpecTree(
    "flask",
    mode="strict",  # only the API's views, never the shop's
    title="punchout-gateway ERP API",
    version=f"{API_VERSION} (gateway {__version__})",
    description=DESCRIPTION,
    validation_error_status=422,
    validation_error_model=Problem,
    before=_refuse_invalid,
    naming_strategy=lambda model: model.__name__,  # the API's model names are unique
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="bearer",
            data=SecuritySchemeData(
                type=SecureType.HTTP, scheme="bearer", description="An API token."
            ),
        )
    ],
    security={"bearer": []},
)


def answers(**codes: Any) -> Response:
    """The documented answers of a view: its own plus the refusals every view may give."""
    return Response(HTTP_401=Problem, HTTP_403=Problem, HTTP_429=Problem, **codes)


WRITES = frozenset({"post", "put", "patch", "delete"})
# Answers that are files, not JSON: path → the media types of its 200 answer.
FILE_ANSWERS = {
    "/api/v1/customers/{number}/catalog": ("text/csv", "application/xml"),
}
PATH_PATTERNS = {"sku": SKU_PATTERN}  # path parameters Flask's converters cannot describe


def document() -> dict[str, Any]:
    """The OpenAPI document as served: errors as problem+json, 429's Retry-After, and the
    Idempotency-Key header on every write, the patterns of `PATH_PATTERNS`, and text that
    holds no NUL character (which no database column can store)."""
    generated: dict[str, Any] = deepcopy(spec.spec)
    for path, operations in generated["paths"].items():
        for method, operation in operations.items():
            for code, answer in operation["responses"].items():
                content = answer.get("content", {})
                if int(code) >= 400 and "application/json" in content:  # noqa: PLR2004
                    answer["content"] = {PROBLEM_TYPE: content["application/json"]}
                if code == "429":
                    answer["headers"] = {
                        "Retry-After": {
                            "description": "Seconds until the token may call again.",
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    }
            if path in FILE_ANSWERS:
                operation["responses"]["200"]["content"] = {
                    media_type: {"schema": {"type": "string"}} for media_type in FILE_ANSWERS[path]
                }
            for parameter in operation["parameters"]:
                if parameter["in"] == "path" and parameter["name"] in PATH_PATTERNS:
                    parameter["schema"]["pattern"] = PATH_PATTERNS[parameter["name"]]
            if method in WRITES:
                operation["parameters"].append(
                    {
                        "name": IDEMPOTENCY_HEADER,
                        "in": "header",
                        "required": False,
                        "description": "Repeat a write safely: same key and body, same answer.",
                        "schema": {"type": "string", "minLength": 1, "maxLength": 200},
                    }
                )
    _no_nul_in_text(generated)
    return generated


def _no_nul_in_text(node: Any) -> None:
    """Every free text of the document (a string with no enum or format) holds no NUL."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not node.keys() & {"enum", "format", "const"}:
            node["not"] = {"pattern": "\x00"}
        for value in node.values():
            _no_nul_in_text(value)
    elif isinstance(node, list):
        for value in node:
            _no_nul_in_text(value)
