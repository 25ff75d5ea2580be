"""Building the returned OCI fields."""

from __future__ import annotations

from decimal import Decimal

from gateway.oci import OCIItem, OCIProfile, OCIVersion, build_return, parse_return, split_hook_url


def item(**overrides: object) -> OCIItem:
    values: dict[str, object] = {
        "description": "Rack 19\" <b>&amp;</b> 'quoted'",
        "quantity": Decimal("2.500"),
        "unit": "EA",
        "price": Decimal("1234.5000"),
        "price_unit": 1,
        "currency": "EUR",
        "lead_time": 3,
        "vendor_mat": "SKU-1",
        "manufact_mat": "M-1",
        "matgroup": "44121701",
        "ext_product_id": "SKU-1",
        "ext_schema_type": "UNSPSC",
        "ext_category_id": "44121701",
        "cust_fields": ("a", "b", "", "", "e" * 60),
        "long_text": "L" * 300,
        "item_type": "R",
        "parent_id": "",
    }
    values.update(overrides)
    return OCIItem(**values)  # type: ignore[arg-type]


def test_fields_are_numbered_from_one_in_order() -> None:
    fields = build_return([item(), item(ext_product_id="SKU-2")], OCIProfile())
    names = [name for name, _ in fields]
    assert names[0] == "NEW_ITEM-DESCRIPTION[1]"
    assert "NEW_ITEM-EXT_PRODUCT_ID[2]" in names
    assert "NEW_ITEM-LONGTEXT_1:132[]" in names
    assert not any("[0]" in name for name in names)
    values = dict(fields)
    assert values["NEW_ITEM-QUANTITY[1]"] == "2.5"
    assert values["NEW_ITEM-PRICE[1]"] == "1234.5"
    assert values["NEW_ITEM-PRICEUNIT[1]"] == "1"
    assert values["NEW_ITEM-LEADTIME[1]"] == "3"
    assert values["NEW_ITEM-LONGTEXT_1:132[]"] == "L" * 300


def test_values_are_cut_to_their_lengths_and_left_unescaped() -> None:
    values = dict(build_return([item(description="x" * 39 + "é" + "tail")], OCIProfile()))
    assert values["NEW_ITEM-DESCRIPTION[1]"] == "x" * 39 + "é"
    assert values["NEW_ITEM-CUST_FIELD5[1]"] == "e" * 50
    raw = dict(build_return([item()], OCIProfile()))["NEW_ITEM-DESCRIPTION[1]"]
    assert raw == "Rack 19\" <b>&amp;</b> 'quoted'"[:40]  # escaping is the template's job


def test_the_profile_maps_units_vendor_and_extra_fields() -> None:
    profile = OCIProfile(unit_map={"EA": "ST"}, vendor="100042", extra_fields=(("TAX_CODE", "V1"),))
    values = dict(build_return([item()], profile))
    assert values["NEW_ITEM-UNIT[1]"] == "ST"
    assert values["NEW_ITEM-VENDOR[1]"] == "100042"
    assert values["NEW_ITEM-TAX_CODE[1]"] == "V1"


def test_oci5_fields_only_for_oci5() -> None:
    assert "NEW_ITEM-ITEM_TYPE[1]" not in dict(build_return([item()], OCIProfile()))
    five = dict(build_return([item()], OCIProfile(version=OCIVersion.V5)))
    assert five["NEW_ITEM-ITEM_TYPE[1]"] == "R"


def test_currency_only_with_a_price_and_empty_fields_left_out() -> None:
    values = dict(build_return([item(price=None, cust_fields=("", "", "", "", ""))], OCIProfile()))
    assert "NEW_ITEM-PRICE[1]" not in values
    assert "NEW_ITEM-CURRENCY[1]" not in values
    assert not any(name.startswith("NEW_ITEM-CUST_FIELD") for name in values)


def test_built_fields_round_trip_through_the_parser() -> None:
    items = [item(), item(description="Second", ext_product_id="SKU-2", long_text="")]
    returned = parse_return(build_return(items, OCIProfile()))
    assert [r.index for r in returned.items] == [1, 2]
    assert returned.items[1].fields["DESCRIPTION"] == "Second"
    assert returned.items[0].long_text == "L" * 300
    assert returned.items[1].long_text == ""


def test_hook_url_query_becomes_hidden_fields() -> None:
    action, query = split_hook_url("https://srm.example/sap/bc/gui/x?~OkCode=ADDI&~TARGET=_top&a=")
    assert action == "https://srm.example/sap/bc/gui/x"
    assert query == [("~OkCode", "ADDI"), ("~TARGET", "_top"), ("a", "")]


def test_a_quoted_item_carries_its_quote_and_line() -> None:
    values = dict(build_return([item(ext_quote_id="Q000042", ext_quote_item="3")], OCIProfile()))
    assert values["NEW_ITEM-EXT_QUOTE_ID[1]"] == "Q000042"
    assert values["NEW_ITEM-EXT_QUOTE_ITEM[1]"] == "3"
    plain = dict(build_return([item()], OCIProfile()))
    assert not any("EXT_QUOTE" in name for name in plain)
