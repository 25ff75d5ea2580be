"""cXML as a pure protocol package: bytes in, frozen dataclasses out, and back (DESIGN.md §3).

No I/O and no Flask, SQLAlchemy or requests: the caller owns the transport. Untrusted XML goes
through `gateway.cxml._xml` only; DTD and XSD checks live in `dtd` and `schema`.
"""

from __future__ import annotations

from gateway.cxml import dtd, lint, schema
from gateway.cxml._xml import DEFAULT_LIMITS, ParserLimits
from gateway.cxml.build import build, format_timestamp, make_payload_id
from gateway.cxml.cart_return import decode_cart, encode_cart
from gateway.cxml.documents import (
    Address,
    CartEncoding,
    Charge,
    Classification,
    Contact,
    Credential,
    CXMLDocument,
    Extrinsic,
    Header,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
    Operation,
    Payload,
    ProfileRequest,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    Response,
    Status,
)
from gateway.cxml.errors import (
    CredentialError,
    CXMLError,
    DocumentValidationError,
    DuplicateDocumentError,
    InboundDocumentError,
    OutboundDocumentError,
    UnsupportedDocumentError,
)
from gateway.cxml.parse import parse
from gateway.cxml.status import StatusCode

__all__ = [
    "DEFAULT_LIMITS",
    "Address",
    "CXMLDocument",
    "CXMLError",
    "CartEncoding",
    "Charge",
    "Classification",
    "Contact",
    "Credential",
    "CredentialError",
    "DocumentValidationError",
    "DuplicateDocumentError",
    "Extrinsic",
    "Header",
    "InboundDocumentError",
    "ItemDetail",
    "ItemID",
    "ItemIn",
    "ItemOut",
    "Money",
    "Operation",
    "OutboundDocumentError",
    "ParserLimits",
    "Payload",
    "ProfileRequest",
    "PunchOutOrderMessage",
    "PunchOutSetupRequest",
    "PunchOutSetupResponse",
    "Response",
    "Status",
    "StatusCode",
    "UnsupportedDocumentError",
    "build",
    "decode_cart",
    "dtd",
    "encode_cart",
    "format_timestamp",
    "lint",
    "make_payload_id",
    "parse",
    "schema",
]
