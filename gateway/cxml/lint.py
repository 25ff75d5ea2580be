"""Every problem of a cXML document at once, with line numbers: for integrators, not for buyers.

`check` runs the hardened parse, the official DTD (when a folder is given), our XSD for the
documents the gateway emits or receives (`schemas/cxml/cxml.xsd`), and the cXML rules a DTD
cannot express: a timestamp with a numeric offset, and an order message's Total equal to the
sum of its lines. `pretty` and `response_status` serve `gateway cxml send` and the message log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from lxml import etree

from gateway.cxml import dtd, schema
from gateway.cxml.errors import CXMLError
from gateway.cxml.hardened_xml import DTD_URL, parse_xml
from gateway.cxml.parse import parse
from gateway.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_CENT = Decimal("0.01")
_LINE = re.compile(r"at line (\d+)")
_MODULE = re.compile(r"[A-Za-z]+\.dtd$")
#: the requests our cXML schema describes (what we emit and what we receive)
_REQUESTS = (
    "PunchOutSetupRequest",
    "OrderRequest",
    "ProfileRequest",
    "StatusUpdateRequest",
    "ConfirmationRequest",
    "ShipNoticeRequest",
    "InvoiceDetailRequest",
)
#: (payload path under the root, our schema) for the documents we have an XSD for; first wins
_SCHEMAS = (
    ("Message/PunchOutOrderMessage", schema.SchemaName.PUNCHOUT_ORDER_MESSAGE),
    *((f"Request/{name}", schema.SchemaName.CXML) for name in _REQUESTS),
    ("Response", schema.SchemaName.CXML),
)
#: (order element, its header, its lines) whose Total must equal the sum of the lines
_ORDERS = (
    ("Message/PunchOutOrderMessage", "PunchOutOrderMessageHeader", "ItemIn"),
    ("Request/OrderRequest", "OrderRequestHeader", "ItemOut"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One finding: which check (xml, dtd, schema, rule, parse), the source line, and why."""

    check: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "document"
        return f"{where}: [{self.check}] {self.message}"


def check(body: bytes, *, dtd_dir: Path | None) -> tuple[Problem, ...]:
    """All problems of `body`; the DTD check is skipped when `dtd_dir` is None."""
    try:
        root = parse_xml(body)
    except CXMLError as exc:
        found = _LINE.search(exc.reason)
        return (Problem(check="xml", line=int(found[1]) if found else None, message=exc.reason),)
    problems: list[Problem] = []
    if dtd_dir is not None:
        problems.extend(_dtd_problems(root, dtd_dir))
    name = schema_for(root)
    if name is None:
        problems.extend(_timestamp_problems(root))
    else:
        problems.extend(
            Problem(check="schema", line=finding.line or None, message=str(finding))
            for finding in schema.iter_errors(root, name)
        )
    problems.extend(_total_problems(root))
    if not problems:
        try:
            parse(body)
        except CXMLError as exc:
            problems.append(Problem(check="parse", line=None, message=exc.reason))
    return tuple(sorted(problems, key=lambda p: (p.line or 0, p.check)))


def schema_for(root: etree._Element) -> schema.SchemaName | None:
    """Our XSD for the document `root` carries, None for one we have none for (an invoice …)."""
    return next((name for path, name in _SCHEMAS if root.find(path) is not None), None)


def _dtd_problems(root: etree._Element, dtd_dir: Path) -> list[Problem]:
    """DTD findings against the module the DOCTYPE names (cXML.dtd when it is not there)."""
    module = dtd_module(root)
    try:
        return _dtd_problems_with(root, dtd_dir, module)
    except ConfigurationError:
        if module == "cXML.dtd":
            raise
        note = Problem(
            check="dtd",
            line=None,
            message=f"the DOCTYPE names {module}, which the DTD folder does not hold; "
            "checked against cXML.dtd instead",
        )
        return [note, *_dtd_problems_with(root, dtd_dir, "cXML.dtd")]


def _dtd_problems_with(root: etree._Element, dtd_dir: Path, module: str) -> list[Problem]:
    return [
        Problem(check="dtd", line=line, message=message)
        for line, message in dtd.iter_findings(root, dtd_dir, module)
    ]


def dtd_module(root: etree._Element) -> str:
    """The module DTD the DOCTYPE names (`Fulfill.dtd` …), `cXML.dtd` when there is none."""
    system_url = root.getroottree().docinfo.system_url or ""
    found = _MODULE.search(system_url) if DTD_URL.fullmatch(system_url) else None
    return found[0] if found else "cXML.dtd"


def pretty(body: bytes) -> str:
    """The document re-indented for reading (hardened parse; raises CXMLError if unreadable)."""
    root = parse_xml(body)
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


def response_status(body: bytes) -> tuple[int, str] | None:
    """(code, text) of a cXML answer's Status, or None when there is none or it is unreadable."""
    try:
        root = parse_xml(body)
    except CXMLError:
        return None
    status = root.find("Response/Status")
    if status is None:
        status = root.find("Message/Status")
    code = status.get("code", "") if status is not None else ""
    if status is None or not code.isdigit():
        return None
    return int(code), status.get("text", "")


def _timestamp_problems(root: etree._Element) -> list[Problem]:
    stamp = root.get("timestamp")
    if stamp is None:
        return [Problem(check="rule", line=root.sourceline, message="/cXML/@timestamp missing")]
    if _TIMESTAMP.fullmatch(stamp) is None:
        return [
            Problem(
                check="rule",
                line=root.sourceline,
                message="/cXML/@timestamp must be ISO 8601 with a time zone offset "
                "(e.g. 2024-05-01T10:15:00+02:00)",
            )
        ]
    return []


def _total_problems(root: etree._Element) -> list[Problem]:
    problems: list[Problem] = []
    for path, header_name, line_name in _ORDERS:
        order = root.find(path)
        total = order.find(f"{header_name}/Total/Money") if order is not None else None
        if order is None or total is None:
            continue
        stated = _decimal(total.text)
        lines = [_line_amount(item) for item in order.iterchildren(line_name)]
        if stated is None or any(amount is None for amount in lines):
            continue  # the schema names the unreadable number
        exact = [amount for amount in lines if amount is not None]
        expected = sum(exact, Decimal(0))
        rounded = sum((a.quantize(_CENT, ROUND_HALF_UP) for a in exact), Decimal(0))
        if stated not in (expected, rounded):  # line amounts may be rounded to cents
            problems.append(
                Problem(
                    check="rule",
                    line=total.sourceline,
                    message=f"{header_name}/Total is {stated} but the {line_name} lines add up "
                    f"to {rounded} (quantity * UnitPrice, without tax and shipping)",
                )
            )
        currencies = {
            money.get("currency")
            for money in order.iterfind(f"{line_name}/ItemDetail/UnitPrice/Money")
        }
        if currencies - {total.get("currency")}:
            problems.append(
                Problem(
                    check="rule",
                    line=total.sourceline,
                    message=f"{header_name}/Total currency differs from a line's currency",
                )
            )
    return problems


def _line_amount(item: etree._Element) -> Decimal | None:
    quantity = _decimal(item.get("quantity"))
    price = _decimal(item.findtext("ItemDetail/UnitPrice/Money"))
    return quantity * price if quantity is not None and price is not None else None


def _decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None
