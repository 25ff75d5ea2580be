"""OCI data as frozen dataclasses: the launch (`OCISetup`), cart items and the returned form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class OCIVersion(StrEnum):
    """The OCI release a buyer speaks; 5.0 adds the item hierarchy and QUANTITYCHECK."""

    V4 = "4.0"
    V5 = "5.0"


class Function(StrEnum):
    """The FUNCTION values we answer (protocol-notes B.3); no FUNCTION is a normal launch."""

    DETAIL = "DETAIL"
    DETAILADD = "DETAILADD"  # OCI 5: the detail page, from which the item is added to the cart
    VALIDATE = "VALIDATE"
    SOURCING = "SOURCING"
    BACKGROUND_SEARCH = "BACKGROUND_SEARCH"
    QUANTITYCHECK = "QUANTITYCHECK"


@dataclass(frozen=True, slots=True, kw_only=True)
class OCIProfile:
    """What a buyer's launch and return look like: parameter names, version and field mapping.

    `unit_map` maps our unit codes to the buyer's, `vendor` is our number in the buyer's system,
    `extra_fields` are constant `NEW_ITEM-<name>` values added to every item.
    """

    username_field: str = "USERNAME"
    password_field: str = "PASSWORD"  # noqa: S105 - a parameter name, not a password
    hook_url_field: str = "HOOK_URL"
    version: OCIVersion = OCIVersion.V4
    unit_map: Mapping[str, str] = field(default_factory=dict)
    vendor: str = ""
    extra_fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OCISetup:
    """A launch or FUNCTION call as the buyer sent it (values untrusted until the service checks).

    `tilde` holds the `~`-parameters (`~OkCode`, `~TARGET`, `~CALLER` …) to echo on return;
    `login` every parameter except the password, for the message log.
    """

    username: str
    password: str
    hook_url: str
    function: Function | None = None
    product_id: str = ""
    quantity: Decimal | None = None
    search_string: str = ""
    vendor: str = ""
    return_target: str = ""
    charset: str = ""
    oci_version: str = ""
    tilde: tuple[tuple[str, str], ...] = ()
    login: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OCIItem:
    """One cart line in OCI terms (values not yet cut to the field lengths)."""

    description: str = ""
    matnr: str = ""
    quantity: Decimal
    unit: str = ""
    price: Decimal | None = None
    price_unit: int | None = None
    currency: str = ""
    lead_time: int | None = None
    vendor: str = ""
    vendor_mat: str = ""
    manufact_code: str = ""
    manufact_mat: str = ""
    matgroup: str = ""
    ext_product_id: str = ""
    ext_schema_type: str = ""
    ext_category_id: str = ""
    ext_category: str = ""
    ext_quote_id: str = ""  # the supplier's quote the line's price comes from
    ext_quote_item: str = ""  # the line of that quote
    cust_fields: tuple[str, str, str, str, str] = ("", "", "", "", "")
    item_type: str = ""
    parent_id: str = ""
    long_text: str = ""
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ReturnedItem:
    """One item of a returned form: its index, `NEW_ITEM-<FIELD>` values by FIELD, long text."""

    index: int
    fields: Mapping[str, str]
    long_text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OCIReturn:
    """A returned form read back as a buyer would: items in index order, then the other fields."""

    items: tuple[ReturnedItem, ...]
    other: tuple[tuple[str, str], ...] = ()
