"""BMEcat 2005 catalogs (T_NEW_CATALOG), the subset in `schemas/bmecat/`: pure, no I/O.

`read(body)` checks the whole document (hardened parse, our XSD through xmlschema, then the rules
an XSD cannot say: unique part numbers, a UNSPSC class, a price for one unit) and returns every
product, or raises `CatalogError` listing every finding with its line, so a caller can import all
products or none.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import as_file, files

import xmlschema
from lxml import etree

from gateway.cxml import parse_xml  # the one hardened parser for untrusted XML
from gateway.cxml.errors import CXMLError
from gateway.errors import GatewayError

NS = "http://www.bmecat.org/bmecat/2005"
_Q = f"{{{NS}}}"
_UNSPSC_SYSTEM = re.compile(r"UNSPSC(?:[-_ ]?V?\d+(?:\.\d+)*)?", re.IGNORECASE)
_UNSPSC_CODE = re.compile(r"\d{8}")
_ONE_UNIT_PRICE_TYPES = ("net_list", "net_customer")
MAX_PACK = Decimal(1_000_000_000)  # what a pack may hold (the stored quantity's range)


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem: the source line (None when unknown), where in the document, and why."""

    line: int | None
    path: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path}: {self.reason}"


class CatalogError(GatewayError, ValueError):
    """The catalog cannot be imported; `findings` lists every problem."""

    def __init__(self, findings: tuple[Finding, ...]) -> None:
        self.findings = findings
        super().__init__("; ".join(map(str, findings)))


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogProduct:
    """One PRODUCT as the gateway stores it."""

    sku: str
    name: str
    description: str
    unit: str
    unspsc: str
    manufacturer_name: str | None
    manufacturer_part_id: str | None
    price: Decimal
    currency: str
    lead_time_days: int | None
    image_source: str | None = None  # MIME_SOURCE of the product's picture, as written
    # What one ORDER_UNIT holds (NO_CU_PER_OU of CONTENT_UNIT); None when it is just itself
    pack_quantity: Decimal | None = None
    content_unit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalog:
    """A T_NEW_CATALOG: its id and version, and every product."""

    catalog_id: str
    version: str
    products: tuple[CatalogProduct, ...]


def read(body: bytes) -> Catalog:
    """Every product of a valid catalog, or CatalogError with every finding."""
    try:
        root = parse_xml(body)
    except CXMLError as exc:
        line = re.search(r"at line (\d+)", exc.reason)
        raise CatalogError(
            (Finding(line=int(line[1]) if line else None, path="/", reason=exc.reason),)
        ) from None
    if root.tag != f"{_Q}BMECAT":
        raise CatalogError(
            (
                Finding(
                    line=root.sourceline,
                    path="/",
                    reason=f"must be a BMEcat 2005 document: element BMECAT in namespace {NS}",
                ),
            )
        )
    findings = list(_schema_findings(root))
    if findings:
        raise CatalogError(tuple(findings))
    if root.find(f"{_Q}T_NEW_CATALOG") is None:
        transaction = etree.QName(root[-1]).localname
        raise CatalogError(
            (
                Finding(
                    line=root[-1].sourceline,
                    path=f"/BMECAT/{transaction}",
                    reason="only a T_NEW_CATALOG can be imported (a full catalog)",
                ),
            )
        )
    products: list[CatalogProduct] = []
    seen: dict[str, int] = {}
    default_currency = root.findtext(f"{_Q}HEADER/{_Q}CATALOG/{_Q}CURRENCY") or ""
    for number, element in enumerate(root.iterfind(f"{_Q}T_NEW_CATALOG/{_Q}PRODUCT"), start=1):
        product, problems = _product(element, number, default_currency)
        sku = element.findtext(f"{_Q}SUPPLIER_PID") or ""
        if sku in seen:
            problems.append(
                Finding(
                    line=element.sourceline,
                    path=f"/BMECAT/T_NEW_CATALOG/PRODUCT[{number}]/SUPPLIER_PID",
                    reason=f"repeats the part number of the product on line {seen[sku]}",
                )
            )
        seen.setdefault(sku, element.sourceline or 0)
        findings.extend(problems)
        if product is not None:
            products.append(product)
    if findings:
        raise CatalogError(tuple(findings))
    catalog = root.find(f"{_Q}HEADER/{_Q}CATALOG")
    return Catalog(
        catalog_id=catalog.findtext(f"{_Q}CATALOG_ID", "") if catalog is not None else "",
        version=catalog.findtext(f"{_Q}CATALOG_VERSION", "") if catalog is not None else "",
        products=tuple(products),
    )


def _product(
    element: etree._Element, number: int, default_currency: str
) -> tuple[CatalogProduct | None, list[Finding]]:
    path = f"/BMECAT/T_NEW_CATALOG/PRODUCT[{number}]"
    problems: list[Finding] = []
    unspsc = next(
        (
            (features.findtext(f"{_Q}REFERENCE_FEATURE_GROUP_ID") or "").strip()
            for features in element.iterfind(f"{_Q}PRODUCT_FEATURES")
            if _UNSPSC_SYSTEM.fullmatch(
                (features.findtext(f"{_Q}REFERENCE_FEATURE_SYSTEM_NAME") or "").strip()
            )
        ),
        None,
    )
    if unspsc is None or not _UNSPSC_CODE.fullmatch(unspsc):
        problems.append(
            Finding(
                line=element.sourceline,
                path=f"{path}/PRODUCT_FEATURES",
                reason="needs a UNSPSC class of 8 digits (REFERENCE_FEATURE_SYSTEM_NAME UNSPSC)",
            )
        )
    price = _unit_price(element)
    if price is None:
        problems.append(
            Finding(
                line=element.sourceline,
                path=f"{path}/PRODUCT_PRICE_DETAILS",
                reason="needs a net_list or net_customer PRODUCT_PRICE for one unit "
                "(no LOWER_BOUND, or LOWER_BOUND 1)",
            )
        )
    currency = ""
    if price is not None:
        currency = price.findtext(f"{_Q}PRICE_CURRENCY") or default_currency
        if not currency:
            problems.append(
                Finding(
                    line=price.sourceline,
                    path=f"{path}/PRODUCT_PRICE_DETAILS/PRODUCT_PRICE",
                    reason="needs PRICE_CURRENCY (the HEADER names no CURRENCY)",
                )
            )
    order = element.find(f"{_Q}PRODUCT_ORDER_DETAILS")
    price_quantity = order.findtext(f"{_Q}PRICE_QUANTITY") if order is not None else None
    if price_quantity is not None and Decimal(price_quantity) != 1:
        problems.append(
            Finding(
                line=order.find(f"{_Q}PRICE_QUANTITY").sourceline,  # type: ignore[union-attr]
                path=f"{path}/PRODUCT_ORDER_DETAILS/PRICE_QUANTITY",
                reason="must be 1: prices are imported per order unit",
            )
        )
    contents = order.find(f"{_Q}NO_CU_PER_OU") if order is not None else None
    if contents is not None and not _storable_quantity(Decimal(contents.text or "0")):
        problems.append(
            Finding(
                line=contents.sourceline,
                path=f"{path}/PRODUCT_ORDER_DETAILS/NO_CU_PER_OU",
                reason="at most 3 decimals and below 1,000,000,000",
            )
        )
    if problems or price is None or unspsc is None or order is None:
        return None, problems
    details = element.find(f"{_Q}PRODUCT_DETAILS")
    assert details is not None  # noqa: S101 - the schema requires it
    delivery = details.findtext(f"{_Q}DELIVERY_TIME")
    unit = order.findtext(f"{_Q}ORDER_UNIT") or ""
    pack_quantity, content_unit = _pack(order, unit)
    return (
        CatalogProduct(
            sku=(element.findtext(f"{_Q}SUPPLIER_PID") or "").strip(),
            name=(details.findtext(f"{_Q}DESCRIPTION_SHORT") or "").strip()[:200],
            description=(details.findtext(f"{_Q}DESCRIPTION_LONG") or "").strip(),
            unit=unit,
            unspsc=unspsc,
            manufacturer_name=_optional(details.findtext(f"{_Q}MANUFACTURER_NAME"), 120),
            manufacturer_part_id=_optional(details.findtext(f"{_Q}MANUFACTURER_PID"), 64),
            price=Decimal(price.findtext(f"{_Q}PRICE_AMOUNT") or "0"),
            currency=currency,
            lead_time_days=int(delivery) if delivery else None,
            image_source=_image_source(element),
            pack_quantity=pack_quantity,
            content_unit=content_unit,
        ),
        [],
    )


def _storable_quantity(quantity: Decimal) -> bool:
    return quantity < MAX_PACK and quantity == quantity.quantize(Decimal("0.001"))


def _pack(order: etree._Element, unit: str) -> tuple[Decimal | None, str | None]:
    """What one order unit holds: NO_CU_PER_OU of CONTENT_UNIT (pieces when it names none);
    nothing when the order unit holds just one of itself."""
    count = order.findtext(f"{_Q}NO_CU_PER_OU")
    content = (order.findtext(f"{_Q}CONTENT_UNIT") or "").strip() or None
    if count is None or (Decimal(count) == 1 and content in (None, unit)):
        return None, None
    return Decimal(count), content


def _image_source(element: etree._Element) -> str | None:
    """The MIME_SOURCE of the product's picture: the first image whose MIME_PURPOSE is
    `normal` (else the first image, else the first file with no MIME_TYPE), by MIME_ORDER."""
    found: list[tuple[int, int, str]] = []
    for index, mime in enumerate(element.iterfind(f"{_Q}MIME_INFO/{_Q}MIME")):
        kind = (mime.findtext(f"{_Q}MIME_TYPE") or "").strip().lower()
        if kind and not kind.startswith("image/"):
            continue
        purpose = (mime.findtext(f"{_Q}MIME_PURPOSE") or "").strip().lower()
        order = int(mime.findtext(f"{_Q}MIME_ORDER") or index + 1)
        rank = 0 if purpose == "normal" else 1 if purpose in ("", "detail") else 2
        found.append((rank, order, (mime.findtext(f"{_Q}MIME_SOURCE") or "").strip()))
    return min(found)[2] if found else None


def _unit_price(element: etree._Element) -> etree._Element | None:
    for price in element.iterfind(f"{_Q}PRODUCT_PRICE_DETAILS/{_Q}PRODUCT_PRICE"):
        bound = price.findtext(f"{_Q}LOWER_BOUND")
        if price.get("price_type") in _ONE_UNIT_PRICE_TYPES and (
            bound is None or Decimal(bound) <= 1
        ):
            return price
    return None


def _optional(text: str | None, length: int) -> str | None:
    value = (text or "").strip()
    return value[:length] or None


def schema_findings(body: bytes) -> tuple[Finding, ...]:
    """Every violation of our BMEcat subset XSD in a document we wrote (trusted input)."""
    return tuple(_schema_findings(parse_xml(body)))


def _schema_findings(root: etree._Element) -> Iterator[Finding]:
    """Each violation of our BMEcat subset XSD, with its line and path."""
    schema = _schema()
    # xmlschema reads lxml elements (its ElementProtocol); its annotations name only its own.
    for error in schema.iter_errors(root):  # type: ignore[arg-type]
        yield Finding(
            line=getattr(error, "sourceline", None),
            path=_path(error.path),
            reason=_path(error.reason or "is not valid"),
        )


def _path(path: str | None) -> str:
    return re.sub(r"\{https?://[^}]*\}", "", path or "/")


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    with as_file(files("gateway.schemas").joinpath("bmecat", "bmecat_2005_subset.xsd")) as path:
        return xmlschema.XMLSchema(str(path), allow="local")
