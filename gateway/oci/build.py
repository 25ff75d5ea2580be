"""Building the returned cart: ordered `(name, value)` fields, never HTML (the template renders)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from gateway.oci.documents import OCIItem, OCIProfile, OCIVersion
from gateway.oci.fields import (
    field_name,
    format_integer,
    format_number,
    longtext_name,
    truncate,
)


def build_return(items: Iterable[OCIItem], profile: OCIProfile) -> list[tuple[str, str]]:
    """Every item as `NEW_ITEM-*` fields, numbered from 1, cut to the field lengths.

    Units go through the profile's unit map, VENDOR defaults to the profile's vendor number, the
    profile's extra fields follow each item; ITEM_TYPE and PARENT_ID only for OCI 5.0.
    """
    fields: list[tuple[str, str]] = []
    for index, item in enumerate(items, start=1):
        for field, value in _values(item, profile):
            if value:
                fields.append((field_name(field, index), truncate(field, value)))
        if item.long_text:
            fields.append((longtext_name(index), truncate("LONGTEXT", item.long_text)))
    return fields


def split_hook_url(hook_url: str) -> tuple[str, list[tuple[str, str]]]:
    """HOOK_URL without its query, and the query's parameters as hidden fields (in order)."""
    parts = urlsplit(hook_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), query


def _values(item: OCIItem, profile: OCIProfile) -> list[tuple[str, str]]:
    price = "" if item.price is None else format_number(item.price, field="PRICE")
    values = [
        ("DESCRIPTION", "" if item.matnr else item.description),
        ("MATNR", item.matnr),
        ("QUANTITY", format_number(item.quantity)),
        ("UNIT", profile.unit_map.get(item.unit, item.unit)),
        ("PRICE", price),
        ("CURRENCY", item.currency if price else ""),
        ("PRICEUNIT", _integer(item.price_unit, "PRICEUNIT")),
        ("LEADTIME", _integer(item.lead_time, "LEADTIME")),
        ("VENDOR", item.vendor or profile.vendor),
        ("VENDORMAT", item.vendor_mat),
        ("MANUFACTCODE", item.manufact_code),
        ("MANUFACTMAT", item.manufact_mat),
        ("MATGROUP", item.matgroup),
        ("EXT_PRODUCT_ID", item.ext_product_id),
        ("EXT_SCHEMA_TYPE", item.ext_schema_type),
        ("EXT_CATEGORY_ID", item.ext_category_id),
        ("EXT_CATEGORY", item.ext_category),
        ("EXT_QUOTE_ID", item.ext_quote_id),
        ("EXT_QUOTE_ITEM", item.ext_quote_item),
    ]
    values += [(f"CUST_FIELD{n}", value) for n, value in enumerate(item.cust_fields, start=1)]
    if profile.version == OCIVersion.V5:
        values += [("ITEM_TYPE", item.item_type), ("PARENT_ID", item.parent_id)]
    return values + list(item.extra) + list(profile.extra_fields)


def _integer(value: int | None, field: str) -> str:
    return "" if value is None else format_integer(value, field=field)
