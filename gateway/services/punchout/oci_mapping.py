"""An SAP OCI buyer's profile (`PartnerOptions`, stored in `TradingPartner.settings`) and how our
products become its `NEW_ITEM-*` lines: units, MATGROUP, price units, CUST_FIELDs, extra fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from sqlalchemy.orm import Session

from gateway import oci
from gateway.models import Organisation, Product, TradingPartner
from gateway.oci import OCIItem, OCIProfile, OCIVersion
from gateway.services.catalog import pricing
from gateway.services.punchout._product_attributes import attribute_value


class MatgroupSource(StrEnum):
    """Where an OCI partner's `NEW_ITEM-MATGROUP` comes from (`PartnerOptions.matgroup`)."""

    UNSPSC = "unspsc"  # the product's UNSPSC code
    ECLASS = "eclass"  # the eCl@ss class mapped from the UNSPSC code (`eclass_by_unspsc`)
    NONE = "none"  # left empty


@dataclass(frozen=True, slots=True, kw_only=True)
class PartnerOptions:
    """An OCI partner's profile as stored in `TradingPartner.settings` (JSON)."""

    username_field: str = "USERNAME"
    password_field: str = "PASSWORD"  # noqa: S105 - a parameter name
    hook_url_field: str = "HOOK_URL"
    version: str = OCIVersion.V4
    charset: str = "UTF-8"
    split_hook_query: bool = True
    allow_sapevent: bool = False
    unit_map: Mapping[str, str] = field(default_factory=dict)
    matgroup: str = MatgroupSource.UNSPSC
    eclass_by_unspsc: Mapping[str, str] = field(default_factory=dict)
    vendor: str = ""
    cust_fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    extra_fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.matgroup not in frozenset(MatgroupSource):
            raise ValueError(f"matgroup must be one of {', '.join(MatgroupSource)}")
        if not all((self.username_field, self.password_field, self.hook_url_field)):
            raise ValueError("parameter names must not be empty")
        oci.fields.normalise_charset(self.charset)
        for name in self.extra_fields:
            if not oci.fields.EXTRA_FIELD.fullmatch(name):
                raise ValueError(f"extra field {name!r} must be an upper-case NEW_ITEM field name")
        for number in self.cust_fields:
            if number not in ("1", "2", "3", "4", "5"):
                raise ValueError("cust_fields keys are 1 to 5")

    @classmethod
    def of(cls, partner: TradingPartner) -> PartnerOptions:
        """The options stored on a partner (unknown keys are ignored)."""
        stored = partner.settings or {}
        return cls(**{name: stored[name] for name in cls.__slots__ if name in stored})

    def profile(self) -> OCIProfile:
        """The pure package's view of these options."""
        return OCIProfile(
            username_field=self.username_field,
            password_field=self.password_field,
            hook_url_field=self.hook_url_field,
            version=oci.OCIVersion(self.version),
            unit_map=dict(self.unit_map),
            vendor=self.vendor,
            extra_fields=tuple(sorted(self.extra_fields.items())),
        )


def priced_item(
    session: Session,
    organisation: Organisation,
    product: Product,
    quantity: Decimal,
    options: PartnerOptions,
) -> OCIItem:
    price = pricing.unit_price(session, organisation, product, quantity)
    return item_from(product, quantity, price, organisation.currency, options)


def item_from(
    product: Product, quantity: Decimal, unit_price: Decimal, currency: str, options: PartnerOptions
) -> OCIItem:
    price_unit = 1
    while (unit_price * price_unit) != (unit_price * price_unit).quantize(Decimal("0.001")):
        price_unit *= 10
    matgroup = ""
    if options.matgroup == MatgroupSource.UNSPSC:
        matgroup = product.unspsc
    elif options.matgroup == MatgroupSource.ECLASS:
        matgroup = _longest_prefix(options.eclass_by_unspsc, product.unspsc)
    return OCIItem(
        description=product.name,
        quantity=quantity,
        unit=product.unit,
        price=unit_price * price_unit,
        price_unit=price_unit,
        currency=currency,
        lead_time=product.lead_time_days,
        vendor_mat=product.sku,
        manufact_mat=product.manufacturer_part_id or "",
        matgroup=matgroup,
        ext_product_id=product.sku,
        ext_schema_type="UNSPSC",
        ext_category_id=product.unspsc,
        cust_fields=tuple(  # type: ignore[arg-type]
            _cust_field(options.cust_fields.get(str(n), {}), product) for n in range(1, 6)
        ),
        long_text=product.description,
    )


def _cust_field(rule: Mapping[str, str], product: Product) -> str:
    if "constant" in rule:
        return rule["constant"]
    return attribute_value(product, rule.get("attribute", ""))


def _longest_prefix(mapping: Mapping[str, str], code: str) -> str:
    for length in range(len(code), 0, -1):
        if code[:length] in mapping:
            return mapping[code[:length]]
    return ""


def preview_fields(
    product: Product, *, unit_price: Decimal, currency: str, options: PartnerOptions
) -> list[tuple[str, str]]:
    """The NEW_ITEM fields one unit of `product` returns with (the partner admin's preview)."""
    item = item_from(product, Decimal(1), unit_price, currency, options)
    return oci.build_return([item], options.profile())
