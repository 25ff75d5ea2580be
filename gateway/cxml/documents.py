"""cXML documents as plain frozen dataclasses; `parse` produces them and `build` consumes them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from datetime import date, datetime
    from decimal import Decimal

    from gateway.cxml.status import StatusCode


class Operation(StrEnum):
    """`PunchOutSetupRequest/@operation` and `PunchOutOrderMessageHeader/@operationAllowed`."""

    CREATE = "create"
    INSPECT = "inspect"
    EDIT = "edit"
    SOURCE = "source"


class OrderRequestType(StrEnum):
    """`OrderRequestHeader/@type`: a new order, or a change or cancellation of one (A.8)."""

    NEW = "new"
    UPDATE = "update"
    DELETE = "delete"


class CartEncoding(StrEnum):
    """How the cart-return form carries the PunchOutOrderMessage (protocol-notes A.6)."""

    BASE64 = "base64"
    URLENCODED = "urlencoded"


@dataclass(frozen=True, slots=True, kw_only=True)
class CredentialMac:
    """A `CredentialMac` (protocol-notes A.3); the dates are kept exactly as written."""

    value: str
    type: str
    algorithm: str
    creation_date: str
    expiration_date: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Credential:
    """One `Credential`: a domain, an identity and, on Requests only, a secret or a MAC."""

    domain: str
    identity: str
    shared_secret: str | None = None
    credential_mac: CredentialMac | None = None

    def matches(self, domain: str, identity: str) -> bool:
        """Same domain (case-insensitively) and the same identity (exactly, after strip)."""
        return self.domain.casefold() == domain.casefold() and self.identity == identity.strip()


@dataclass(frozen=True, slots=True, kw_only=True)
class Header:
    """`From` (originator), `To` (destination) and `Sender` (who opened the connection)."""

    from_credentials: tuple[Credential, ...]
    to_credentials: tuple[Credential, ...]
    sender_credentials: tuple[Credential, ...]
    user_agent: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Extrinsic:
    """A named extension value; its content is read as text."""

    name: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Money:
    """An amount in an ISO 4217 currency."""

    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Charge:
    """A `Shipping` or `Tax` charge: Money plus its Description."""

    money: Money
    description: str
    lang: str = "en-US"


@dataclass(frozen=True, slots=True, kw_only=True)
class Classification:
    """`Classification/@domain` (e.g. UNSPSC) and the code in its content."""

    domain: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemID:
    """Our part number and the auxiliary id (SPAID) we issued for a cart line."""

    supplier_part_id: str
    supplier_part_auxiliary_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemDetail:
    """What a buyer sees about a line; fields in DTD order."""

    unit_price: Money
    description: str
    unit_of_measure: str
    short_name: str | None = None
    classifications: tuple[Classification, ...] = ()
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    url: str | None = None
    lead_time: int | None = None
    extrinsics: tuple[Extrinsic, ...] = ()
    lang: str = "en-US"


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemIn:
    """A cart line we return in a PunchOutOrderMessage."""

    quantity: Decimal
    item_id: ItemID
    detail: ItemDetail


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemOut:
    """A line the buyer sends back (edit/inspect setup requests, later OrderRequests)."""

    quantity: Decimal
    item_id: ItemID
    line_number: int | None = None
    detail: ItemDetail | None = None
    requested_delivery_date: date | None = None
    comments: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """A `Contact` of a setup request: usually the end user."""

    role: str | None = None
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A `ShipTo/Address`, kept modest."""

    address_id: str | None = None
    name: str | None = None
    deliver_to: tuple[str, ...] = ()  # PostalAddress/DeliverTo: a dock, a room, a person
    streets: tuple[str, ...] = ()
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Status:
    """A cXML `Status`: the code, the text (phrase + reason) and optional detail content."""

    code: StatusCode
    text: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PunchOutSetupRequest:
    """The buyer opens a punchout session (protocol-notes A.5)."""

    operation: Operation
    buyer_cookie: str
    browser_form_post_url: str | None = None
    extrinsics: tuple[Extrinsic, ...] = ()
    contacts: tuple[Contact, ...] = ()
    ship_to: Address | None = None
    selected_item: ItemID | None = None
    items: tuple[ItemOut, ...] = ()

    def extrinsic(self, name: str) -> str | None:
        """The value of the first extrinsic called `name` (case-insensitively), else None."""
        wanted = name.casefold()
        return next((e.value for e in self.extrinsics if e.name.casefold() == wanted), None)

    @property
    def user_email(self) -> str | None:
        """The user's email: extrinsic `UserEmail`, else a Contact's email (endUser first)."""
        return self.extrinsic("UserEmail") or next(
            (c.email for c in self._contacts_by_role() if c.email), None
        )

    @property
    def user_name(self) -> str | None:
        """The user's name: extrinsic `UniqueName`, else a Contact's name (endUser first)."""
        return self.extrinsic("UniqueName") or next(
            (c.name for c in self._contacts_by_role() if c.name), None
        )

    def _contacts_by_role(self) -> list[Contact]:
        return sorted(self.contacts, key=lambda c: c.role != "endUser")


@dataclass(frozen=True, slots=True, kw_only=True)
class PunchOutSetupResponse:
    """Where the buyer's browser starts the session."""

    start_page_url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PunchOutOrderMessage:
    """The cart we return through the browser (protocol-notes A.6)."""

    buyer_cookie: str
    operation_allowed: Operation
    total: Money
    items: tuple[ItemIn, ...] = ()
    shipping: Charge | None = None
    tax: Charge | None = None
    status: Status | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileRequest:
    """The profile transaction's request (also used as a ping); it has no content."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderRequest:
    """A purchase order (protocol-notes A.8); `items` keep their document order.

    `document_reference` is the payloadID of the original order an update or delete refers to.
    Lines without `lineNumber` are numbered by their 1-based position (house rule).
    """

    order_id: str
    order_date: datetime
    type: OrderRequestType
    total: Money
    items: tuple[ItemOut, ...]
    order_type: str = "regular"
    order_version: int | None = None
    ship_to: Address | None = None
    bill_to: Address | None = None
    shipping: Charge | None = None
    tax: Charge | None = None
    comments: str = ""
    document_reference: str | None = None
    extrinsics: tuple[Extrinsic, ...] = ()


class ConfirmationType(StrEnum):
    """`ConfirmationHeader/@type` values we send."""

    ACCEPT = "accept"
    REJECT = "reject"
    DETAIL = "detail"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderReference:
    """The buyer's order a confirmation or ship notice is about."""

    order_id: str
    payload_id: str  # of the OrderRequest
    order_date: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmationStatus:
    """What happens to (part of) a line: `accept`, `reject`, `backordered` or `detail`."""

    type: str
    quantity: Decimal
    unit_of_measure: str
    delivery_date: datetime | None = None
    shipment_date: datetime | None = None
    unit_price: Money | None = None
    comments: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmationItem:
    """A confirmed line: the ItemOut's lineNumber and quantity, then its statuses."""

    line_number: int
    quantity: Decimal
    unit_of_measure: str
    statuses: tuple[ConfirmationStatus, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmationRequest:
    """An order confirmation (Fulfill.dtd): accept or reject all, or detail changed lines."""

    type: ConfirmationType
    notice_date: datetime
    order: OrderReference
    confirm_id: str | None = None
    comments: str = ""
    items: tuple[ConfirmationItem, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipNoticeItem:
    """A shipped quantity of one order line."""

    line_number: int
    quantity: Decimal
    unit_of_measure: str
    item_id: ItemID | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipNoticeRequest:
    """A ship notice (Fulfill.dtd) for one order."""

    shipment_id: str
    notice_date: datetime
    order: OrderReference
    items: tuple[ShipNoticeItem, ...]
    shipment_date: datetime | None = None
    delivery_date: datetime | None = None
    carrier: str | None = None  # CarrierIdentifier domain="companyName"
    tracking_number: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceParty:
    """A party of an invoice (`InvoicePartner/Contact`): `from` (us), `billTo` (the customer)."""

    role: str
    name: str
    address: Address | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceLine:
    """One invoiced line: the order line it bills, at what quantity and price."""

    invoice_line_number: int
    line_number: int  # of the order
    quantity: Decimal
    unit_of_measure: str
    unit_price: Money
    subtotal: Money
    item_id: ItemID | None = None
    description: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TaxLine:
    """The VAT of one rate: its base and amount (`TaxDetail category="vat"`)."""

    rate: Decimal
    taxable: Money
    tax: Money


@dataclass(frozen=True, slots=True, kw_only=True)
class InvoiceDetailRequest:
    """A standard invoice for one order (InvoiceDetail.dtd): what was shipped, VAT per rate."""

    invoice_id: str
    invoice_date: datetime
    order: OrderReference
    lines: tuple[InvoiceLine, ...]
    subtotal: Money
    tax: Money
    tax_lines: tuple[TaxLine, ...]
    net: Money  # subtotal plus tax: what is due
    parties: tuple[InvoiceParty, ...] = ()
    comments: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusUpdateRequest:
    """The final status of an asynchronously acknowledged document."""

    document_reference: str
    status: Status


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileOption:
    """An `Option name=…` of a ProfileResponse or of one of its transactions."""

    name: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileTransaction:
    """A request we accept, where, and its options."""

    request_name: str
    url: str
    options: tuple[ProfileOption, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileResponse:
    """The answer to a ProfileRequest: service options first, then the transactions (A.4)."""

    effective_date: datetime
    transactions: tuple[ProfileTransaction, ...]
    options: tuple[ProfileOption, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Response:
    """A reply: a Status and, on success, a body."""

    status: Status
    body: PunchOutSetupResponse | ProfileResponse | None = None


Payload: TypeAlias = (
    PunchOutSetupRequest
    | ProfileRequest
    | OrderRequest
    | ConfirmationRequest
    | ShipNoticeRequest
    | InvoiceDetailRequest
    | StatusUpdateRequest
    | PunchOutOrderMessage
    | Response
)

#: documents declared by Fulfill.dtd rather than cXML.dtd (DESIGN.md §4.1)
FULFILL_DOCUMENTS = (ConfirmationRequest, ShipNoticeRequest)


@dataclass(frozen=True, slots=True, kw_only=True)
class CXMLDocument:
    """A whole cXML document: the envelope attributes, the Header and one payload."""

    payload_id: str
    timestamp: datetime
    header: Header | None
    payload: Payload
    version: str | None = None
    deployment_mode: str = "production"
    lang: str | None = None
