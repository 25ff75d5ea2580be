"""Serialise documents to cXML bytes that validate against our XSDs and the official DTD.

Elements are made with `etree.SubElement` directly (the fastest lxml API), in DTD order.
Anything that would make the document invalid raises `OutboundDocumentError`: our bug, never
sent.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from typing import TYPE_CHECKING, assert_never

from lxml import etree

from gateway.cxml import dtd, schema
from gateway.cxml._build_parts import (
    XML_LANG,
    add_address,
    add_charge,
    add_contact,
    add_extrinsics,
    add_item_id,
    add_item_out,
    add_items_in,
    add_money,
    format_amount,
    format_quantity,
)
from gateway.cxml.documents import (
    FULFILL_DOCUMENTS,
    ConfirmationRequest,
    ConfirmationType,
    Header,
    InvoiceDetailRequest,
    OrderReference,
    OrderRequest,
    Payload,
    ProfileRequest,
    ProfileResponse,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    Response,
    ShipNoticeRequest,
    Status,
    StatusUpdateRequest,
)
from gateway.cxml.errors import OutboundDocumentError
from gateway.cxml.status import StatusCode

if TYPE_CHECKING:
    from pathlib import Path

_VERSION = re.compile(r"1\.[12]\.\d{3}")
_ENCODINGS = ("UTF-8", "US-ASCII")
_DEPLOYMENT_MODES = ("production", "test")

_SubElement = etree.SubElement


def build(
    payload: Payload,
    *,
    payload_id: str,
    timestamp: datetime,
    header: Header | None = None,
    lang: str = "en-US",
    deployment_mode: str | None = None,
    encoding: str = "UTF-8",
    version: str = "1.2.071",
    dtd_dir: Path | None = None,
) -> bytes:
    """The cXML bytes of `payload`: a Response (no Header), or a Request/Message (Header needed).

    `encoding="US-ASCII"` writes every other character as a numeric character reference (the
    `cxml-urlencoded` cart return). The timestamp always carries a numeric offset, never `Z`.
    The tree is always checked against our own XSD and, with `dtd_dir`, against that folder's
    `cXML.dtd` (`Fulfill.dtd` for confirmations and ship notices) before serialising (much
    cheaper than re-parsing the bytes); a finding raises `OutboundDocumentError`.
    """
    encoding = encoding.upper()
    if encoding not in _ENCODINGS:
        raise OutboundDocumentError("encoding must be UTF-8 or US-ASCII")
    if _VERSION.fullmatch(version) is None:
        raise OutboundDocumentError("version must be a cXML version such as 1.2.071")
    if not payload_id.strip():
        raise OutboundDocumentError("payloadID must not be empty")
    if deployment_mode not in (None, *_DEPLOYMENT_MODES):
        raise OutboundDocumentError("deploymentMode must be production or test")
    root = etree.Element(
        "cXML", {"payloadID": payload_id, "timestamp": format_timestamp(timestamp), XML_LANG: lang}
    )
    try:
        _payload(root, payload, header=header, lang=lang, deployment_mode=deployment_mode)
    except ValueError as error:  # lxml refuses text that XML cannot carry (control characters)
        raise OutboundDocumentError(f"text not allowed in XML: {error}") from error
    own = tuple(map(str, schema.iter_errors(root, _schema_name(payload))))
    if own:
        raise OutboundDocumentError("fails our cXML schema: " + "; ".join(own[:3]))
    module = dtd_module_of(payload)
    if dtd_dir is not None:
        findings = tuple(dtd.iter_errors(root, dtd_dir, module))
        if findings:
            label = "the cXML DTD" if module == "cXML.dtd" else module
            raise OutboundDocumentError(f"fails {label}: " + "; ".join(findings[:3]))
    prolog = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/{version}/{module}">\n'
    )
    return prolog.encode("ascii") + etree.tostring(root, encoding=encoding, xml_declaration=False)


_SETUP_ANSWER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.071/cXML.dtd">\n'
    '<cXML payloadID="{payload_id}" timestamp="{timestamp}" xml:lang="en-US"><Response>'
    '<Status code="200" text="OK"/><PunchOutSetupResponse><StartPage><URL>{url}</URL>'
    "</StartPage></PunchOutSetupResponse></Response></cXML>"
)
#: what the template may hold unescaped: printable ASCII but the XML-special characters
_VERBATIM = re.compile(r"[\x21\x23-\x25\x28-\x3b\x3d\x3f-\x7e]+")


def setup_answer(
    start_page_url: str, *, payload_id: str, timestamp: datetime, dtd_dir: Path | None = None
) -> bytes:
    """The 200 answer to a PunchOutSetupRequest: `build`'s bytes for that Response, written
    from a template when every value is plain ASCII that needs no escaping (our own URL and
    payloadID always are), else built and checked by `build`. The tests hold the two equal and
    the template valid against our XSD and the cXML DTD."""
    stamp = format_timestamp(timestamp)
    if _VERBATIM.fullmatch(start_page_url) and _VERBATIM.fullmatch(payload_id):
        return _SETUP_ANSWER.format(
            payload_id=payload_id, timestamp=stamp, url=start_page_url
        ).encode()
    ok = Status(code=StatusCode.OK, text=StatusCode.OK.phrase)
    answer = Response(status=ok, body=PunchOutSetupResponse(start_page_url=start_page_url))
    return build(answer, payload_id=payload_id, timestamp=timestamp, dtd_dir=dtd_dir)


def dtd_module_of(payload: Payload) -> str:
    """The official module DTD that declares `payload` (DESIGN.md §4.1)."""
    if isinstance(payload, InvoiceDetailRequest):
        return "InvoiceDetail.dtd"
    return "Fulfill.dtd" if isinstance(payload, FULFILL_DOCUMENTS) else "cXML.dtd"


def _schema_name(payload: Payload) -> schema.SchemaName:
    """The order message has its own, stricter XSD (no SharedSecret: it travels via a browser)."""
    if isinstance(payload, PunchOutOrderMessage):
        return schema.SchemaName.PUNCHOUT_ORDER_MESSAGE
    return schema.SchemaName.CXML


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 to the second with a numeric offset (`+00:00`, never `Z`)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise OutboundDocumentError("timestamps must be timezone-aware")
    return moment.isoformat(timespec="seconds")


def make_payload_id(hostname: str) -> str:
    """A new, unique payloadID shaped `<UTC datetime>.<pid>.<random>@<hostname>`."""
    now = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return f"{now}.{os.getpid()}.{secrets.token_hex(8)}@{hostname}"


def _payload(
    root: etree._Element,
    payload: Payload,
    *,
    header: Header | None,
    lang: str,
    deployment_mode: str | None,
) -> None:
    if isinstance(payload, Response):
        if header is not None or deployment_mode is not None:
            raise OutboundDocumentError("a Response has no Header and no deploymentMode")
        _response(_SubElement(root, "Response"), payload)
        return
    if header is None:
        raise OutboundDocumentError(f"a {type(payload).__name__} needs a Header")
    one_way = isinstance(payload, PunchOutOrderMessage)
    _header(_SubElement(root, "Header"), header, one_way=one_way)
    wrapper = _SubElement(root, "Message" if one_way else "Request")
    if deployment_mode is not None:
        wrapper.set("deploymentMode", deployment_mode)
    if isinstance(payload, PunchOutOrderMessage):
        _order_message(wrapper, payload)
    else:
        _request(wrapper, payload, lang)


def _request(
    wrapper: etree._Element,
    payload: PunchOutSetupRequest
    | ProfileRequest
    | OrderRequest
    | ConfirmationRequest
    | ShipNoticeRequest
    | InvoiceDetailRequest
    | StatusUpdateRequest,
    lang: str,
) -> None:
    match payload:
        case PunchOutSetupRequest():
            _setup_request(_SubElement(wrapper, "PunchOutSetupRequest"), payload, lang)
        case ProfileRequest():
            _SubElement(wrapper, "ProfileRequest")
        case OrderRequest():
            _order_request(_SubElement(wrapper, "OrderRequest"), payload, lang)
        case ConfirmationRequest():
            _confirmation(_SubElement(wrapper, "ConfirmationRequest"), payload, lang)
        case ShipNoticeRequest():
            _ship_notice(_SubElement(wrapper, "ShipNoticeRequest"), payload)
        case InvoiceDetailRequest():
            _invoice(_SubElement(wrapper, "InvoiceDetailRequest"), payload, lang)
        case StatusUpdateRequest():
            update = _SubElement(wrapper, "StatusUpdateRequest")
            _SubElement(update, "DocumentReference", payloadID=payload.document_reference)
            _status(update, payload.status)
        case _:
            assert_never(payload)


def _header(element: etree._Element, header: Header, *, one_way: bool) -> None:
    parties = (
        ("From", header.from_credentials),
        ("To", header.to_credentials),
        ("Sender", header.sender_credentials),
    )
    if not header.user_agent:
        raise OutboundDocumentError("Header/Sender needs a UserAgent")
    for tag, credentials in parties:
        if not credentials:
            raise OutboundDocumentError(f"Header/{tag} needs at least one Credential")
        party = _SubElement(element, tag)
        for credential in credentials:
            node = _SubElement(party, "Credential", domain=credential.domain)
            _SubElement(node, "Identity").text = credential.identity
            if credential.shared_secret is not None:
                if one_way:
                    raise OutboundDocumentError("a Message must not carry a SharedSecret")
                _SubElement(node, "SharedSecret").text = credential.shared_secret
            elif credential.credential_mac is not None:
                mac = credential.credential_mac
                _SubElement(
                    node,
                    "CredentialMac",
                    type=mac.type,
                    algorithm=mac.algorithm,
                    creationDate=mac.creation_date,
                    expirationDate=mac.expiration_date,
                ).text = mac.value
    _SubElement(party, "UserAgent").text = header.user_agent  # the last party is Sender


def _response(element: etree._Element, response: Response) -> None:
    _status(element, response.status)
    if response.body is not None:
        if not response.status.code.is_success:
            raise OutboundDocumentError("only a 2xx Status may come with a response body")
        if isinstance(response.body, ProfileResponse):
            _profile_response(element, response.body)
            return
        start_page = _SubElement(_SubElement(element, "PunchOutSetupResponse"), "StartPage")
        _SubElement(start_page, "URL").text = response.body.start_page_url


def _profile_response(parent: etree._Element, profile: ProfileResponse) -> None:
    if not profile.transactions:
        raise OutboundDocumentError("a ProfileResponse needs at least one Transaction")
    element = _SubElement(
        parent, "ProfileResponse", effectiveDate=format_timestamp(profile.effective_date)
    )
    for option in profile.options:
        _SubElement(element, "Option", name=option.name).text = option.value
    for transaction in profile.transactions:
        node = _SubElement(element, "Transaction", requestName=transaction.request_name)
        _SubElement(node, "URL").text = transaction.url
        for option in transaction.options:
            _SubElement(node, "Option", name=option.name).text = option.value


def _order_request(element: etree._Element, order: OrderRequest, lang: str) -> None:
    header = _SubElement(
        element,
        "OrderRequestHeader",
        orderID=order.order_id,
        orderDate=format_timestamp(order.order_date),
        orderType=order.order_type,
        type=order.type,
    )
    if order.order_version is not None:
        header.set("orderVersion", str(order.order_version))
    add_money(_SubElement(header, "Total"), order.total)
    if order.ship_to is not None:
        add_address(_SubElement(_SubElement(header, "ShipTo"), "Address"), order.ship_to, lang)
    if order.bill_to is None:
        raise OutboundDocumentError("an OrderRequestHeader needs a BillTo")
    add_address(_SubElement(_SubElement(header, "BillTo"), "Address"), order.bill_to, lang)
    if order.shipping is not None:
        add_charge(_SubElement(header, "Shipping"), order.shipping)
    if order.tax is not None:
        add_charge(_SubElement(header, "Tax"), order.tax)
    if order.comments:
        _SubElement(header, "Comments", {XML_LANG: lang}).text = order.comments
    if order.document_reference is not None:
        _SubElement(header, "DocumentReference", payloadID=order.document_reference)
    add_extrinsics(header, order.extrinsics)
    if not order.items:
        raise OutboundDocumentError("an OrderRequest needs at least one ItemOut")
    for item in order.items:
        add_item_out(element, item, lang)


def _status(parent: etree._Element, status: Status) -> None:
    node = _SubElement(parent, "Status", code=str(int(status.code)), text=status.text)
    if status.detail:
        node.text = status.detail


def _order_message(wrapper: etree._Element, message: PunchOutOrderMessage) -> None:
    if message.status is not None:
        _status(wrapper, message.status)
    element = _SubElement(wrapper, "PunchOutOrderMessage")
    _SubElement(element, "BuyerCookie").text = message.buyer_cookie
    header = _SubElement(
        element, "PunchOutOrderMessageHeader", operationAllowed=message.operation_allowed
    )
    add_money(_SubElement(header, "Total"), message.total)
    if message.shipping is not None:
        add_charge(_SubElement(header, "Shipping"), message.shipping)
    if message.tax is not None:
        add_charge(_SubElement(header, "Tax"), message.tax)
    add_items_in(element, message.items)


def _setup_request(element: etree._Element, request: PunchOutSetupRequest, lang: str) -> None:
    element.set("operation", request.operation)
    _SubElement(element, "BuyerCookie").text = request.buyer_cookie
    add_extrinsics(element, request.extrinsics)
    if request.browser_form_post_url is not None:
        form_post = _SubElement(element, "BrowserFormPost")
        _SubElement(form_post, "URL").text = request.browser_form_post_url
    for contact in request.contacts:
        add_contact(element, contact, lang)
    if request.ship_to is not None:
        add_address(_SubElement(_SubElement(element, "ShipTo"), "Address"), request.ship_to, lang)
    if request.selected_item is not None:
        add_item_id(_SubElement(element, "SelectedItem"), request.selected_item)
    for item in request.items:
        add_item_out(element, item)


def _confirmation(element: etree._Element, confirmation: ConfirmationRequest, lang: str) -> None:
    header = _SubElement(
        element,
        "ConfirmationHeader",
        type=confirmation.type,
        noticeDate=format_timestamp(confirmation.notice_date),
    )
    if confirmation.confirm_id is not None:
        header.set("confirmID", confirmation.confirm_id)
    if confirmation.comments:
        _SubElement(header, "Comments", {XML_LANG: lang}).text = confirmation.comments
    _order_reference(element, confirmation.order)
    if confirmation.type == ConfirmationType.DETAIL and not confirmation.items:
        raise OutboundDocumentError("a detail confirmation needs at least one ConfirmationItem")
    for item in confirmation.items:
        if not item.statuses:
            raise OutboundDocumentError("a ConfirmationItem needs at least one ConfirmationStatus")
        node = _SubElement(
            element,
            "ConfirmationItem",
            quantity=format_quantity(item.quantity),
            lineNumber=str(item.line_number),
        )
        _SubElement(node, "UnitOfMeasure").text = item.unit_of_measure
        for status in item.statuses:
            child = _SubElement(
                node,
                "ConfirmationStatus",
                quantity=format_quantity(status.quantity),
                type=status.type,
            )
            if status.shipment_date is not None:
                child.set("shipmentDate", format_timestamp(status.shipment_date))
            if status.delivery_date is not None:
                child.set("deliveryDate", format_timestamp(status.delivery_date))
            _SubElement(child, "UnitOfMeasure").text = status.unit_of_measure
            if status.unit_price is not None:
                add_money(_SubElement(child, "UnitPrice"), status.unit_price)
            if status.comments:
                _SubElement(child, "Comments", {XML_LANG: lang}).text = status.comments


def _ship_notice(element: etree._Element, notice: ShipNoticeRequest) -> None:
    header = _SubElement(
        element,
        "ShipNoticeHeader",
        shipmentID=notice.shipment_id,
        noticeDate=format_timestamp(notice.notice_date),
    )
    if notice.shipment_date is not None:
        header.set("shipmentDate", format_timestamp(notice.shipment_date))
    if notice.delivery_date is not None:
        header.set("deliveryDate", format_timestamp(notice.delivery_date))
    if notice.carrier and notice.tracking_number:
        control = _SubElement(element, "ShipControl")
        _SubElement(control, "CarrierIdentifier", domain="companyName").text = notice.carrier
        _SubElement(control, "ShipmentIdentifier").text = notice.tracking_number
    portion = _SubElement(element, "ShipNoticePortion")
    _order_reference(portion, notice.order)
    if not notice.items:
        raise OutboundDocumentError("a ship notice needs at least one ShipNoticeItem")
    for item in notice.items:
        node = _SubElement(
            portion,
            "ShipNoticeItem",
            quantity=format_quantity(item.quantity),
            lineNumber=str(item.line_number),
        )
        if item.item_id is not None:
            add_item_id(node, item.item_id)
        _SubElement(node, "UnitOfMeasure").text = item.unit_of_measure


def _order_reference(parent: etree._Element, order: OrderReference) -> None:
    node = _SubElement(parent, "OrderReference", orderID=order.order_id)
    if order.order_date is not None:
        node.set("orderDate", format_timestamp(order.order_date))
    _SubElement(node, "DocumentReference", payloadID=order.payload_id)


def _invoice(element: etree._Element, invoice: InvoiceDetailRequest, lang: str) -> None:
    """A standard invoice: one InvoiceDetailOrder, VAT per rate in the summary's Tax."""
    header = _SubElement(
        element,
        "InvoiceDetailRequestHeader",
        invoiceID=invoice.invoice_id,
        purpose="standard",
        operation="new",
        invoiceDate=format_timestamp(invoice.invoice_date),
        invoiceOrigin="supplier",
    )
    _SubElement(header, "InvoiceDetailHeaderIndicator")
    _SubElement(header, "InvoiceDetailLineIndicator")
    for party in invoice.parties:
        contact = _SubElement(_SubElement(header, "InvoicePartner"), "Contact", role=party.role)
        _SubElement(contact, "Name", {XML_LANG: lang}).text = party.name
        if party.address is not None and party.address.streets and party.address.city:
            postal = _SubElement(contact, "PostalAddress")
            for street in party.address.streets:
                _SubElement(postal, "Street").text = street
            _SubElement(postal, "City").text = party.address.city
            if party.address.postal_code:
                _SubElement(postal, "PostalCode").text = party.address.postal_code
            _SubElement(
                postal, "Country", isoCountryCode=party.address.country_code or "NL"
            ).text = party.address.country_code or "NL"
    if invoice.comments:
        _SubElement(header, "Comments", {XML_LANG: lang}).text = invoice.comments
    if not invoice.lines:
        raise OutboundDocumentError("an invoice needs at least one InvoiceDetailItem")
    order = _SubElement(element, "InvoiceDetailOrder")
    _order_reference(_SubElement(order, "InvoiceDetailOrderInfo"), invoice.order)
    for line in invoice.lines:
        item = _SubElement(
            order,
            "InvoiceDetailItem",
            invoiceLineNumber=str(line.invoice_line_number),
            quantity=format_quantity(line.quantity),
        )
        _SubElement(item, "UnitOfMeasure").text = line.unit_of_measure
        add_money(_SubElement(item, "UnitPrice"), line.unit_price)
        reference = _SubElement(
            item, "InvoiceDetailItemReference", lineNumber=str(line.line_number)
        )
        if line.item_id is not None:
            add_item_id(reference, line.item_id)
        if line.description:
            _SubElement(reference, "Description", {XML_LANG: lang}).text = line.description
        add_money(_SubElement(item, "SubtotalAmount"), line.subtotal)
    summary = _SubElement(element, "InvoiceDetailSummary")
    add_money(_SubElement(summary, "SubtotalAmount"), invoice.subtotal)
    tax = _SubElement(summary, "Tax")
    add_money(tax, invoice.tax)
    _SubElement(tax, "Description", {XML_LANG: lang}).text = "VAT"
    for rate in invoice.tax_lines:
        detail = _SubElement(
            tax, "TaxDetail", purpose="tax", category="vat", percentageRate=format_amount(rate.rate)
        )
        add_money(_SubElement(detail, "TaxableAmount"), rate.taxable)
        add_money(_SubElement(detail, "TaxAmount"), rate.tax)
    add_money(_SubElement(summary, "NetAmount"), invoice.net)
    add_money(_SubElement(summary, "DueAmount"), invoice.net)
