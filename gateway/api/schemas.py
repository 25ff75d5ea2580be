"""The API's request and response bodies, as pydantic models: the OpenAPI document's schemas
come from these (spectree), and so does the checking of what comes in and goes out."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from gateway.models import OrderStatus

Money = str  # a decimal as text ("12.50"), never a float
PRICE_PATTERN = r"^\d{1,9}(\.\d{1,4})?$"  # as stored: 4 decimals
QUANTITY_PATTERN = r"^\d{1,9}(\.\d{1,3})?$"  # 3 decimals
# Patterns read alike by every regex dialect (JSON Schema's, pydantic's, Python's): ASCII only
NAMED = r"[0-9A-Za-z]"  # a name has a letter or digit somewhere
SKU_PATTERN = r"^[!-.0-~]([ -.0-~]{0,62}[!-.0-~])?$"  # printable ASCII but "/", no outer blanks


def _iso_text(value: object) -> object:
    """A moment must be ISO 8601 text: pydantic would also read a number as a Unix time."""
    if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\dT", value):
        raise ValueError("an ISO 8601 date and time with its offset, 2026-11-05T00:00:00+01:00")
    return value


Moment = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


class FieldError(BaseModel):
    """One refused field: where it is (`body.carrier`, `query.limit`) and why."""

    field: str
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem: `detail` says what went wrong, `errors` which fields."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


MAX_ID = 2**31 - 1  # the largest row id (INTEGER keys on PostgreSQL)


def after_id(cursor: str | None) -> int:
    """The row id a page starts after; a cursor past every id starts after the last one (a
    larger number would not fit the database's integer)."""
    return min(int(cursor or 0), MAX_ID)


class Strict(BaseModel):
    """A request body or query: unknown fields are refused, not ignored, and so is text no
    database can hold (JSON may carry a NUL character or half of a surrogate pair)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        _check_text(data, ())
        return data


def _check_text(value: Any, path: tuple[str, ...]) -> None:
    if isinstance(value, str):
        if "\0" in value or _has_lone_surrogate(value):
            where = ".".join(path) or "text"
            raise ValueError(f"{where}: no NUL characters or unpaired surrogates")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_text(item, (*path, str(index)))


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


SourceName = Literal["shop", "cxml", "oci", "guest", "staff"]  # the desk's `Source.ALL`


class OrderQuery(Strict):
    """Filters of the order list; `cursor` continues after the page that returned it."""

    customer: str | None = Field(None, max_length=32, description="A customer number.")
    status: OrderStatus | None = None
    source: SourceName | None = None
    updated_since: Moment | None = Field(
        None, description="Placed or changed at or after this moment (ISO 8601 with offset)."
    )
    cursor: str | None = Field(
        None, pattern=r"^\d{1,18}$", description="The `next_cursor` of the page before."
    )
    limit: int = Field(50, ge=1, le=200)


class OrderSummary(BaseModel):
    """An order as the list shows it."""

    number: str
    customer: str = Field(description="The customer number.")
    status: str
    source: str
    buyer_po_number: str | None
    currency: str
    net_total: Money
    tax_total: Money
    total: Money = Field(description="Net, VAT and shipping.")
    placed_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    """One page of orders, oldest first; `next_cursor` is null on the last page."""

    items: list[OrderSummary]
    next_cursor: str | None


class OrderLineOut(BaseModel):
    """One line with what was confirmed, shipped and invoiced of it."""

    line_number: int
    sku: str
    description: str
    unit: str
    quantity: Money
    unit_price: Money
    net_amount: Money
    vat_rate: Money
    confirmed_quantity: Money | None
    shipped: Money
    invoiced: Money


class TrailDocument(BaseModel):
    """A document received from or sent to the buyer's system for this order."""

    direction: str
    document_type: str
    payload_id: str
    status: str
    at: datetime


class StatusChange(BaseModel):
    """One step of the order's history."""

    status: str
    at: datetime
    note: str


class OrderDetail(OrderSummary):
    """An order with its lines, addresses, documents and history."""

    shipping_total: Money
    requested_delivery_date: date | None
    comment: str
    ship_to: dict[str, str] | None
    bill_to: dict[str, str] | None
    lines: list[OrderLineOut]
    trail: list[TrailDocument]
    history: list[StatusChange]
    actions: list[str] = Field(description="The status actions this token may take now.")


class LineChangeIn(Strict):
    """A line confirmed with another quantity (the rest backordered), price or date."""

    line_number: int = Field(ge=1, le=100_000)
    quantity: str = Field(pattern=QUANTITY_PATTERN)
    unit_price: str | None = Field(None, pattern=PRICE_PATTERN)
    delivery_date: date | None = None


class ConfirmIn(Strict):
    """Confirm as ordered (no changes) or with changed lines."""

    changes: list[LineChangeIn] = Field(default_factory=list, max_length=1000)


class ShipLineIn(Strict):
    """How much of one line this shipment carries."""

    line_number: int = Field(ge=1, le=100_000)
    quantity: str = Field(pattern=QUANTITY_PATTERN)


class ShipIn(Strict):
    """A shipment: carrier and tracking number; without `lines`, everything not yet shipped."""

    carrier: str = Field(min_length=1, max_length=100)
    tracking_number: str = Field(min_length=1, max_length=100)
    lines: list[ShipLineIn] | None = Field(None, max_length=1000)


class RejectIn(Strict):
    """Why the order is rejected (sent to the buyer)."""

    reason: str = Field(min_length=1, max_length=500)


class Empty(Strict):
    """No fields."""


class ProductQuery(Strict):
    """Filters of the product list."""

    active: bool | None = None
    updated_since: Moment | None = Field(None, description="Changed at or after.")
    cursor: str | None = Field(
        None, pattern=r"^\d{1,18}$", description="The `next_cursor` of the page before."
    )
    limit: int = Field(100, ge=1, le=500)


class ProductIn(Strict):
    """A product's fields (its SKU is in the path); category, catalogs and picture stay as
    the catalog import set them."""

    name: str = Field(max_length=200, pattern=NAMED)
    name_nl: str = Field("", max_length=200)
    description: str = Field("", max_length=10_000)
    description_nl: str = Field("", max_length=10_000)
    unit: str = Field(pattern=r"^[A-Z0-9]{2,3}$", description="A UN/CEFACT unit code.")
    unspsc: str = Field(pattern=r"^\d{8}$")
    manufacturer_name: str | None = Field(None, max_length=120)
    manufacturer_part_id: str | None = Field(None, max_length=64)
    vat_class: Literal["standard", "reduced", "zero"] = "standard"
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    image_url: str | None = Field(None, max_length=500, pattern=r"^https?://[!-~]*$")
    list_price: str = Field(pattern=PRICE_PATTERN, description="Excl. VAT.")
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    active: bool = True


class ProductOut(BaseModel):
    """A product as the gateway sells it."""

    sku: str
    name: str
    name_nl: str
    description: str
    description_nl: str
    unit: str
    unspsc: str
    manufacturer_name: str | None
    manufacturer_part_id: str | None
    vat_class: str
    lead_time_days: int | None
    image_url: str | None
    list_price: Money
    currency: str
    active: bool
    updated_at: datetime


class ProductPage(BaseModel):
    """One page of products; `next_cursor` is null on the last page."""

    items: list[ProductOut]
    next_cursor: str | None


class PriceQuery(Strict):
    """Paging of a customer's prices."""

    cursor: str | None = Field(
        None, pattern=r"^\d{1,18}$", description="The `next_cursor` of the page before."
    )
    limit: int = Field(200, ge=1, le=1000)


class CatalogQuery(Strict):
    """Which catalog file of the customer (as `gateway catalog export` writes it)."""

    format: Literal["cif", "cxml", "bmecat"] = Field(
        description="CIF 3.0, a cXML Index or BMEcat 2005."
    )
    language: Literal["en", "nl"] = "en"
    since: date | None = Field(
        None, description="Only what changed after this day (UTC): an incremental file."
    )
    punchout_items: bool = Field(False, description="Level-2 punchout items.")
    prices_only: bool = Field(False, description="With `since` and bmecat: T_UPDATE_PRICES.")
    partner: str | None = Field(
        None, min_length=1, max_length=100, description="The customer's partner it is for."
    )


class CustomerPriceOut(BaseModel):
    """A contract price: from `min_quantity` on (a tier), `unit_price` excl. VAT."""

    price_list: str
    sku: str
    min_quantity: Money
    unit_price: Money
    currency: str


class CustomerPricePage(BaseModel):
    """One page of a customer's contract prices (of the price lists valid today)."""

    items: list[CustomerPriceOut]
    next_cursor: str | None


class PriceItemIn(Strict):
    """A price of a price list, by SKU and minimum quantity."""

    sku: str = Field(pattern=SKU_PATTERN)
    min_quantity: str = Field("1", pattern=QUANTITY_PATTERN)
    unit_price: str = Field(pattern=PRICE_PATTERN, description="Excl. VAT.")


class PriceItemsIn(Strict):
    """Prices to create or change (others of the list stay)."""

    items: list[PriceItemIn] = Field(min_length=1, max_length=1000)


class UpsertResult(BaseModel):
    """How many prices were created and how many changed."""

    created: int
    updated: int


class CustomerQuery(Strict):
    """Search the reachable customers (at most 100, by number)."""

    q: str | None = Field(
        None, max_length=100, description="Part of the name or number, or a user's e-mail."
    )


class AddressOut(BaseModel):
    """A billing or delivery address."""

    kind: str
    name: str
    street: str
    postcode: str
    city: str
    country: str
    is_default: bool


class CustomerOut(BaseModel):
    """A customer: `status` is `active` or `prospect`."""

    number: str
    name: str
    status: str
    active: bool
    coc_number: str | None
    vat_number: str | None
    currency: str
    payment_terms_days: int
    created_at: datetime
    addresses: list[AddressOut]


class CustomerList(BaseModel):
    """The matching customers."""

    items: list[CustomerOut]


EMAIL_PATTERN = r"^[!-?A-~]{1,64}@[!-?A-~]{1,185}$"  # ASCII, one @


class ProspectIn(Strict):
    """A prospect: a customer that cannot order yet, with its first contact (invited once
    staff activate it). Assigned to the token, like a sales agent's registration."""

    name: str = Field(max_length=200, pattern=NAMED)
    coc_number: str = Field(pattern=r"^[0-9]{8}$", description="Chamber of Commerce (KvK).")
    vat_number: str | None = Field(None, pattern=r"^[A-Z]{2}[0-9A-Z]{2,12}$")
    street: str = Field("", max_length=200)
    postcode: str = Field("", max_length=16)
    city: str = Field("", max_length=100)
    country: str = Field("NL", pattern=r"^[A-Z]{2}$")
    contact_name: str = Field("", max_length=200)
    contact_email: str = Field(pattern=EMAIL_PATTERN)
