"""Per-buyer mappings of the cXML cart (PunchOutOrderMessage) lines.

A cXML partner's mapping lives in `TradingPartner.settings["cxml_mapping"]`: a unit of measure
map, the classification domain and codes, extra line Extrinsics, and the formatting rules real
platforms enforce (Ariba refuses `?{}` in part IDs; Jaggaer keeps 256 description characters and
4 price decimals), protocol-notes §A.11.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gateway import cxml
from gateway.errors import InvalidInput
from gateway.models import Product, TradingPartner
from gateway.services.punchout._product_attributes import PRODUCT_ATTRIBUTES, attribute_value

SETTINGS_KEY = "cxml_mapping"
UNIT = re.compile(r"[A-Za-z0-9]{1,8}")
#: what the cart may carry (our cXML schema): a UN/CEFACT Recommendation 20 code
BUYER_UNIT = re.compile(r"[A-Z0-9]{1,3}")
DOMAIN = re.compile(r"[A-Za-z0-9@._ -]{1,40}")
EXTRINSIC_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
MAX_EXTRINSIC_LENGTH = 500


class MappingRefused(InvalidInput):
    """A cart line breaks one of the buyer's formatting rules; the cart is not sent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CXMLMapping:
    """How one buyer wants our cart lines."""

    unit_map: Mapping[str, str] = field(default_factory=dict)
    classification_domain: str = "UNSPSC"
    classification_codes: Mapping[str, str] = field(default_factory=dict)  # UNSPSC → domain's
    extrinsics: Mapping[str, str] = field(default_factory=dict)  # name → value, `{sku}` …
    forbidden_part_id_characters: str = ""
    description_max_length: int | None = None
    price_decimals: int | None = None

    def __post_init__(self) -> None:
        for ours, theirs in self.unit_map.items():
            if not (UNIT.fullmatch(ours) and UNIT.fullmatch(theirs)):
                raise InvalidInput(f"unit map {ours}={theirs}: codes are 1 to 8 letters or digits")
            if not BUYER_UNIT.fullmatch(theirs):
                raise InvalidInput(
                    f"unit map {ours}={theirs}: the buyer's code must be a UN/CEFACT "
                    "Recommendation 20 code (1 to 3 capital letters or digits, such as PCE)"
                )
        if not DOMAIN.fullmatch(self.classification_domain):
            raise InvalidInput("classification domain must be 1 to 40 plain characters")
        for name, value in self.extrinsics.items():
            if not EXTRINSIC_NAME.fullmatch(name):
                raise InvalidInput(f"Extrinsic name {name!r} must be a plain identifier")
            if len(value) > MAX_EXTRINSIC_LENGTH:
                raise InvalidInput(f"Extrinsic {name} is longer than {MAX_EXTRINSIC_LENGTH}")
            unknown = set(_PLACEHOLDER.findall(value)) - set(PRODUCT_ATTRIBUTES)
            if unknown:
                names = ", ".join(sorted(unknown))
                raise InvalidInput(f"Extrinsic {name} names unknown product attributes: {names}")
        if self.description_max_length is not None and not self.description_max_length >= 1:
            raise InvalidInput("the description limit must be a positive number")
        if self.price_decimals is not None and not 0 <= self.price_decimals <= 6:  # noqa: PLR2004
            raise InvalidInput("price decimals must be 0 to 6")

    @classmethod
    def of(cls, partner: TradingPartner) -> CXMLMapping:
        """The mapping stored on a partner (none: lines go out as they are)."""
        return cls.from_settings((partner.settings or {}).get(SETTINGS_KEY) or {})

    @classmethod
    def from_settings(cls, stored: Mapping[str, Any]) -> CXMLMapping:
        """Read a stored mapping; InvalidInput names a bad value."""
        known = {name: stored[name] for name in cls.__slots__ if name in stored}
        return cls(**known)

    def to_settings(self) -> dict[str, Any]:
        """The JSON form kept in `TradingPartner.settings`."""
        return {
            "unit_map": dict(self.unit_map),
            "classification_domain": self.classification_domain,
            "classification_codes": dict(self.classification_codes),
            "extrinsics": dict(self.extrinsics),
            "forbidden_part_id_characters": self.forbidden_part_id_characters,
            "description_max_length": self.description_max_length,
            "price_decimals": self.price_decimals,
        }

    def apply(self, item: cxml.ItemIn, product: Product) -> cxml.ItemIn:
        """The line as this buyer wants it; MappingRefused when it breaks a buyer's rule."""
        item_id = item.item_id
        for part in (item_id.supplier_part_id, item_id.supplier_part_auxiliary_id or ""):
            bad = sorted(set(part) & set(self.forbidden_part_id_characters))
            if bad:
                raise MappingRefused(
                    f"Part {item_id.supplier_part_id}: the buyer refuses the characters "
                    f"{''.join(bad)} in part numbers."
                )
        detail = item.detail
        price = detail.unit_price
        if self.price_decimals is not None:
            exponent = Decimal(1).scaleb(-self.price_decimals)
            price = replace(price, amount=price.amount.quantize(exponent, ROUND_HALF_UP))
        description = detail.description
        if self.description_max_length is not None:
            description = description[: self.description_max_length]
        detail = replace(
            detail,
            unit_price=price,
            description=description,
            unit_of_measure=self.unit_map.get(detail.unit_of_measure, detail.unit_of_measure),
            classifications=(self._classification(product),),
            extrinsics=detail.extrinsics
            + tuple(
                cxml.Extrinsic(name=name, value=self._value(template, product))
                for name, template in self.extrinsics.items()
            ),
        )
        return replace(item, detail=detail)

    def _classification(self, product: Product) -> cxml.Classification:
        if self.classification_domain.upper() == "UNSPSC":
            return cxml.Classification(domain="UNSPSC", code=product.unspsc)
        code = self.classification_codes.get(product.unspsc)
        if code is None:  # no code in the buyer's domain: UNSPSC is better than nothing
            return cxml.Classification(domain="UNSPSC", code=product.unspsc)
        return cxml.Classification(domain=self.classification_domain, code=code)

    @staticmethod
    def _value(template: str, product: Product) -> str:
        return _PLACEHOLDER.sub(lambda m: attribute_value(product, m[1]), template)
