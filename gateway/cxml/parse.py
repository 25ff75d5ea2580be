"""Untrusted cXML bytes → `CXMLDocument`: strict on safety and datatypes, lenient on structure.

Elements are found by name, not position, and unknown elements, attributes and extrinsics are
ignored (real buyers break the DTD's order; protocol-notes A.12). Security-relevant text
(identities, secrets, cookies, part ids) is read with `text_of`, which a comment cannot cut
short. Every refusal is a `CXMLError` whose reason names the element, never its content.
"""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime

from lxml import etree

from gateway.cxml import schema
from gateway.cxml._tree import (
    as_utc_if_naive,
    children_of,
    first_child,
    optional_from,
    optional_text,
    optional_text_of,
    path_of,
    read_deployment_mode,
    read_money,
    read_quantity,
    read_timestamp,
    read_whole,
    required_attribute,
    required_child,
    required_of,
    required_text,
    required_text_of,
)
from gateway.cxml.documents import (
    Address,
    Charge,
    Classification,
    Contact,
    Credential,
    CredentialMac,
    CXMLDocument,
    Extrinsic,
    Header,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Operation,
    OrderRequest,
    OrderRequestType,
    Payload,
    ProfileRequest,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    Response,
    Status,
)
from gateway.cxml.errors import InboundDocumentError, UnsupportedDocumentError
from gateway.cxml.hardened_xml import DEFAULT_LIMITS, DTD_URL, ParserLimits, parse_xml, text_of
from gateway.cxml.status import StatusCode

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: A date (month and day may lack their leading zero), then an optional time and zone.
_ORDER_DATE = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_STATUS_CODES = {str(code.value): code for code in StatusCode}
_ALLOWED = (Operation.CREATE, Operation.INSPECT, Operation.EDIT)


def parse(body: bytes, *, limits: ParserLimits = DEFAULT_LIMITS) -> CXMLDocument:
    """Parse a cXML Request, Message or Response; raise a `CXMLError` with its status if unusable.

    Supported: Request/PunchOutSetupRequest (checked against our XSD first, so datatype faults
    are answered with their path), Request/ProfileRequest, Message/PunchOutOrderMessage and
    Response (Status, optional PunchOutSetupResponse; other response bodies are ignored). Any
    other request or message, and an unknown setup operation, raise `UnsupportedDocumentError`
    (450); everything unusable raises `InboundDocumentError` (406).

    The root `timestamp` and `orderDate` are read leniently, as real buyers send them: `Z` as
    +00:00, a numeric offset as written, and no zone at all as UTC.
    """
    root = parse_xml(body, limits=limits)
    if not isinstance(root.tag, str) or root.tag.lower() != "cxml":
        raise InboundDocumentError("the root element must be cXML")
    bodies = list(root.iterchildren("Request", "Message", "Response"))
    if len(bodies) != 1:
        raise InboundDocumentError("cXML must hold exactly one Request, Message or Response")
    container = bodies[0]
    payload: Payload
    if container.tag == "Response":
        payload = _response(container)
    elif container.tag == "Request":
        payload = _request(container, root)
    else:
        payload = _message(container)
    header_element = root.find("Header")
    if header_element is None and container.tag != "Response":
        raise InboundDocumentError("cXML has no Header")
    doctype = DTD_URL.fullmatch(root.getroottree().docinfo.system_url or "")
    return CXMLDocument(
        payload_id=required_attribute(root, "payloadID"),
        timestamp=read_timestamp(root),
        header=None if header_element is None else _header(header_element),
        payload=payload,
        version=doctype.group(1) if doctype else None,
        deployment_mode=read_deployment_mode(container),
        lang=root.get(_XML_LANG),
    )


# --- envelope -------------------------------------------------------------------------------


def _request(container: etree._Element, root: etree._Element) -> Payload:
    element = first_child(container)
    if element is None:
        raise InboundDocumentError("Request is empty")
    if element.tag == "PunchOutSetupRequest":
        operation = _operation(element)
        schema.validate(root, schema.SchemaName.PUNCHOUT_SETUP_REQUEST)
        return _setup_request(element, operation)
    if element.tag == "ProfileRequest":
        return ProfileRequest()
    if element.tag == "OrderRequest":
        return _order_request(element)
    raise UnsupportedDocumentError(f"{etree.QName(element).localname} is not supported")


def _message(container: etree._Element) -> PunchOutOrderMessage:
    element = container.find("PunchOutOrderMessage")
    if element is None:
        children = container.iterchildren(tag=etree.Element)
        other = next((child for child in children if child.tag != "Status"), None)
        if other is None:
            raise InboundDocumentError("Message is empty")
        raise UnsupportedDocumentError(f"{etree.QName(other).localname} is not supported")
    status = container.find("Status")
    return _order_message(element, None if status is None else _status(status))


def _response(container: etree._Element) -> Response:
    setup = container.find("PunchOutSetupResponse")
    return Response(
        status=_status(required_child(container, "Status")),
        body=None
        if setup is None
        else PunchOutSetupResponse(
            start_page_url=required_text(required_child(setup, "StartPage"), "URL")
        ),
    )


def _header(element: etree._Element) -> Header:
    sender = required_child(element, "Sender")
    return Header(
        from_credentials=_credentials(required_child(element, "From"), required=True),
        to_credentials=_credentials(element.find("To"), required=False),
        sender_credentials=_credentials(sender, required=True),
        user_agent=optional_text(sender, "UserAgent"),
    )


def _credentials(party: etree._Element | None, *, required: bool) -> tuple[Credential, ...]:
    found = () if party is None else tuple(map(_credential, party.iterchildren("Credential")))
    if required and not found:
        raise InboundDocumentError(f"{path_of(party)} has no Credential")
    return found


def _credential(element: etree._Element) -> Credential:
    secret = element.find("SharedSecret")
    mac = element.find("CredentialMac")
    return Credential(
        domain=required_attribute(element, "domain"),
        identity=required_text(element, "Identity"),
        shared_secret=None if secret is None else text_of(secret),
        credential_mac=None if mac is None else _credential_mac(mac),
    )


def _credential_mac(element: etree._Element) -> CredentialMac:
    return CredentialMac(
        value=text_of(element),
        type=required_attribute(element, "type"),
        algorithm=required_attribute(element, "algorithm"),
        creation_date=required_attribute(element, "creationDate"),
        expiration_date=required_attribute(element, "expirationDate"),
    )


def _status(element: etree._Element) -> Status:
    code = _STATUS_CODES.get(element.get("code", "").strip())
    if code is None:
        raise InboundDocumentError(f"{path_of(element)}/@code: must be a cXML status code")
    return Status(
        code=code,
        text=required_attribute(element, "text"),
        detail=text_of(element),
    )


# --- punchout documents ---------------------------------------------------------------------


def _operation(element: etree._Element) -> Operation:
    raw = required_attribute(element, "operation")
    try:
        return Operation(raw)
    except ValueError:
        raise UnsupportedDocumentError("PunchOutSetupRequest operation is not supported") from None


def _setup_request(element: etree._Element, operation: Operation) -> PunchOutSetupRequest:
    form_post = element.find("BrowserFormPost")
    ship_to = element.find("ShipTo/Address")
    selected = element.find("SelectedItem")
    return PunchOutSetupRequest(
        operation=operation,
        buyer_cookie=_buyer_cookie(element),
        browser_form_post_url=None if form_post is None else optional_text(form_post, "URL"),
        extrinsics=_extrinsics(element),
        contacts=tuple(
            Contact(
                role=contact.get("role"),
                name=optional_text(contact, "Name"),
                email=optional_text(contact, "Email"),
            )
            for contact in element.iterchildren("Contact")
        ),
        ship_to=None if ship_to is None else _address(ship_to),
        selected_item=None if selected is None else _item_id(required_child(selected, "ItemID")),
        items=tuple(map(_item_out, element.iterchildren("ItemOut"))),
    )


def _order_message(element: etree._Element, status: Status | None) -> PunchOutOrderMessage:
    header = required_child(element, "PunchOutOrderMessageHeader")
    allowed = required_attribute(header, "operationAllowed")
    if allowed not in _ALLOWED:
        raise InboundDocumentError(
            f"{path_of(header)}/@operationAllowed: must be one of create, inspect, edit"
        )
    shipping = header.find("Shipping")
    tax = header.find("Tax")
    return PunchOutOrderMessage(
        buyer_cookie=_buyer_cookie(element),
        operation_allowed=Operation(allowed),
        total=read_money(required_child(required_child(header, "Total"), "Money")),
        items=tuple(map(_item_in, element.iterchildren("ItemIn"))),
        shipping=None if shipping is None else _charge(shipping),
        tax=None if tax is None else _charge(tax),
        status=status,
    )


def _order_request(element: etree._Element) -> OrderRequest:
    header = required_child(element, "OrderRequestHeader")
    raw_type = header.get("type", "new").strip()
    try:
        request_type = OrderRequestType(raw_type)
    except ValueError:
        raise InboundDocumentError(
            f"{path_of(header)}/@type: must be new, update or delete"
        ) from None
    version = header.get("orderVersion")
    reference = header.find("DocumentReference")
    ship_to = header.find("ShipTo/Address")
    bill_to = header.find("BillTo/Address")
    shipping = header.find("Shipping")
    tax = header.find("Tax")
    items = list(element.iterchildren("ItemOut"))
    if not items:
        raise InboundDocumentError(f"{path_of(element)} has no ItemOut")
    return OrderRequest(
        order_id=required_attribute(header, "orderID"),
        order_date=_order_date(header),
        type=request_type,
        order_type=header.get("orderType", "regular").strip() or "regular",
        order_version=None
        if version is None
        else read_whole(version, header, "/@orderVersion", "a whole number from 1", minimum=1),
        total=read_money(required_child(required_child(header, "Total"), "Money")),
        ship_to=None if ship_to is None else _address(ship_to),
        bill_to=None if bill_to is None else _address(bill_to),
        shipping=None if shipping is None else _charge(shipping),
        tax=None if tax is None else _charge(tax),
        comments=_comments(header),
        document_reference=None
        if reference is None
        else required_attribute(reference, "payloadID"),
        extrinsics=_extrinsics(header),
        items=tuple(
            _item_out(item, position=position) for position, item in enumerate(items, start=1)
        ),
    )


def _comments(element: etree._Element) -> str:
    return "\n".join(text for c in element.iterchildren("Comments") if (text := text_of(c)))


def _order_date(header: etree._Element) -> datetime:
    """`orderDate`; a missing zone is read as UTC and a missing time as midnight (some buyers
    omit them, A.12). A calendar date that does not exist is refused as such."""
    where = f"{path_of(header)}/@orderDate"
    match = _ORDER_DATE.fullmatch(required_attribute(header, "orderDate").strip())
    if match is not None:
        year, month, day = (int(part) for part in match.group(1, 2, 3))
        try:
            date(year, month, day)
        except ValueError:
            raise InboundDocumentError(
                f"{where}: is not a date that exists (months run from 1 to 12, "
                "days to the end of their month)"
            ) from None
        with contextlib.suppress(ValueError):  # e.g. hour 25
            moment = datetime.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}{match[4] or ''}")
            return as_utc_if_naive(moment)
    raise InboundDocumentError(
        f"{where}: must be an ISO 8601 date, optionally with a time, "
        "such as 2024-05-01T10:00:00+02:00"
    )


def _buyer_cookie(element: etree._Element) -> str:
    return required_text(element, "BuyerCookie")


def _item_out(element: etree._Element, *, position: int | None = None) -> ItemOut:
    """An ItemOut; with `position` (OrderRequest lines) a missing lineNumber becomes it."""
    children = children_of(element)
    detail = children.get("ItemDetail")
    line_number = element.get("lineNumber")
    delivery = element.get("requestedDeliveryDate")
    return ItemOut(
        quantity=read_quantity(element),
        item_id=_item_id(required_of(children, element, "ItemID")),
        line_number=position
        if line_number is None
        else read_whole(line_number, element, "/@lineNumber", "a whole number from 1", minimum=1),
        detail=None if detail is None else _item_detail(detail),
        requested_delivery_date=None if delivery is None else _date(delivery, element),
        comments="" if "Comments" not in children else _comments(element),
    )


def _date(raw: str, element: etree._Element) -> date:
    """`requestedDeliveryDate`: the date part of an ISO 8601 date or date and time."""
    raw = raw.strip()
    if _DATE.match(raw):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(raw[:10])
    raise InboundDocumentError(
        f"{path_of(element)}/@requestedDeliveryDate: must be an ISO 8601 date"
    )


def _item_in(element: etree._Element) -> ItemIn:
    return ItemIn(
        quantity=read_quantity(element),
        item_id=_item_id(required_child(element, "ItemID")),
        detail=_item_detail(required_child(element, "ItemDetail")),
    )


def _item_id(element: etree._Element) -> ItemID:
    children = children_of(element)
    return ItemID(
        supplier_part_id=required_text_of(children, element, "SupplierPartID"),
        supplier_part_auxiliary_id=optional_text_of(children, "SupplierPartAuxiliaryID"),
    )


def _item_detail(element: etree._Element) -> ItemDetail:
    children = children_of(element)
    description = required_of(children, element, "Description")
    lead_time = children.get("LeadTime")
    unit_price = required_of(children, element, "UnitPrice")
    return ItemDetail(
        unit_price=read_money(required_child(unit_price, "Money")),
        description=_description_text(description),
        short_name=optional_text(description, "ShortName"),
        unit_of_measure=required_text_of(children, element, "UnitOfMeasure"),
        classifications=()
        if "Classification" not in children
        else tuple(
            Classification(domain=required_attribute(c, "domain"), code=text_of(c))
            for c in element.iterchildren("Classification")
        ),
        manufacturer_part_id=optional_text_of(children, "ManufacturerPartID"),
        manufacturer_name=optional_text_of(children, "ManufacturerName"),
        url=optional_text_of(children, "URL"),
        lead_time=None
        if lead_time is None
        else read_whole(text_of(lead_time), lead_time, "", "a whole number of days", minimum=0),
        extrinsics=() if "Extrinsic" not in children else _extrinsics(element),
        lang=description.get(_XML_LANG, "en-US"),
    )


def _description_text(element: etree._Element) -> str:
    """The Description's own text, without the ShortName inside it."""
    return ((element.text or "") + "".join(child.tail or "" for child in element)).strip()


def _extrinsics(element: etree._Element) -> tuple[Extrinsic, ...]:
    return tuple(
        Extrinsic(name=name, value=text_of(extrinsic))
        for extrinsic in element.iterchildren("Extrinsic")
        if (name := extrinsic.get("name", "").strip())
    )


def _address(element: etree._Element) -> Address:
    postal = element.find("PostalAddress")
    country = None if postal is None else postal.find("Country")
    return Address(
        address_id=element.get("addressID"),
        name=optional_text(element, "Name"),
        deliver_to=()
        if postal is None
        else tuple(text for d in postal.iterchildren("DeliverTo") if (text := text_of(d))),
        streets=()
        if postal is None
        else tuple(text for s in postal.iterchildren("Street") if (text := text_of(s))),
        city=optional_from(postal, "City"),
        state=optional_from(postal, "State"),
        postal_code=optional_from(postal, "PostalCode"),
        country_code=None if country is None else country.get("isoCountryCode"),
        email=optional_text(element, "Email"),
        phone=_phone(element.find("Phone")),
    )


def _phone(element: etree._Element | None) -> str | None:
    number = None if element is None else element.find("TelephoneNumber")
    if number is None:
        return None
    parts = (
        optional_text(number, "CountryCode"),
        optional_text(number, "AreaOrCityCode"),
        optional_text(number, "Number"),
    )
    return " ".join(part for part in parts if part) or None


def _charge(element: etree._Element) -> Charge:
    description = required_child(element, "Description")
    return Charge(
        money=read_money(required_child(element, "Money")),
        description=_description_text(description),
        lang=description.get(_XML_LANG, "en-US"),
    )
