"""The cart-return form field: the PunchOutOrderMessage as `cxml-base64` or `cxml-urlencoded`.

Pure conversions; the single autoescaped template that posts the field lives in the web layer.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from gateway.cxml.documents import CartEncoding
from gateway.cxml.errors import InboundDocumentError, OutboundDocumentError

if TYPE_CHECKING:
    from collections.abc import Mapping

FIELD_NAMES = {CartEncoding.BASE64: "cxml-base64", CartEncoding.URLENCODED: "cxml-urlencoded"}


def encode_cart(xml: bytes, encoding: CartEncoding) -> tuple[str, str]:
    """The one hidden field carrying `xml`: base64 of the UTF-8 bytes, or the US-ASCII text.

    The urlencoded value is the document itself (built with `encoding="US-ASCII"`); the template
    escapes it once and the browser URL-encodes it.
    """
    name = FIELD_NAMES[encoding]
    if encoding is CartEncoding.BASE64:
        try:
            xml.decode("utf-8")
        except UnicodeDecodeError:
            raise OutboundDocumentError("the cart document is not UTF-8") from None
        return name, base64.b64encode(xml).decode("ascii")
    if not xml.isascii():
        raise OutboundDocumentError("a cxml-urlencoded cart must be built with US-ASCII")
    return name, xml.decode("ascii")


def decode_cart(fields: Mapping[str, str]) -> bytes:
    """The document bytes from posted form fields (field names matched case-insensitively)."""
    found = [
        (encoding, value)
        for key, value in fields.items()
        for encoding, name in FIELD_NAMES.items()
        if key.lower() == name
    ]
    if len(found) != 1:
        raise InboundDocumentError("expected exactly one cxml-base64 or cxml-urlencoded field")
    encoding, value = found[0]
    if encoding is CartEncoding.BASE64:
        try:
            return base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise InboundDocumentError("cxml-base64 is not valid base64") from None
    # The receiver ignores the declared encoding: characters outside ASCII become references.
    return value.encode("ascii", "xmlcharrefreplace")
