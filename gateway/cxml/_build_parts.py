"""The elements cXML documents share, built in DTD order: items, item details, addresses,
contacts, money and extrinsics. A value that would make the document invalid raises
`OutboundDocumentError`. Used by `build`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from gateway.cxml.documents import (
    Address,
    Charge,
    Contact,
    Extrinsic,
    ItemDetail,
    ItemID,
    ItemIn,
    ItemOut,
    Money,
)
from gateway.cxml.errors import OutboundDocumentError

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_UNSPSC_DIGITS = 8

_SubElement = etree.SubElement


def add_items_in(parent: etree._Element, items: Iterable[ItemIn]) -> None:
    """Append an ItemIn for each item: written as text and parsed by libxml2 in one call, which
    is several times faster than a SubElement per node for a large cart, and gives the same
    tree (every value is escaped; a character XML cannot carry raises OutboundDocumentError)."""
    text = "".join(map(_item_in_text, items))
    if not text:
        return
    try:
        wrapper = etree.fromstring(f"<i>{text}</i>", _OWN_TEXT)  # noqa: TID251 - our own text
    except etree.XMLSyntaxError as error:
        raise OutboundDocumentError(f"text not allowed in XML: {error}") from None
    parent.extend(wrapper)


# Our own escaped text, not untrusted input: nothing to load, no size limit beyond libxml2's.
_OWN_TEXT = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _t(value: str | None) -> str:
    """`value` escaped for element content (a carriage return as a reference: it would read
    back as a line feed)."""
    if value is None:
        return ""
    # chained replaces: each a C scan that returns `value` itself when there is nothing to
    # replace, cheaper than a regex test or `str.translate` for the short values of a cart
    return (
        value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def _a(value: str) -> str:
    """`value` escaped for a double-quoted attribute (tabs and line ends as references: they
    would read back as spaces)."""
    return _t(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")


def _item_in_text(item: ItemIn) -> str:
    """One ItemIn as XML text, in the order and with the checks of `add_item_detail`."""
    detail = item.detail
    if not detail.classifications:
        raise OutboundDocumentError("an ItemDetail needs at least one Classification")
    aux = item.item_id.supplier_part_auxiliary_id
    parts = [
        f'<ItemIn quantity="{format_quantity(item.quantity)}"><ItemID>'
        f"<SupplierPartID>{_t(item.item_id.supplier_part_id)}</SupplierPartID>",
        "" if aux is None else f"<SupplierPartAuxiliaryID>{_t(aux)}</SupplierPartAuxiliaryID>",
        f'</ItemID><ItemDetail><UnitPrice><Money currency="{_a(detail.unit_price.currency)}">'
        f"{format_amount(detail.unit_price.amount)}</Money></UnitPrice>"
        f'<Description xml:lang="{_a(detail.lang)}">',
        "" if detail.short_name is None else f"<ShortName>{_t(detail.short_name)}</ShortName>",
        f"{_t(detail.description)}</Description>"
        f"<UnitOfMeasure>{_t(detail.unit_of_measure)}</UnitOfMeasure>",
    ]
    for classification in detail.classifications:
        if classification.domain.upper() == "UNSPSC" and not _is_unspsc(classification.code):
            raise OutboundDocumentError("a UNSPSC Classification needs an eight-digit code")
        parts.append(
            f'<Classification domain="{_a(classification.domain)}">'
            f"{_t(classification.code)}</Classification>"
        )
    if detail.manufacturer_part_id is not None:
        parts.append(f"<ManufacturerPartID>{_t(detail.manufacturer_part_id)}</ManufacturerPartID>")
    if detail.manufacturer_name is not None:
        parts.append(f"<ManufacturerName>{_t(detail.manufacturer_name)}</ManufacturerName>")
    if detail.url is not None:
        parts.append(f"<URL>{_t(detail.url)}</URL>")
    if detail.lead_time is not None:
        if detail.lead_time < 0:
            raise OutboundDocumentError("LeadTime must not be negative")
        parts.append(f"<LeadTime>{detail.lead_time}</LeadTime>")
    for extrinsic in detail.extrinsics:
        parts.append(f'<Extrinsic name="{_a(extrinsic.name)}">{_t(extrinsic.value)}</Extrinsic>')
    parts.append("</ItemDetail></ItemIn>")
    return "".join(parts)


def add_item_out(parent: etree._Element, item: ItemOut, lang: str = "en-US") -> None:
    node = _SubElement(parent, "ItemOut", quantity=format_quantity(item.quantity))
    if item.line_number is not None:
        node.set("lineNumber", str(item.line_number))
    if item.requested_delivery_date is not None:
        node.set("requestedDeliveryDate", item.requested_delivery_date.isoformat())
    add_item_id(node, item.item_id)
    if item.detail is not None:
        add_item_detail(_SubElement(node, "ItemDetail"), item.detail)
    if item.comments:
        _SubElement(node, "Comments", {XML_LANG: lang}).text = item.comments


def add_contact(parent: etree._Element, contact: Contact, lang: str) -> None:
    if not contact.name:
        raise OutboundDocumentError("a Contact needs a Name")
    node = _SubElement(parent, "Contact")
    if contact.role is not None:
        node.set("role", contact.role)
    _SubElement(node, "Name", {XML_LANG: lang}).text = contact.name
    if contact.email is not None:
        _SubElement(node, "Email").text = contact.email


def add_address(element: etree._Element, address: Address, lang: str) -> None:
    if not address.name:
        raise OutboundDocumentError("an Address needs a Name")
    if address.address_id is not None:
        element.set("addressID", address.address_id)
    _SubElement(element, "Name", {XML_LANG: lang}).text = address.name
    if address.streets and address.city and address.country_code:
        postal = _SubElement(element, "PostalAddress")
        for line in address.deliver_to:
            _SubElement(postal, "DeliverTo").text = line
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


def add_extrinsics(parent: etree._Element, extrinsics: Iterable[Extrinsic]) -> None:
    for extrinsic in extrinsics:
        _SubElement(parent, "Extrinsic", name=extrinsic.name).text = extrinsic.value


def add_charge(element: etree._Element, charge: Charge) -> None:
    add_money(element, charge.money)
    _SubElement(element, "Description", {XML_LANG: charge.lang}).text = charge.description


def add_item_id(parent: etree._Element, item_id: ItemID) -> None:
    node = _SubElement(parent, "ItemID")
    _SubElement(node, "SupplierPartID").text = item_id.supplier_part_id
    if item_id.supplier_part_auxiliary_id is not None:
        _SubElement(node, "SupplierPartAuxiliaryID").text = item_id.supplier_part_auxiliary_id


def add_item_detail(element: etree._Element, detail: ItemDetail) -> None:
    if not detail.classifications:
        raise OutboundDocumentError("an ItemDetail needs at least one Classification")
    add_money(_SubElement(element, "UnitPrice"), detail.unit_price)
    description = _SubElement(element, "Description", {XML_LANG: detail.lang})
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
    add_extrinsics(element, detail.extrinsics)


def add_money(parent: etree._Element, money: Money) -> None:
    _SubElement(parent, "Money", currency=money.currency).text = format_amount(money.amount)


def format_amount(amount: Decimal) -> str:
    """At least two decimals, never an exponent: 12 -> 12.00, 1.5 -> 1.50, 1.2345 stays."""
    if not amount.is_finite():
        raise OutboundDocumentError("a Money amount must be a finite number")
    text = format(amount, "f")  # padded as text: a third of the cost of quantize()
    point = text.find(".")
    if point < 0:
        return f"{text}.00"
    missing = point + 3 - len(text)
    return text + "0" * missing if missing > 0 else text


def _is_unspsc(code: str) -> bool:
    return len(code) == _UNSPSC_DIGITS and code.isascii() and code.isdigit()


def format_quantity(quantity: Decimal) -> str:
    if not quantity.is_finite() or quantity <= 0:
        raise OutboundDocumentError("a quantity must be a number greater than zero")
    return format(quantity, "f")
