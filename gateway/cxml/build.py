"""Serialise documents to cXML bytes that validate against the official DTD and our XSDs.

Elements are made with `etree.SubElement` directly (the fastest lxml API), in DTD order.
Anything that would make the document invalid raises `OutboundDocumentError`: our bug, never
sent.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, assert_never

from lxml import etree

from gateway.cxml import dtd
from gateway.cxml.documents import (
    FULFILL_DOCUMENTS,
    Address,
    Charge,
    ConfirmationRequest,
    Contact,
    Extrinsic,
    Header,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
    OrderReference,
    OrderRequest,
    Payload,
    ProfileRequest,
    ProfileResponse,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    Response,
    ShipNoticeRequest,
    Status,
    StatusUpdateRequest,
)
from gateway.cxml.errors import OutboundDocumentError

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_VERSION = re.compile(r"1\.[12]\.\d{3}")
_ENCODINGS = ("UTF-8", "US-ASCII")
_DEPLOYMENT_MODES = ("production", "test")
_CENT = Decimal("0.01")
_CENT_EXPONENT = -2
_UNSPSC_DIGITS = 8

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
    With `dtd_dir`, the tree is checked against that folder's `cXML.dtd` (`Fulfill.dtd` for
    confirmations and ship notices) before serialising (much cheaper than re-parsing the
    bytes); a finding raises `OutboundDocumentError`.
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
        "cXML", {"payloadID": payload_id, "timestamp": format_timestamp(timestamp), _XML_LANG: lang}
    )
    try:
        _payload(root, payload, header=header, lang=lang, deployment_mode=deployment_mode)
    except ValueError as error:  # lxml refuses text that XML cannot carry (control characters)
        raise OutboundDocumentError(f"text not allowed in XML: {error}") from error
    module = "Fulfill.dtd" if isinstance(payload, FULFILL_DOCUMENTS) else "cXML.dtd"
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
    match payload:
        case PunchOutOrderMessage():
            _order_message(wrapper, payload)
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
    _money(_SubElement(header, "Total"), order.total)
    if order.ship_to is not None:
        _address(_SubElement(_SubElement(header, "ShipTo"), "Address"), order.ship_to, lang)
    if order.bill_to is None:
        raise OutboundDocumentError("an OrderRequestHeader needs a BillTo")
    _address(_SubElement(_SubElement(header, "BillTo"), "Address"), order.bill_to, lang)
    if order.shipping is not None:
        _charge(_SubElement(header, "Shipping"), order.shipping)
    if order.tax is not None:
        _charge(_SubElement(header, "Tax"), order.tax)
    if order.comments:
        _SubElement(header, "Comments", {_XML_LANG: lang}).text = order.comments
    if order.document_reference is not None:
        _SubElement(header, "DocumentReference", payloadID=order.document_reference)
    _extrinsics(header, order.extrinsics)
    if not order.items:
        raise OutboundDocumentError("an OrderRequest needs at least one ItemOut")
    for item in order.items:
        _item_out(element, item, lang)


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
    _money(_SubElement(header, "Total"), message.total)
    if message.shipping is not None:
        _charge(_SubElement(header, "Shipping"), message.shipping)
    if message.tax is not None:
        _charge(_SubElement(header, "Tax"), message.tax)
    for item in message.items:
        _item_in(element, item)


def _item_in(parent: etree._Element, item: ItemIn) -> None:
    node = _SubElement(parent, "ItemIn", quantity=_quantity(item.quantity))
    _item_id(node, item.item_id)
    _item_detail(_SubElement(node, "ItemDetail"), item.detail)


def _setup_request(element: etree._Element, request: PunchOutSetupRequest, lang: str) -> None:
    element.set("operation", request.operation)
    _SubElement(element, "BuyerCookie").text = request.buyer_cookie
    _extrinsics(element, request.extrinsics)
    if request.browser_form_post_url is not None:
        form_post = _SubElement(element, "BrowserFormPost")
        _SubElement(form_post, "URL").text = request.browser_form_post_url
    for contact in request.contacts:
        _contact(element, contact, lang)
    if request.ship_to is not None:
        _address(_SubElement(_SubElement(element, "ShipTo"), "Address"), request.ship_to, lang)
    if request.selected_item is not None:
        _item_id(_SubElement(element, "SelectedItem"), request.selected_item)
    for item in request.items:
        _item_out(element, item)


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
        _SubElement(header, "Comments", {_XML_LANG: lang}).text = confirmation.comments
    _order_reference(element, confirmation.order)
    if confirmation.type == "detail" and not confirmation.items:
        raise OutboundDocumentError("a detail confirmation needs at least one ConfirmationItem")
    for item in confirmation.items:
        if not item.statuses:
            raise OutboundDocumentError("a ConfirmationItem needs at least one ConfirmationStatus")
        node = _SubElement(
            element,
            "ConfirmationItem",
            quantity=_quantity(item.quantity),
            lineNumber=str(item.line_number),
        )
        _SubElement(node, "UnitOfMeasure").text = item.unit_of_measure
        for status in item.statuses:
            child = _SubElement(
                node, "ConfirmationStatus", quantity=_quantity(status.quantity), type=status.type
            )
            if status.shipment_date is not None:
                child.set("shipmentDate", format_timestamp(status.shipment_date))
            if status.delivery_date is not None:
                child.set("deliveryDate", format_timestamp(status.delivery_date))
            _SubElement(child, "UnitOfMeasure").text = status.unit_of_measure
            if status.unit_price is not None:
                _money(_SubElement(child, "UnitPrice"), status.unit_price)
            if status.comments:
                _SubElement(child, "Comments", {_XML_LANG: lang}).text = status.comments


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
            quantity=_quantity(item.quantity),
            lineNumber=str(item.line_number),
        )
        if item.item_id is not None:
            _item_id(node, item.item_id)
        _SubElement(node, "UnitOfMeasure").text = item.unit_of_measure


def _order_reference(parent: etree._Element, order: OrderReference) -> None:
    node = _SubElement(parent, "OrderReference", orderID=order.order_id)
    if order.order_date is not None:
        node.set("orderDate", format_timestamp(order.order_date))
    _SubElement(node, "DocumentReference", payloadID=order.payload_id)


def _item_out(parent: etree._Element, item: ItemOut, lang: str = "en-US") -> None:
    node = _SubElement(parent, "ItemOut", quantity=_quantity(item.quantity))
    if item.line_number is not None:
        node.set("lineNumber", str(item.line_number))
    if item.requested_delivery_date is not None:
        node.set("requestedDeliveryDate", item.requested_delivery_date.isoformat())
    _item_id(node, item.item_id)
    if item.detail is not None:
        _item_detail(_SubElement(node, "ItemDetail"), item.detail)
    if item.comments:
        _SubElement(node, "Comments", {_XML_LANG: lang}).text = item.comments


def _contact(parent: etree._Element, contact: Contact, lang: str) -> None:
    if not contact.name:
        raise OutboundDocumentError("a Contact needs a Name")
    node = _SubElement(parent, "Contact")
    if contact.role is not None:
        node.set("role", contact.role)
    _SubElement(node, "Name", {_XML_LANG: lang}).text = contact.name
    if contact.email is not None:
        _SubElement(node, "Email").text = contact.email


def _address(element: etree._Element, address: Address, lang: str) -> None:
    if not address.name:
        raise OutboundDocumentError("an Address needs a Name")
    if address.address_id is not None:
        element.set("addressID", address.address_id)
    _SubElement(element, "Name", {_XML_LANG: lang}).text = address.name
    if address.streets and address.city and address.country_code:
        postal = _SubElement(element, "PostalAddress")
        for street in address.streets:
            _SubElement(postal, "Street").text = street
        _SubElement(postal, "City").text = address.city
        if address.state is not None:
            _SubElement(postal, "State").text = address.state
        if address.postal_code is not None:
            _SubElement(postal, "PostalCode").text = address.postal_code
        country = _SubElement(postal, "Country", isoCountryCode=address.country_code)
        country.text = address.country_code
    if address.email is not None:
        _SubElement(element, "Email").text = address.email


def _extrinsics(parent: etree._Element, extrinsics: Iterable[Extrinsic]) -> None:
    for extrinsic in extrinsics:
        _SubElement(parent, "Extrinsic", name=extrinsic.name).text = extrinsic.value


def _charge(element: etree._Element, charge: Charge) -> None:
    _money(element, charge.money)
    _SubElement(element, "Description", {_XML_LANG: charge.lang}).text = charge.description


def _item_id(parent: etree._Element, item_id: ItemID) -> None:
    node = _SubElement(parent, "ItemID")
    _SubElement(node, "SupplierPartID").text = item_id.supplier_part_id
    if item_id.supplier_part_auxiliary_id is not None:
        _SubElement(node, "SupplierPartAuxiliaryID").text = item_id.supplier_part_auxiliary_id


def _item_detail(element: etree._Element, detail: ItemDetail) -> None:
    if not detail.classifications:
        raise OutboundDocumentError("an ItemDetail needs at least one Classification")
    _money(_SubElement(element, "UnitPrice"), detail.unit_price)
    description = _SubElement(element, "Description", {_XML_LANG: detail.lang})
    if detail.short_name is None:
        description.text = detail.description
    else:
        short_name = _SubElement(description, "ShortName")
        short_name.text = detail.short_name
        short_name.tail = detail.description
    _SubElement(element, "UnitOfMeasure").text = detail.unit_of_measure
    for classification in detail.classifications:
        if classification.domain.upper() == "UNSPSC" and not _is_unspsc(classification.code):
            raise OutboundDocumentError("a UNSPSC Classification needs an eight-digit code")
        node = _SubElement(element, "Classification", domain=classification.domain)
        node.text = classification.code
    if detail.manufacturer_part_id is not None:
        _SubElement(element, "ManufacturerPartID").text = detail.manufacturer_part_id
    if detail.manufacturer_name is not None:
        _SubElement(element, "ManufacturerName").text = detail.manufacturer_name
    if detail.url is not None:
        _SubElement(element, "URL").text = detail.url
    if detail.lead_time is not None:
        if detail.lead_time < 0:
            raise OutboundDocumentError("LeadTime must not be negative")
        _SubElement(element, "LeadTime").text = str(detail.lead_time)
    _extrinsics(element, detail.extrinsics)


def _money(parent: etree._Element, money: Money) -> None:
    _SubElement(parent, "Money", currency=money.currency).text = _amount(money.amount)


def _amount(amount: Decimal) -> str:
    """At least two decimals, never an exponent: 12 -> 12.00, 1.5 -> 1.50, 1.2345 stays."""
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int):  # NaN or Infinity
        raise OutboundDocumentError("a Money amount must be a finite number")
    return format(amount.quantize(_CENT) if exponent > _CENT_EXPONENT else amount, "f")


def _is_unspsc(code: str) -> bool:
    return len(code) == _UNSPSC_DIGITS and code.isascii() and code.isdigit()


def _quantity(quantity: Decimal) -> str:
    if not quantity.is_finite() or quantity <= 0:
        raise OutboundDocumentError("a quantity must be a number greater than zero")
    return format(quantity, "f")
