"""Documents the cXML tests build, parse and compare."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from gateway import cxml

TIMESTAMP = datetime(2024, 5, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
PAYLOAD_ID = "20240501T080000.4242.golden@supplier.example"

BUYER = cxml.Credential(domain="NetworkID", identity="AN01000000001")
SUPPLIER = cxml.Credential(domain="DUNS", identity="123456789")

#: What a buyer sends (the Sender proves itself with the shared secret).
BUYER_HEADER = cxml.Header(
    from_credentials=(BUYER,),
    to_credentials=(SUPPLIER,),
    sender_credentials=(
        cxml.Credential(domain="NetworkID", identity="AN01000000001", shared_secret="demo-secret"),
    ),
    user_agent="Demo Buyer 1.0",
)
#: What we send in a PunchOutOrderMessage: no secrets, it travels through the browser.
SUPPLIER_HEADER = cxml.Header(
    from_credentials=(SUPPLIER,),
    to_credentials=(BUYER,),
    sender_credentials=(SUPPLIER,),
    user_agent="punchout-gateway 0.1.0",
)


def pen_detail(description: str = "Ballpoint pen, blue ink, medium point") -> cxml.ItemDetail:
    """A complete ItemDetail: every optional field set."""
    return cxml.ItemDetail(
        unit_price=cxml.Money(amount=Decimal("0.77"), currency="EUR"),
        description=description,
        short_name="Ballpoint pen 1",
        unit_of_measure="EA",
        classifications=(cxml.Classification(domain="UNSPSC", code="44121701"),),
        manufacturer_part_id="SC-0001",
        manufacturer_name="Scriptura",
        url="https://supplier.example/products/DEMO-0001",
        lead_time=2,
        extrinsics=(cxml.Extrinsic(name="Colour", value="blue"),),
    )


def paper_detail() -> cxml.ItemDetail:
    """A minimal ItemDetail: only what the DTD requires."""
    return cxml.ItemDetail(
        unit_price=cxml.Money(amount=Decimal("3.78"), currency="EUR"),
        description="Copy paper A4 80 g, ream of 500 sheets",
        unit_of_measure="RM",
        classifications=(cxml.Classification(domain="UNSPSC", code="14111507"),),
    )


def cart_message() -> cxml.PunchOutOrderMessage:
    """A two-line cart with shipping and tax."""
    return cxml.PunchOutOrderMessage(
        buyer_cookie="cookie-edit",
        operation_allowed=cxml.Operation.EDIT,
        total=cxml.Money(amount=Decimal("4.2"), currency="EUR"),
        items=(
            cxml.ItemIn(
                quantity=Decimal("3"),
                item_id=cxml.ItemID(
                    supplier_part_id="DEMO-0001", supplier_part_auxiliary_id="cart-17-line-1"
                ),
                detail=pen_detail(),
            ),
            cxml.ItemIn(
                quantity=Decimal("0.5"),
                item_id=cxml.ItemID(supplier_part_id="DEMO-0021"),
                detail=paper_detail(),
            ),
        ),
        shipping=cxml.Charge(
            money=cxml.Money(amount=Decimal("5"), currency="EUR"), description="Standard delivery"
        ),
        tax=cxml.Charge(
            money=cxml.Money(amount=Decimal("0.8925"), currency="EUR"), description="VAT 21%"
        ),
    )


def abandoned_edit() -> cxml.PunchOutOrderMessage:
    """An edit session left without changes: Status 204 and no lines."""
    return cxml.PunchOutOrderMessage(
        buyer_cookie="cookie-edit",
        operation_allowed=cxml.Operation.EDIT,
        total=cxml.Money(amount=Decimal("0"), currency="EUR"),
        status=cxml.Status(code=cxml.StatusCode.NO_CONTENT, text="No Content"),
    )


def big_cart(lines: int) -> cxml.PunchOutOrderMessage:
    """A cart of `lines` full lines."""
    items = tuple(
        cxml.ItemIn(
            quantity=Decimal(index % 7 + 1),
            item_id=cxml.ItemID(
                supplier_part_id=f"DEMO-{index:04d}", supplier_part_auxiliary_id=f"line-{index}"
            ),
            detail=pen_detail(f"Ballpoint pen, blue ink, box of {index}"),
        )
        for index in range(1, lines + 1)
    )
    return cxml.PunchOutOrderMessage(
        buyer_cookie="cookie-big",
        operation_allowed=cxml.Operation.EDIT,
        total=cxml.Money(amount=Decimal("0.77") * sum(i.quantity for i in items), currency="EUR"),
        items=items,
    )


def edit_request() -> cxml.PunchOutSetupRequest:
    """An edit setup request using every field we model."""
    return cxml.PunchOutSetupRequest(
        operation=cxml.Operation.EDIT,
        buyer_cookie="cookie-edit",
        browser_form_post_url="http://127.0.0.1:5000/tools/simulator/receive",
        extrinsics=(
            cxml.Extrinsic(name="UserEmail", value="bea.buyer@1001.demo"),
            cxml.Extrinsic(name="UniqueName", value="bbuyer"),
        ),
        contacts=(cxml.Contact(role="endUser", name="Bea Buyer", email="bea.buyer@1001.demo"),),
        ship_to=cxml.Address(
            address_id="1001-HQ",
            name="Acme Municipality, head office",
            streets=("Stadhuisplein 1", "Building B"),
            city="Utrecht",
            state="UT",
            postal_code="3511 AA",
            country_code="NL",
            email="goods-in@1001.demo",
        ),
        selected_item=cxml.ItemID(supplier_part_id="DEMO-0001"),
        items=(
            cxml.ItemOut(
                quantity=Decimal("3"),
                item_id=cxml.ItemID(
                    supplier_part_id="DEMO-0001", supplier_part_auxiliary_id="cart-17-line-1"
                ),
                line_number=1,
                detail=pen_detail(),
            ),
            cxml.ItemOut(
                quantity=Decimal("2.5"),
                item_id=cxml.ItemID(supplier_part_id="DEMO-0002"),
                line_number=2,
            ),
        ),
    )


def setup_ok() -> cxml.Response:
    """A successful setup answer."""
    return cxml.Response(
        status=cxml.Status(code=cxml.StatusCode.OK, text="OK"),
        body=cxml.PunchOutSetupResponse(
            start_page_url="http://127.0.0.1:5000/punchout/start/one-time-token"
        ),
    )
