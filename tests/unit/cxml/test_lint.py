"""gateway.cxml.lint: every problem at once, with the line it is on."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.cxml import InboundDocumentError, lint
from tests.paths import FIXTURES, official_dtd_dir

ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">
<cXML payloadID="o@x" timestamp="2024-05-01 10:00">
  <Request>
    <OrderRequest>
      <OrderRequestHeader orderID="PO-1" orderDate="2024-05-01T10:00:00+02:00" type="new">
        <Total><Money currency="EUR">1.00</Money></Total>
      </OrderRequestHeader>
      <ItemOut quantity="2"><ItemDetail><UnitPrice><Money currency="USD">0.75</Money>
      </UnitPrice></ItemDetail></ItemOut>
    </OrderRequest>
  </Request>
</cXML>
"""


def test_order_request_rules_and_schema_without_a_dtd() -> None:
    problems = lint.check(ORDER, dtd_dir=None)
    rules = [(p.line, p.message) for p in problems if p.check == "rule"]
    assert rules == [
        (7, "OrderRequestHeader/Total is 1.00 but the ItemOut lines add up to 1.50 "
            "(quantity * UnitPrice, without tax and shipping)"),
        (7, "OrderRequestHeader/Total currency differs from a line's currency"),
    ]  # fmt: skip
    schema = [(p.line, p.message) for p in problems if p.check == "schema"]
    assert schema[0] == (
        3,
        "/cXML/@timestamp: must be an ISO 8601 date and time such as 2024-05-01T10:00:00+02:00 "
        "(Z is read as +00:00, no zone as UTC)",
    )
    assert schema[1] == (
        4,
        "/cXML/Request: This element is not expected. Expected is one of ( Header, Response ).",
    )
    assert not [p for p in problems if p.check == "dtd"]  # not checked without a folder


def test_a_missing_buyer_cookie_is_named_with_its_line_without_a_dtd() -> None:
    body = (FIXTURES / "cxml/valid/punchout_setup_request/create_minimal.xml").read_bytes()
    body = body.replace(b"<BuyerCookie>cookie-create-minimal</BuyerCookie>", b"")
    [problem] = lint.check(body, dtd_dir=None)
    assert str(problem) == (
        "line 26: [schema] /cXML/Request/PunchOutSetupRequest/BrowserFormPost: This element "
        "is not expected. Expected is ( BuyerCookie )."
    )


def test_the_documents_we_emit_and_receive_are_checked_by_our_schema() -> None:
    body = (FIXTURES / "cxml/valid/profile_request/ping.xml").read_bytes()
    assert lint.check(body, dtd_dir=None) == ()
    wrong = body.replace(b"<ProfileRequest/>", b"<ProfileRequest><Unknown/></ProfileRequest>")
    [problem] = lint.check(wrong, dtd_dir=None)
    assert problem.check == "schema"
    assert problem.message.startswith("/cXML/Request/ProfileRequest: Element content")


def test_dtd_findings_come_with_lines(dtd_dir: Path) -> None:
    problems = lint.check(ORDER, dtd_dir=dtd_dir)
    dtd = [p for p in problems if p.check == "dtd"]
    assert dtd
    assert all(p.line and p.line >= 3 for p in dtd)
    assert str(dtd[0]).startswith(f"line {dtd[0].line}: [dtd] /cXML")


def test_a_clean_document_has_no_problems() -> None:
    body = (FIXTURES / "cxml/valid/punchout_setup_request/create_full.xml").read_bytes()
    assert lint.check(body, dtd_dir=None) == ()
    assert lint.check(body, dtd_dir=official_dtd_dir()) == ()


def test_semantic_parse_errors_are_reported() -> None:
    body = (FIXTURES / "cxml/valid/punchout_setup_request/create_full.xml").read_bytes()
    body = body.replace(b'operation="create"', b'operation="create" ', 1).replace(
        b"<BuyerCookie>cookie-create-full</BuyerCookie>", b"<BuyerCookie></BuyerCookie>"
    )
    problems = lint.check(body, dtd_dir=None)
    assert problems
    assert problems[-1].check in ("schema", "parse")


def test_pretty_and_status() -> None:
    answer = (FIXTURES / "cxml/valid/response/refused_with_detail.xml").read_bytes()
    assert lint.pretty(answer).endswith("\n  </Response>\n</cXML>")
    status = lint.response_status(answer)
    assert status is not None
    assert not 200 <= status[0] < 300
    assert lint.response_status(b"<not-cxml/>") is None
    assert lint.response_status(b"<<") is None
    with pytest.raises(InboundDocumentError):
        lint.pretty(b"<<")


def test_dtd_module_follows_the_doctype() -> None:
    from gateway.cxml.hardened_xml import parse_xml  # noqa: PLC0415 - for this check only

    fulfil = b'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/Fulfill.dtd"><cXML/>'
    assert lint.dtd_module(parse_xml(fulfil)) == "Fulfill.dtd"
    assert lint.dtd_module(parse_xml(b"<cXML/>")) == "cXML.dtd"


def test_an_unknown_module_dtd_falls_back_to_cxml_dtd(dtd_dir: Path) -> None:
    body = (
        FIXTURES / "cxml/valid/punchout_setup_request/doctype_https_custom_module.xml"
    ).read_bytes()
    problems = lint.check(body, dtd_dir=dtd_dir)
    assert problems[0].check == "dtd"
    assert problems[0].line is None
    assert "names Custom.dtd, which the DTD folder does not hold" in problems[0].message
