"""A cart's ItemIn elements, written as text and parsed in one call, form the very tree a
SubElement per node gives (`add_item_id` and `add_item_detail`, which ItemOut still uses),
whatever characters the values hold; what XML cannot carry is refused as before."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from lxml import etree

from gateway import cxml
from gateway.cxml._build_parts import add_item_detail, add_item_id, add_items_in, format_quantity
from gateway.cxml.errors import OutboundDocumentError
from tests.unit.cxml.samples import paper_detail, pen_detail

AWKWARD = "a & b < c > d \"e\" 'f' \t g\r\nh ]]> ü € 😀"


def _items() -> list[cxml.ItemIn]:
    pen = pen_detail(AWKWARD)
    return [
        cxml.ItemIn(quantity=Decimal("2"), item_id=cxml.ItemID(supplier_part_id="P&1"), detail=pen),
        cxml.ItemIn(
            quantity=Decimal("1.5"),
            item_id=cxml.ItemID(supplier_part_id="P2", supplier_part_auxiliary_id=AWKWARD),
            detail=dataclasses.replace(
                pen,
                short_name=AWKWARD,
                lang="nl-NL",
                classifications=(cxml.Classification(domain='x"\n\ty', code=AWKWARD),),
                extrinsics=(cxml.Extrinsic(name=AWKWARD, value=AWKWARD),),
                url="https://s.example/?a=1&b=<2>",
            ),
        ),
        cxml.ItemIn(
            quantity=Decimal("3"), item_id=cxml.ItemID(supplier_part_id="P3"), detail=paper_detail()
        ),
    ]


def _one_node_at_a_time(items: list[cxml.ItemIn]) -> etree._Element:
    parent = etree.Element("PunchOutOrderMessage")
    for item in items:
        node = etree.SubElement(parent, "ItemIn", quantity=format_quantity(item.quantity))
        add_item_id(node, item.item_id)
        add_item_detail(etree.SubElement(node, "ItemDetail"), item.detail)
    return parent


def test_the_text_gives_the_same_tree_as_one_node_at_a_time() -> None:
    items = _items()
    parent = etree.Element("PunchOutOrderMessage")
    add_items_in(parent, items)
    assert etree.tostring(parent) == etree.tostring(_one_node_at_a_time(items))
    description = parent.find("ItemIn/ItemDetail/Description")
    assert description is not None
    assert description[0].tail == AWKWARD  # \r and the tab survive, as in the tree


def test_no_items_add_nothing() -> None:
    parent = etree.Element("PunchOutOrderMessage")
    add_items_in(parent, [])
    assert len(parent) == 0


@pytest.mark.parametrize("text", ["nul \x00 byte", "escape \x1b", "unpaired \ud800"])
def test_text_xml_cannot_carry_is_refused(text: str) -> None:
    item = _items()[2]
    bad = dataclasses.replace(item, detail=dataclasses.replace(item.detail, description=text))
    with pytest.raises(OutboundDocumentError):
        add_items_in(etree.Element("PunchOutOrderMessage"), [bad])


@pytest.mark.parametrize(
    "change",
    [
        {"classifications": ()},
        {"classifications": (cxml.Classification(domain="unspsc", code="123"),)},
        {"lead_time": -1},
    ],
)
def test_the_detail_checks_still_hold(change: dict[str, object]) -> None:
    item = _items()[2]
    bad = dataclasses.replace(item, detail=dataclasses.replace(item.detail, **change))
    with pytest.raises(OutboundDocumentError):
        add_items_in(etree.Element("PunchOutOrderMessage"), [bad])
