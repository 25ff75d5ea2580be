"""punchout-gateway: the supplier side of cXML and SAP OCI punchout, with a B2B shop behind it.

Importing this package loads nothing heavy: the protocol packages (`gateway.cxml`, `gateway.oci`)
must stay importable without Flask or SQLAlchemy, so `create_app` imports the web stack lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from flask import Flask

__version__ = "0.1.0"

__all__ = ["__version__", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask application; `config` overrides every GATEWAY_* setting."""
    from gateway.web.app import build_app  # noqa: PLC0415 - keeps `import gateway.cxml` free of Flask

    return build_app(config)
