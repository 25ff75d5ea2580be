"""`parse`: every fixture, the typed values, and every refusal with its status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from gateway import cxml
from gateway.cxml import (
    CXMLDocument,
    CXMLError,
    DocumentValidationError,
    InboundDocumentError,
    Operation,
    PunchOutSetupRequest,
    StatusCode,
    UnsupportedDocumentError,
)
from tests.paths import FIXTURES
from tests.unit.cxml.conftest import Listener

VALID = FIXTURES / "cxml" / "valid"
INVALID = FIXTURES / "cxml" / "invalid"
FORM_POST_URL = "http://127.0.0.1:5000/tools/simulator/receive"


def fixture_ids(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*.xml"))


def setup_request(document: CXMLDocument) -> PunchOutSetupRequest:
    assert isinstance(document.payload, PunchOutSetupRequest)
    return document.payload


# --- valid fixtures -------------------------------------------------------------------------


def check_demo_buyer(document: CXMLDocument) -> None:
    """Every valid setup request comes from the demo buyer (fixtures/README.md)."""
    header = document.header
    assert header is not None
    assert header.from_credentials[0].matches("networkid", "AN01000000001")
    assert header.to_credentials[0].matches("DUNS", "123456789")
    sender = header.sender_credentials[0]
    assert sender.matches("NETWORKID", " AN01000000001 ")
    assert sender.shared_secret == "demo-secret"
    assert header.from_credentials[0].shared_secret is None


def plain_create(document: CXMLDocument, *, mode: str = "production") -> PunchOutSetupRequest:
    check_demo_buyer(document)
    request = setup_request(document)
    assert request.operation is Operation.CREATE
    assert request.browser_form_post_url == FORM_POST_URL
    assert document.deployment_mode == mode
    assert document.lang == "en-US"
    assert request.items == ()
    return request


def expect_create_minimal(document: CXMLDocument) -> None:
    request = plain_create(document)
    assert request.buyer_cookie == "cookie-create-minimal"
    assert document.payload_id == "20240501T100000.4242.create-minimal@buyer.example"
    assert document.timestamp == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert document.timestamp.utcoffset() == timedelta(hours=2)
    assert document.version == "1.2.071"
    assert document.header is not None
    assert document.header.user_agent == "Demo Buyer 1.0"
    assert (request.extrinsics, request.contacts, request.ship_to) == ((), (), None)
    assert (request.user_email, request.user_name, request.selected_item) == (None, None, None)


def expect_create_full(document: CXMLDocument) -> None:
    request = plain_create(document)
    assert request.buyer_cookie == "cookie-create-full"
    assert [(e.name, e.value) for e in request.extrinsics] == [
        ("UserEmail", "bea.buyer@1001.demo"),
        ("UniqueName", "bbuyer"),
        ("FirstName", "Bea"),
        ("LastName", "Buyer"),
        ("CostCenter", "4711"),
    ]
    assert request.extrinsic("firstname") == "Bea"
    assert request.extrinsic("LASTNAME") == "Buyer"
    assert request.extrinsic("Missing") is None
    assert (request.user_email, request.user_name) == ("bea.buyer@1001.demo", "bbuyer")
    assert request.contacts == (
        cxml.Contact(role="endUser", name="Bea Buyer", email="bea.buyer@1001.demo"),
    )
    assert request.ship_to == cxml.Address(
        address_id="1001-HQ",
        name="Acme Municipality, head office",
        deliver_to=("Bea Buyer",),
        streets=("Stadhuisplein 1", "Building B"),
        city="Utrecht",
        state="UT",
        postal_code="3511 AA",
        country_code="NL",
        email="goods-in@1001.demo",
    )
    assert request.selected_item == cxml.ItemID(supplier_part_id="DEMO-0001")


def expect_coupa_contact_first(document: CXMLDocument) -> None:
    request = plain_create(document)
    assert document.version == "1.2.014"
    assert request.contacts[0].email == "bea.buyer@1001.demo"
    # No UserEmail extrinsic: the email comes from the Contact, the name from UniqueName.
    assert (request.user_email, request.user_name) == ("bea.buyer@1001.demo", "bea.buyer")
    assert request.extrinsic("BusinessUnit") == "PURCHASING"


def expect_lowercase_root(document: CXMLDocument) -> None:
    request = plain_create(document)
    assert request.buyer_cookie == "cookie-lowercase-root"
    assert document.version is None


def expect_no_declaration(document: CXMLDocument) -> None:
    assert plain_create(document).buyer_cookie == "cookie-no-declaration"


def expect_zulu(document: CXMLDocument) -> None:
    plain_create(document)
    assert document.timestamp == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert document.timestamp.utcoffset() == timedelta(0)


def expect_zoneless(document: CXMLDocument) -> None:
    """No zone on the root timestamp: read as UTC, as real buyers mean it."""
    plain_create(document)
    assert document.timestamp == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
    assert document.timestamp.utcoffset() == timedelta(0)


def expect_capital_host(document: CXMLDocument) -> None:
    """`xml.cXML.org`, as Ariba's own examples spell the DTD's host."""
    plain_create(document)
    assert document.version == "1.2.014"


def expect_doctype_1_1_010(document: CXMLDocument) -> None:
    plain_create(document)
    assert document.version == "1.1.010"


def expect_cdata_and_non_ascii(document: CXMLDocument) -> None:
    request = plain_create(document)
    assert request.buyer_cookie == "cookie <&> \u6771\u4eac"
    assert request.extrinsic("LastName") == "M\u00fcller-\u0141ukasiewicz"
    assert request.extrinsic("Department") == 'R&D <Labs> "\u6771\u4eac"'
    assert request.user_name == "Zo\u00eb M\u00fcller-\u0141ukasiewicz"  # from the Contact


def expect_test_mode(document: CXMLDocument) -> None:
    plain_create(document, mode="test")


def expect_doctype_1_2_014(document: CXMLDocument) -> None:
    plain_create(document)
    assert document.version == "1.2.014"


def expect_custom_module(document: CXMLDocument) -> None:
    plain_create(document)
    assert document.version == "1.2.069"


def expect_cart_lines(document: CXMLDocument, operation: Operation) -> None:
    check_demo_buyer(document)
    request = setup_request(document)
    assert request.operation is operation
    assert [
        (
            i.item_id.supplier_part_id,
            i.item_id.supplier_part_auxiliary_id,
            i.quantity,
            i.line_number,
        )
        for i in request.items
    ] == [
        ("DEMO-0001", "cart-17-line-1", Decimal("3"), 1),
        ("DEMO-0002", "cart-17-line-2", Decimal("2.5"), 2),
    ]
    detail = request.items[0].detail
    assert detail == cxml.ItemDetail(
        unit_price=cxml.Money(amount=Decimal("0.77"), currency="EUR"),
        description="Ballpoint pen, blue ink, medium point",
        short_name="Ballpoint pen 1",
        unit_of_measure="EA",
        classifications=(cxml.Classification(domain="UNSPSC", code="44121701"),),
        manufacturer_part_id="SC-0001",
        manufacturer_name="Scriptura",
        lead_time=2,
    )
    assert request.items[1].detail is None


def expect_sender_without_user_agent(document: CXMLDocument) -> None:
    plain_create(document)
    assert document.header is not None
    assert document.header.user_agent is None


def expect_unknown_elements_ignored(document: CXMLDocument) -> None:
    request = plain_create(document)
    assert [(e.name, e.value) for e in request.extrinsics] == [("UserEmail", "bea.buyer@1001.demo")]


def expect_ping(document: CXMLDocument) -> None:
    check_demo_buyer(document)
    assert document.payload == cxml.ProfileRequest()
    assert document.timestamp.utcoffset() == timedelta(hours=-5)


def expect_cart_message(document: CXMLDocument) -> None:
    message = document.payload
    assert isinstance(message, cxml.PunchOutOrderMessage)
    assert document.deployment_mode == "test"
    assert document.header is not None
    assert document.header.sender_credentials[0].shared_secret is None
    assert message.buyer_cookie == "cookie-edit"
    assert message.operation_allowed is Operation.EDIT
    assert message.total == cxml.Money(amount=Decimal("4.23"), currency="EUR")
    assert message.shipping == cxml.Charge(
        money=cxml.Money(amount=Decimal("5.00"), currency="EUR"), description="Standard delivery"
    )
    assert message.tax is not None
    assert message.tax.description == "VAT 21%"
    assert [(i.item_id.supplier_part_id, i.quantity) for i in message.items] == [
        ("DEMO-0001", Decimal("3")),
        ("DEMO-0021", Decimal("0.5")),
    ]
    assert message.items[0].detail.extrinsics == (cxml.Extrinsic(name="Colour", value="blue"),)
    assert message.items[1].detail.short_name is None
    assert message.status is None


def expect_abandoned_edit(document: CXMLDocument) -> None:
    message = document.payload
    assert isinstance(message, cxml.PunchOutOrderMessage)
    assert message.status == cxml.Status(code=StatusCode.NO_CONTENT, text="No Content")
    assert message.items == ()
    assert message.total.amount == Decimal("0.00")


def expect_setup_ok(document: CXMLDocument) -> None:
    assert document.header is None
    assert document.payload == cxml.Response(
        status=cxml.Status(code=StatusCode.OK, text="OK"),
        body=cxml.PunchOutSetupResponse(
            start_page_url="http://127.0.0.1:5000/punchout/start/one-time-token"
        ),
    )


def expect_refused_with_detail(document: CXMLDocument) -> None:
    assert document.payload == cxml.Response(
        status=cxml.Status(
            code=StatusCode.BAD_REQUEST,
            text="Bad Request: BrowserFormPost URL not allowed for this buyer",
            detail="Ask your administrator to register the URL.",
        )
    )


def expect_zoneless_order(document: cxml.CXMLDocument) -> None:
    order = document.payload
    assert isinstance(order, cxml.OrderRequest)
    assert (order.order_id, order.type, order.order_version) == ("PO-77", "new", 1)
    assert order.order_date == datetime(2026, 11, 27, 9, 15, tzinfo=UTC)  # no zone: read as UTC
    assert order.total == cxml.Money(amount=Decimal("2.48"), currency="EUR")
    assert order.ship_to is not None
    assert (order.ship_to.address_id, order.ship_to.city, order.ship_to.phone) == (
        "DOCK-2",
        "Rotterdam",
        "31 10 5550100",
    )
    assert order.bill_to is not None
    assert order.bill_to.name == "Acme Municipality"
    assert order.shipping is not None
    assert order.comments == "First comment\nSecond comment"
    assert order.document_reference is None
    assert order.extrinsics == (cxml.Extrinsic(name="CostCenter", value="4711"),)
    first, second = order.items
    assert (first.line_number, second.line_number) == (1, 2)  # absent: the 1-based position
    assert first.item_id.supplier_part_auxiliary_id == "aux-1"
    assert str(first.requested_delivery_date) == "2026-12-01"
    assert (second.detail, second.comments) == (None, "No detail on this line")


def expect_ariba_order(document: cxml.CXMLDocument) -> None:
    order = document.payload
    assert isinstance(order, cxml.OrderRequest)
    assert order.ship_to == cxml.Address(
        address_id="NL-ROT-DOCK2",
        name="Acme Municipality",
        deliver_to=("dock 2", "Attn. Facilities desk"),
        streets=("Coolsingel 40",),
        city="Rotterdam",
        postal_code="3011 AD",
        country_code="NL",
        email="facilities@acme.example",
        phone="31 10 2671234",
    )
    assert order.tax is not None
    assert order.tax.money == cxml.Money(amount=Decimal("1.84"), currency="EUR")
    first, second = order.items
    assert first.detail is not None
    assert first.detail.short_name == "Ballpoint pen blue"
    assert first.detail.description.startswith("Ballpoint pen with a click mechanism")
    assert second.detail is not None
    assert (second.detail.short_name, second.detail.description) == (None, "Pen")


EXPECTED: dict[str, Callable[[CXMLDocument], None]] = {
    "punchout_setup_request/create_minimal.xml": expect_create_minimal,
    "punchout_setup_request/create_full.xml": expect_create_full,
    "punchout_setup_request/coupa_contact_first.xml": expect_coupa_contact_first,
    "punchout_setup_request/lowercase_root_no_doctype.xml": expect_lowercase_root,
    "punchout_setup_request/no_xml_declaration.xml": expect_no_declaration,
    "punchout_setup_request/zulu_timestamp.xml": expect_zulu,
    "punchout_setup_request/zoneless_timestamp.xml": expect_zoneless,
    "punchout_setup_request/doctype_capital_host.xml": expect_capital_host,
    "punchout_setup_request/doctype_1_1_010.xml": expect_doctype_1_1_010,
    "punchout_setup_request/cdata_and_non_ascii.xml": expect_cdata_and_non_ascii,
    "punchout_setup_request/deployment_mode_test.xml": expect_test_mode,
    "punchout_setup_request/doctype_1_2_014.xml": expect_doctype_1_2_014,
    "punchout_setup_request/doctype_https_custom_module.xml": expect_custom_module,
    "punchout_setup_request/edit_with_items.xml": lambda d: expect_cart_lines(d, Operation.EDIT),
    "punchout_setup_request/inspect_with_items.xml": lambda d: expect_cart_lines(
        d, Operation.INSPECT
    ),
    "punchout_setup_request/sender_without_user_agent.xml": expect_sender_without_user_agent,
    "punchout_setup_request/unknown_elements_ignored.xml": expect_unknown_elements_ignored,
    "profile_request/ping.xml": expect_ping,
    "order_request/zoneless_order_date_no_line_numbers.xml": expect_zoneless_order,
    "order_request/ariba_deliver_to_tax_short_names.xml": expect_ariba_order,
    "punchout_order_message/cart_with_shipping_and_tax.xml": expect_cart_message,
    "punchout_order_message/abandoned_edit_status_204.xml": expect_abandoned_edit,
    "response/setup_ok.xml": expect_setup_ok,
    "response/refused_with_detail.xml": expect_refused_with_detail,
}


def test_every_valid_fixture_has_expectations() -> None:
    assert fixture_ids(VALID) == sorted(EXPECTED)


@pytest.mark.parametrize("name", fixture_ids(VALID))
def test_valid_fixture(name: str) -> None:
    EXPECTED[name](cxml.parse((VALID / name).read_bytes()))


# --- invalid fixtures -----------------------------------------------------------------------

NOT_ACCEPTABLE = (InboundDocumentError, StatusCode.NOT_ACCEPTABLE)
INVALID_DATA = (DocumentValidationError, StatusCode.NOT_ACCEPTABLE)

#: fixture -> (exception, status, the whole Status text)
REFUSED: dict[str, tuple[type[CXMLError], StatusCode, str]] = {
    "xxe_file.xml": (*NOT_ACCEPTABLE, "entity declarations are not allowed"),
    "xxe_http.xml": (*NOT_ACCEPTABLE, "entity declarations are not allowed"),
    "parameter_entity.xml": (*NOT_ACCEPTABLE, "entity declarations are not allowed"),
    "billion_laughs.xml": (*NOT_ACCEPTABLE, "entity declarations are not allowed"),
    "quadratic_blowup.xml": (*NOT_ACCEPTABLE, "entity declarations are not allowed"),
    "cyclic_entities.xml": (*NOT_ACCEPTABLE, "entity declarations are not allowed"),
    "internal_entity_in_money.xml": (*NOT_ACCEPTABLE, "entity declarations are not allowed"),
    "doctype_ssrf.xml": (
        *NOT_ACCEPTABLE,
        "document type must name a cXML DTD under http://xml.cxml.org/schemas/cXML/",
    ),
    "attlist_only_subset.xml": (*NOT_ACCEPTABLE, "attribute list declarations are not allowed"),
    "xinclude_local_file.xml": (*NOT_ACCEPTABLE, "XInclude is not allowed"),
    "stylesheet_pi.xml": (*NOT_ACCEPTABLE, "processing instructions are not allowed"),
    "schema_location.xml": (
        *NOT_ACCEPTABLE,
        "XML Schema instance attributes (schemaLocation, type, nil) are not allowed",
    ),
    "utf16_bom.xml": (*NOT_ACCEPTABLE, "only UTF-8 encoded documents are accepted"),
    "utf7_declared.xml": (*NOT_ACCEPTABLE, "only UTF-8 encoded documents are accepted"),
    "utf8_bom_iso_declared.xml": (*NOT_ACCEPTABLE, "only UTF-8 encoded documents are accepted"),
    "malformed_unclosed.xml": (
        *NOT_ACCEPTABLE,
        "not well-formed XML (mismatched tag at line 29, column 7)",
    ),
    "missing_buyer_cookie.xml": (
        *NOT_ACCEPTABLE,
        "/cXML/Request/PunchOutSetupRequest has no BuyerCookie",
    ),
    "unknown_operation.xml": (
        UnsupportedDocumentError,
        StatusCode.NOT_IMPLEMENTED,
        "PunchOutSetupRequest operation is not supported",
    ),
    "negative_quantity.xml": (
        *INVALID_DATA,
        "/cXML/Request/PunchOutSetupRequest/ItemOut[2]/@quantity: "
        "must be a decimal number greater than zero (no exponent)",
    ),
    "zero_quantity.xml": (
        *INVALID_DATA,
        "/cXML/Request/PunchOutSetupRequest/ItemOut[2]/@quantity: "
        "must be a decimal number greater than zero (no exponent)",
    ),
    "non_numeric_quantity.xml": (
        *INVALID_DATA,
        "/cXML/Request/PunchOutSetupRequest/ItemOut[2]/@quantity: "
        "must be a decimal number greater than zero (no exponent)",
    ),
    "invalid_money.xml": (
        *INVALID_DATA,
        "/cXML/Request/PunchOutSetupRequest/ItemOut[1]/ItemDetail/UnitPrice/Money: "
        "must be a decimal number such as 12.50 (no exponent, no thousands separator)",
    ),
    "missing_header.xml": (*NOT_ACCEPTABLE, "cXML has no Header"),
    "missing_sender_credential.xml": (*NOT_ACCEPTABLE, "/cXML/Header/Sender has no Credential"),
    "missing_payload_id.xml": (*INVALID_DATA, "/cXML/@payloadID: is required"),
    "empty_identity.xml": (*NOT_ACCEPTABLE, "/cXML/Header/From/Credential/Identity is empty"),
}


def check_comment_in_identity(document: CXMLDocument) -> None:
    """The comment cannot cut the identity short: it reads as neither buyer nor attacker."""
    assert document.header is not None
    sender = document.header.sender_credentials[0]
    assert sender.identity == "AN01000000001.evil.example"
    assert not sender.matches("NetworkID", "AN01000000001")
    assert not sender.matches("NetworkID", ".evil.example")


#: Hostile documents that parse, harmlessly: fixture -> the check that proves it.
INERT: dict[str, Callable[[CXMLDocument], None]] = {
    "comment_in_identity.xml": check_comment_in_identity,
}


def test_every_invalid_fixture_has_an_expected_outcome() -> None:
    expected = sorted(f"punchout_setup_request/{name}" for name in (*REFUSED, *INERT))
    assert fixture_ids(INVALID) == expected


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_invalid_fixture_is_refused(name: str) -> None:
    body = (INVALID / "punchout_setup_request" / name).read_bytes()
    error_type, status, reason = REFUSED[name]
    with pytest.raises(CXMLError) as caught:
        cxml.parse(body)
    assert type(caught.value) is error_type
    assert caught.value.status is status
    assert caught.value.text == f"{status.phrase}: {reason}"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_refusal_never_repeats_document_content(name: str) -> None:
    text = _refusal_text((INVALID / "punchout_setup_request" / name).read_bytes())
    for secret_or_payload in ("demo-secret", "cookie-", "root:", "/etc/passwd", "lol", "-2", "two"):
        assert secret_or_payload not in text


@pytest.mark.parametrize("name", sorted(INERT))
def test_inert_hostile_fixture(name: str) -> None:
    INERT[name](cxml.parse((INVALID / "punchout_setup_request" / name).read_bytes()))


def test_file_xxe_never_reads_the_file_into_the_answer() -> None:
    text = _refusal_text((INVALID / "punchout_setup_request" / "xxe_file.xml").read_bytes())
    passwd = Path("/etc/passwd")
    first_line = passwd.read_text().splitlines()[0] if passwd.is_file() else "root:x:0:0"
    assert first_line not in text
    assert "root" not in text


@pytest.mark.parametrize(
    "name",
    [
        "xxe_http.xml",
        "parameter_entity.xml",
        "doctype_ssrf.xml",
        "stylesheet_pi.xml",
        "schema_location.xml",
    ],
)
def test_parsing_hostile_documents_contacts_nobody(name: str, listener: Listener) -> None:
    body = listener.point_at((INVALID / "punchout_setup_request" / name).read_bytes())
    _refusal_text(body)
    assert listener.connections() == 0


def _refusal_text(body: bytes) -> str:
    with pytest.raises(CXMLError) as caught:
        cxml.parse(body)
    return caught.value.text


# --- envelope and dispatch ------------------------------------------------------------------

MINIMAL = (VALID / "punchout_setup_request" / "create_minimal.xml").read_bytes()


def variant(body: bytes, *replacements: tuple[str, str]) -> bytes:
    """`body` with each (old, new) replaced once; every `old` must be present."""
    for old, new in replacements:
        assert old.encode() in body
        body = body.replace(old.encode(), new.encode(), 1)
    return body


def parse_variant(old: str, new: str, body: bytes = MINIMAL) -> CXMLDocument:
    return cxml.parse(variant(body, (old, new)))


def refusal_of(body: bytes) -> CXMLError:
    with pytest.raises(CXMLError) as caught:
        cxml.parse(body)
    return caught.value


def refusal_of_variant(old: str, new: str, body: bytes = MINIMAL) -> CXMLError:
    return refusal_of(variant(body, (old, new)))


@pytest.mark.parametrize(
    ("element", "text"),
    [
        ("<ConfirmationRequest/>", "Not Implemented: ConfirmationRequest is not supported"),
        ("<StatusUpdateRequest/>", "Not Implemented: StatusUpdateRequest is not supported"),
        ('<x:Mine xmlns:x="urn:x"/>', "Not Implemented: Mine is not supported"),
    ],
)
def test_other_requests_are_not_implemented(element: str, text: str) -> None:
    start = MINIMAL.index(b"<PunchOutSetupRequest")
    end = MINIMAL.index(b"</PunchOutSetupRequest>") + len(b"</PunchOutSetupRequest>")
    with pytest.raises(UnsupportedDocumentError) as caught:
        cxml.parse(MINIMAL[:start] + element.encode() + MINIMAL[end:])
    assert caught.value.status is StatusCode.NOT_IMPLEMENTED
    assert caught.value.text == text


def test_an_empty_request_is_refused() -> None:
    start = MINIMAL.index(b"<PunchOutSetupRequest")
    end = MINIMAL.index(b"</PunchOutSetupRequest>") + len(b"</PunchOutSetupRequest>")
    with pytest.raises(InboundDocumentError, match="Request is empty"):
        cxml.parse(MINIMAL[:start] + MINIMAL[end:])


def test_other_messages_are_not_implemented() -> None:
    message = (VALID / "punchout_order_message" / "abandoned_edit_status_204.xml").read_bytes()
    start = message.index(b"<PunchOutOrderMessage>")
    end = message.index(b"</PunchOutOrderMessage>") + len(b"</PunchOutOrderMessage>")
    body = message[:start] + b"<SubscriptionChangeMessage/>" + message[end:]
    with pytest.raises(UnsupportedDocumentError, match="SubscriptionChangeMessage is not supp"):
        cxml.parse(body)
    with pytest.raises(InboundDocumentError, match="Message is empty"):
        cxml.parse(message[:start] + message[end:])  # the Status alone


@pytest.mark.parametrize(
    ("replacements", "reason"),
    [
        ((("<cXML ", "<Envelope "), ("</cXML>", "</Envelope>")), "the root element must be cXML"),
        ((("</Request>", "</Request><Request/>"),), "exactly one Request, Message or Response"),
        ((("</Request>", "</Request><Response/>"),), "exactly one Request, Message or Response"),
        ((("<Request ", "<Requests "), ("</Request>", "</Requests>")), "exactly one Request"),
        ((('operation="create"', ""),), "/cXML/Request/PunchOutSetupRequest/@operation is missing"),
        ((('domain="DUNS"', 'domain=" "'),), "/cXML/Header/To/Credential/@domain: must be a non-"),
        ((("<Sender>", "<Sendr>"), ("</Sender>", "</Sendr>")), "/cXML/Header has no Sender"),
        ((("<From>", "<Frm>"), ("</From>", "</Frm>")), "/cXML/Header has no From"),
        ((("<From>", "<From><!-- none -->"), ("<Credential", "<Credentials"),
          ("</Credential>", "</Credentials>")), "/cXML/Header/From has no Credential"),
    ],
)  # fmt: skip
def test_envelope_faults_are_not_acceptable(
    replacements: tuple[tuple[str, str], ...], reason: str
) -> None:
    error = refusal_of(variant(MINIMAL, *replacements))
    assert isinstance(error, InboundDocumentError)
    assert error.status is StatusCode.NOT_ACCEPTABLE
    assert reason in error.text


def test_documents_without_our_xsd_get_the_same_checks_from_parse() -> None:
    ping = (VALID / "profile_request" / "ping.xml").read_bytes()
    error = refusal_of_variant('domain="DUNS"', 'domain=" "', ping)
    assert type(error) is InboundDocumentError
    assert error.text == "Not Acceptable: /cXML/Header/To/Credential/@domain is missing"
    error = refusal_of_variant(' payloadID="20240501T100000.4242.ping@buyer.example"', "", ping)
    assert error.text == "Not Acceptable: /cXML/@payloadID is missing"


def test_the_source_operation_parses_for_the_service_to_refuse() -> None:
    document = parse_variant('operation="create"', 'operation="source"')
    assert setup_request(document).operation is Operation.SOURCE


def test_a_missing_to_is_tolerated() -> None:
    start = MINIMAL.index(b"<To>")
    end = MINIMAL.index(b"</To>") + len(b"</To>")
    document = cxml.parse(MINIMAL[:start] + MINIMAL[end:])
    assert document.header is not None
    assert document.header.to_credentials == ()


def test_several_credentials_are_kept_in_order() -> None:
    document = parse_variant(
        "</From>",
        '  <Credential domain="DUNS"><Identity>987654321</Identity></Credential>\n    </From>',
    )
    assert document.header is not None
    assert [c.domain for c in document.header.from_credentials] == ["NetworkID", "DUNS"]


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2024-05-01T10:00:00+02:00", datetime(2024, 5, 1, 8, tzinfo=UTC)),
        ("2024-05-01T10:00:00-08:00", datetime(2024, 5, 1, 18, tzinfo=UTC)),
        ("2024-05-01T10:00:00.123456789Z", datetime(2024, 5, 1, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2024-05-01T10:00:00.5+00:00", datetime(2024, 5, 1, 10, 0, 0, 500000, tzinfo=UTC)),
        ("2016-04-20T04:34:19", datetime(2016, 4, 20, 4, 34, 19, tzinfo=UTC)),  # no zone: UTC
    ],
)
def test_timestamps_are_read_with_their_zone_or_as_utc(timestamp: str, expected: datetime) -> None:
    document = parse_variant('timestamp="2024-05-01T10:00:00+02:00"', f'timestamp="{timestamp}"')
    assert document.timestamp == expected
    assert document.timestamp.tzinfo is not None


@pytest.mark.parametrize(
    "timestamp",
    [
        "2024-05-01",
        "2024-05-01 10:00:00+02:00",
        "2024-05-01T10:00:00+0200",
        "2024-13-01T10:00:00+02:00",
        "yesterday",
    ],
)
def test_timestamps_in_other_forms_are_refused(timestamp: str) -> None:
    error = refusal_of_variant('timestamp="2024-05-01T10:00:00+02:00"', f'timestamp="{timestamp}"')
    assert error.status is StatusCode.NOT_ACCEPTABLE
    assert error.text.startswith("Not Acceptable: /cXML/@timestamp: must be an ISO 8601")


def test_the_root_timestamp_rule_applies_to_every_document_type() -> None:
    """Not only the XSD (setup requests): parse itself reads the root timestamp the same way."""
    ping = (VALID / "profile_request" / "ping.xml").read_bytes()
    zoneless = cxml.parse(ping.replace(b"-05:00", b""))
    assert zoneless.timestamp == datetime(2024, 5, 1, 10, tzinfo=UTC)
    error = refusal_of_variant("-05:00", "+0500", ping)
    assert error.text.startswith("Not Acceptable: /cXML/@timestamp: must be")
    error = refusal_of_variant(' timestamp="2024-05-01T10:00:00-05:00"', "", ping)
    assert error.text == "Not Acceptable: /cXML/@timestamp is missing"


def test_deployment_mode_must_be_production_or_test() -> None:
    ping = (VALID / "profile_request" / "ping.xml").read_bytes()
    error = refusal_of_variant("<Request>", '<Request deploymentMode="staging">', ping)
    assert error.text == "Not Acceptable: /cXML/Request/@deploymentMode: must be production or test"
    assert parse_variant("<Request>", "<Request>", ping).deployment_mode == "production"


# --- order messages and responses (parsed for round trips and the buyer simulator) ------------

CART = (VALID / "punchout_order_message" / "cart_with_shipping_and_tax.xml").read_bytes()


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        ('<ItemIn quantity="3">', '<ItemIn quantity="0">', "ItemIn[1]/@quantity: must be"),
        ('<ItemIn quantity="3">', '<ItemIn quantity="-1">', "ItemIn[1]/@quantity: must be"),
        ('<ItemIn quantity="3">', '<ItemIn quantity="1e3">', "ItemIn[1]/@quantity: must be"),
        ('<ItemIn quantity="3">', '<ItemIn quantity="NaN">', "ItemIn[1]/@quantity: must be"),
        ('<ItemIn quantity="3">', "<ItemIn>", "ItemIn[1]/@quantity is missing"),
        (">4.23<", ">Infinity<", "Total/Money: must be a decimal number"),
        (">4.23<", ">4,23<", "Total/Money: must be a decimal number"),
        (">4.23<", ">1_000<", "Total/Money: must be a decimal number"),
        ('<Money currency="EUR">4.23', "<Money>4.23", "Total/Money/@currency is missing"),
        ("<LeadTime>2<", "<LeadTime>-2<", "LeadTime: must be a whole number of days"),
        ('operationAllowed="edit"', 'operationAllowed="source"', "must be one of create, insp"),
        ("<UnitOfMeasure>EA</UnitOfMeasure>", "", "ItemDetail has no UnitOfMeasure"),
        ("<BuyerCookie>cookie-edit</BuyerCookie>", "<BuyerCookie> </BuyerCookie>", "is empty"),
    ],
)
def test_order_message_faults_name_the_element(old: str, new: str, reason: str) -> None:
    error = refusal_of_variant(old, new, CART)
    assert isinstance(error, InboundDocumentError)
    assert reason in error.text


@pytest.mark.parametrize(
    ("text", "amount"),
    [(" 1234567890.123456789 ", "1234567890.123456789"), ("-4.23", "-4.23"), ("+.5", "0.5")],
)
def test_money_keeps_its_exact_decimal_value(text: str, amount: str) -> None:
    message = parse_variant(">4.23<", f">{text}<", CART).payload
    assert isinstance(message, cxml.PunchOutOrderMessage)
    assert message.total.amount == Decimal(amount)


def test_an_unknown_status_code_is_refused() -> None:
    ok = (VALID / "response" / "setup_ok.xml").read_bytes()
    for code in ("299", "abc", "", "2OO"):
        error = refusal_of_variant('code="200"', f'code="{code}"', ok)
        assert error.text.endswith("/cXML/Response/Status/@code: must be a cXML status code")


def test_a_response_body_we_do_not_model_is_ignored() -> None:
    ok = (VALID / "response" / "setup_ok.xml").read_bytes()
    document = cxml.parse(
        variant(
            ok,
            ("<PunchOutSetupResponse>", "<ProfileResponse>"),
            ("</PunchOutSetupResponse>", "</ProfileResponse>"),
        )
    )
    assert document.payload == cxml.Response(status=cxml.Status(code=StatusCode.OK, text="OK"))


def test_a_response_needs_a_status() -> None:
    ok = (VALID / "response" / "setup_ok.xml").read_bytes()
    error = refusal_of_variant('<Status code="200" text="OK"/>', "", ok)
    assert error.text == "Not Acceptable: /cXML/Response has no Status"


def test_non_utc_offsets_are_kept() -> None:
    document = cxml.parse((VALID / "profile_request" / "ping.xml").read_bytes())
    assert document.timestamp.tzinfo == timezone(timedelta(hours=-5))
