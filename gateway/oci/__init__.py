"""SAP OCI 4.0/5.0 as a pure protocol package: form fields in, typed data out, and back.

No I/O and no Flask, SQLAlchemy or requests (DESIGN.md §3): the caller owns the transport and
renders the returned fields through the one autoescaped cart-return template.
"""

from __future__ import annotations

from gateway.oci import fields
from gateway.oci.build import build_return, split_hook_url
from gateway.oci.documents import (
    Function,
    OCIItem,
    OCIProfile,
    OCIReturn,
    OCISetup,
    OCIVersion,
    ReturnedItem,
)
from gateway.oci.errors import FieldLengthError, InvalidSetupError, OCIError
from gateway.oci.parse import parse_return, parse_setup

__all__ = [
    "FieldLengthError",
    "Function",
    "InvalidSetupError",
    "OCIError",
    "OCIItem",
    "OCIProfile",
    "OCIReturn",
    "OCISetup",
    "OCIVersion",
    "ReturnedItem",
    "build_return",
    "fields",
    "parse_return",
    "parse_setup",
    "split_hook_url",
]
