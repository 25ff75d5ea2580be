"""Reading a parsed cXML tree: children and attributes that must be there, and values (money,
quantities, numbers, timestamps) in the lexical forms cXML allows. Every refusal names the path
of the element at fault. Used by `parse`.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from decimal import Decimal

from lxml import etree

from gateway import numbers
from gateway.cxml.documents import Money
from gateway.cxml.errors import InboundDocumentError
from gateway.cxml.hardened_xml import text_of
from gateway.cxml.status import StatusCode

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_WHOLE = re.compile(r"[0-9]{1,9}")  # ASCII digits that fit an integer column
# Digits before the point that the scaled quantity and price columns hold; after the point,
# the services decide (an order line's quantity may have 3 decimals, a price 4).
QUANTITY_BOUNDS = (11, 12)
MONEY_BOUNDS = (14, 12)
_DEPLOYMENT_MODES = ("production", "test")


def read_money(element: etree._Element) -> Money:
    return Money(
        amount=read_decimal(
            text_of(element), element, "", "a decimal number such as 12.50", bounds=MONEY_BOUNDS
        ),
        currency=required_attribute(element, "currency"),
    )


def read_quantity(element: etree._Element) -> Decimal:
    rule = "a decimal number greater than zero"
    quantity = read_decimal(
        required_attribute(element, "quantity"), element, "/@quantity", rule, bounds=QUANTITY_BOUNDS
    )
    if quantity <= 0:
        raise InboundDocumentError(f"{path_of(element)}/@quantity: must be {rule}")
    return quantity


def read_decimal(
    raw: str, element: etree._Element, where: str, rule: str, *, bounds: tuple[int, int]
) -> Decimal:
    """A finite Decimal in the xs:decimal lexical space (ASCII digits; no exponent, NaN or
    separators): 406 otherwise. `bounds` (digits before and after the point) are what the
    gateway can store: a number beyond them is 400, told so."""
    digits, decimals = bounds
    try:
        return numbers.read_decimal(raw, digits=digits, decimals=decimals)
    except numbers.NumberError as exc:
        if exc.kind == numbers.Problem.SYNTAX:
            raise InboundDocumentError(f"{path_of(element)}{where}: must be {rule}") from None
        raise InboundDocumentError(
            f"{path_of(element)}{where}: {exc.reason}", status=StatusCode.BAD_REQUEST
        ) from None


def read_whole(raw: str, element: etree._Element, where: str, rule: str, *, minimum: int) -> int:
    raw = raw.strip()
    if _WHOLE.fullmatch(raw) is None or int(raw) < minimum:
        raise InboundDocumentError(f"{path_of(element)}{where}: must be {rule}")
    return int(raw)


def read_timestamp(root: etree._Element) -> datetime:
    """The root `timestamp`, always zoned: `Z` is +00:00 and a missing zone is read as UTC (real
    buyers send both: protocol-notes A.12)."""
    raw = required_attribute(root, "timestamp")
    if _TIMESTAMP.fullmatch(raw):
        with contextlib.suppress(ValueError):  # e.g. month 13
            return as_utc_if_naive(datetime.fromisoformat(raw))
    raise InboundDocumentError(
        f"{path_of(root)}/@timestamp: must be an ISO 8601 date and time "
        "such as 2024-05-01T10:00:00+02:00"
    )


def as_utc_if_naive(moment: datetime) -> datetime:
    """`moment` itself when it has a zone, else the same wall time read as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read_deployment_mode(container: etree._Element) -> str:
    mode = container.get("deploymentMode", "production").strip()
    if mode not in _DEPLOYMENT_MODES:
        raise InboundDocumentError(
            f"{path_of(container)}/@deploymentMode: must be production or test"
        )
    return mode


def path_of(element: etree._Element | None) -> str:
    return "" if element is None else element.getroottree().getpath(element)


def first_child(element: etree._Element) -> etree._Element | None:
    return next(element.iterchildren(tag=etree.Element), None)


def child_named(parent: etree._Element, tag: str) -> etree._Element | None:
    """The first child named `tag`: `find` with a bare tag, without its path machinery (which
    costs several times more, and an OrderRequest asks thousands of times)."""
    return next(parent.iterchildren(tag), None)


def children_of(parent: etree._Element) -> dict[str, etree._Element]:
    """The first child of each name, found in one walk over the children (an order line asks
    for a dozen of them: one walk costs less than a dozen `child_named`)."""
    children: dict[str, etree._Element] = {}
    for child in parent.iterchildren(tag=etree.Element):
        children.setdefault(child.tag, child)  # type: ignore[arg-type]  # tag: str for elements
    return children


def required_of(
    children: dict[str, etree._Element], parent: etree._Element, tag: str
) -> etree._Element:
    """`required_child`, from the `children_of` `parent`."""
    return _present(children.get(tag), parent, tag)


def required_child(parent: etree._Element, tag: str) -> etree._Element:
    return _present(child_named(parent, tag), parent, tag)


def _present(child: etree._Element | None, parent: etree._Element, tag: str) -> etree._Element:
    if child is None:
        raise InboundDocumentError(f"{path_of(parent)} has no {tag}")
    return child


def required_attribute(element: etree._Element, name: str) -> str:
    value = element.get(name, "").strip()
    if not value:
        raise InboundDocumentError(f"{path_of(element)}/@{name} is missing")
    return value


def required_text(parent: etree._Element, tag: str) -> str:
    return _filled(required_child(parent, tag), parent, tag)


def required_text_of(children: dict[str, etree._Element], parent: etree._Element, tag: str) -> str:
    """`required_text`, from the `children_of` `parent`."""
    return _filled(required_of(children, parent, tag), parent, tag)


def _filled(child: etree._Element, parent: etree._Element, tag: str) -> str:
    value = text_of(child)
    if not value:
        raise InboundDocumentError(f"{path_of(parent)}/{tag} is empty")
    return value


def optional_text(parent: etree._Element, tag: str) -> str | None:
    return _text_or_none(child_named(parent, tag))


def optional_text_of(children: dict[str, etree._Element], tag: str) -> str | None:
    """`optional_text`, from the `children_of` a parent."""
    return _text_or_none(children.get(tag))


def _text_or_none(child: etree._Element | None) -> str | None:
    return None if child is None else (text_of(child) or None)


def optional_from(parent: etree._Element | None, tag: str) -> str | None:
    return None if parent is None else optional_text(parent, tag)
