"""OCI field names, lengths and formats (protocol-notes B.4 to B.6)."""

from __future__ import annotations

import codecs
import re
import unicodedata
from decimal import Decimal

from gateway.oci.errors import FieldLengthError, InvalidSetupError

PREFIX = "NEW_ITEM-"
LONGTEXT_LINE = 132

#: Field → maximum length in characters (OCI 4.0 §4.2; 5.0 §3.2). LONGTEXT is unlimited.
LENGTHS: dict[str, int] = {
    "DESCRIPTION": 40,
    "MATNR": 40,
    "QUANTITY": 15,
    "UNIT": 3,
    "PRICE": 15,
    "PRICEUNIT": 5,
    "CURRENCY": 5,
    "LEADTIME": 5,
    "VENDOR": 10,
    "VENDORMAT": 40,
    "MANUFACTCODE": 10,
    "MANUFACTMAT": 40,
    "MATGROUP": 10,
    "SERVICE": 1,
    "CONTRACT": 10,
    "CONTRACT_ITEM": 5,
    "EXT_QUOTE_ID": 35,
    "EXT_QUOTE_ITEM": 10,
    "EXT_PRODUCT_ID": 40,
    "ATTACHMENT": 255,
    "ATTACHMENT_TITLE": 255,
    "ATTACHMENT_PURPOSE": 1,
    "EXT_SCHEMA_TYPE": 10,
    "EXT_CATEGORY_ID": 60,
    "EXT_CATEGORY": 40,
    "SLD_SYS_NAME": 60,
    "CUST_FIELD1": 10,
    "CUST_FIELD2": 10,
    "CUST_FIELD3": 10,
    "CUST_FIELD4": 20,
    "CUST_FIELD5": 50,
    "ITEM_TYPE": 1,
    "PARENT_ID": 5,
}
OCI5_ONLY = frozenset({"ITEM_TYPE", "PARENT_ID"})
NUMBER_DIGITS = 11  # before the point
NUMBER_DECIMALS = 3
EXTRA_FIELD = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
_FIELD_NAME = re.compile(r"NEW_ITEM-([A-Z0-9_]+)\[(\d*)\]$")
_LONGTEXT_NAME = re.compile(r"NEW_ITEM-LONGTEXT_(\d+):132(?:\[\d*\])?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CHARSETS = {"utf-8": "UTF-8", "iso8859-1": "ISO-8859-1", "iso8859-15": "ISO-8859-15"}
_RETURN_TARGET = re.compile(r"[A-Za-z0-9_]+")
FRAME_TARGETS = frozenset({"_top", "_parent", "_self", "_blank"})


def field_name(field: str, index: int) -> str:
    """`NEW_ITEM-<FIELD>[n]`; items count from 1."""
    if index < 1:
        raise ValueError("OCI item indices start at 1")
    return f"{PREFIX}{field}[{index}]"


def longtext_name(index: int) -> str:
    """`NEW_ITEM-LONGTEXT_n:132[]`: the index before the colon, empty brackets."""
    if index < 1:
        raise ValueError("OCI item indices start at 1")
    return f"{PREFIX}LONGTEXT_{index}:{LONGTEXT_LINE}[]"


def split_name(name: str) -> tuple[str, int | None] | None:
    """(FIELD, index) of a `NEW_ITEM-*` name; LONGTEXT in any common spelling; else None."""
    if match := _LONGTEXT_NAME.match(name):
        return "LONGTEXT", int(match.group(1))
    if match := _FIELD_NAME.match(name):
        return match.group(1), int(match.group(2)) if match.group(2) else None
    return None


def clean(value: str) -> str:
    """The value without control characters (tab and line breaks stay)."""
    return _CONTROL.sub("", value)


def truncate(field: str, value: str) -> str:
    """`value` cut to the field's length, counting characters (not bytes)."""
    length = LENGTHS.get(field)
    value = clean(value)
    return value if length is None else value[:length]


def format_number(value: Decimal, *, field: str = "QUANTITY") -> str:
    """11.3 format: a point, no grouping, no padding, at most 3 decimals, trailing zeros dropped.

    A value that needs more digits cannot be cut without changing it: FieldLengthError.
    """
    if not value.is_finite() or value < 0:
        raise FieldLengthError(f"{field} must be a non-negative number")
    rounded = value.quantize(Decimal(1).scaleb(-NUMBER_DECIMALS))
    if rounded != value:
        raise FieldLengthError(f"{field} has more than {NUMBER_DECIMALS} decimals")
    text = f"{rounded:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if len(text.partition(".")[0]) > NUMBER_DIGITS:
        raise FieldLengthError(f"{field} has more than {NUMBER_DIGITS} digits before the point")
    return text


def format_integer(value: int, *, field: str) -> str:
    """A whole number that fits the field, or FieldLengthError."""
    text = str(value)
    if value < 0 or len(text) > LENGTHS[field]:
        raise FieldLengthError(f"{field} does not fit {LENGTHS[field]} digits")
    return text


def normalise_charset(name: str) -> str:
    """The HTML label of a charset we can answer in (UTF-8, ISO-8859-1, ISO-8859-15)."""
    try:
        canonical = codecs.lookup(name.strip()).name
    except LookupError:
        canonical = ""
    if canonical not in _CHARSETS:
        raise InvalidSetupError(
            f"http_content_charset {name[:40]!r} is not supported; use UTF-8 or ISO-8859-1"
        )
    return _CHARSETS[canonical]


def fit_charset(value: str, charset: str) -> tuple[str, bool]:
    """`value` made representable in `charset`, and whether anything had to be replaced.

    Accents are dropped where that suffices (`č` → `c`); anything else becomes `?`. A browser
    would otherwise post such characters as `&#NNN;`, silently corrupting the text.
    """
    try:
        value.encode(charset)
    except UnicodeEncodeError:
        pass
    else:
        return value, False
    fitted = []
    for char in value:
        try:
            char.encode(charset)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in base if not unicodedata.combining(c))
            try:
                base.encode(charset)
            except UnicodeEncodeError:
                base = "?"
            fitted.append(base or "?")
        else:
            fitted.append(char)
    return "".join(fitted), True


def check_target(target: str) -> str:
    """A form target the buyer asked for: a frame keyword or a plain window name."""
    if target in FRAME_TARGETS or _RETURN_TARGET.fullmatch(target):
        return target
    raise InvalidSetupError("returntarget must be _top, _parent, _self, _blank or a window name")
