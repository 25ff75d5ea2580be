"""The SAP OCI punchout end to end through the Flask test client: launch, shop, cart return."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway.models import MessageLogEntry, Organisation, Product, PunchOutSession
from gateway.services.catalog import pricing
from gateway.services.partners.registry import OCIPartnerSpec, add_oci_partner
from tests import buyer, oci_buyer
from tests.buyer import add_to_cart
from tests.oci_buyer import HOOK_URL, ReturnForm

HOOK_WITH_QUERY = f"{HOOK_URL}?~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG"


def make_partner(
    db_session: Session,
    *,
    name: str = "srm-test",
    username: str = "srm-user",
    customer: str = "1001",
    version: str = "4.0",
    urls: tuple[str, ...] = ("http://127.0.0.1", "http://localhost"),
    **settings: Any,
) -> dict[str, str]:
    """An OCI partner (for customer 1001 unless told); returns its login parameters."""
    add_oci_partner(
        db_session,
        spec=OCIPartnerSpec(
            name=name,
            customer_number=customer,
            username=username,
            password="pw-" + username,
            allowed_urls=urls,
            version=version,
            settings=settings,
        ),
    )
    db_session.flush()
    return {"USERNAME": username, "PASSWORD": "pw-" + username}


def launch(
    client: FlaskClient, method: str = "GET", login: dict[str, str] | None = None, **params: str
) -> TestResponse:
    values = {**(login or oci_buyer.LOGIN), **params}
    values.setdefault("HOOK_URL", HOOK_WITH_QUERY)
    if method == "GET":
        return client.get("/oci?" + urlencode(values))
    return client.post("/oci", data=values)


def punch_in(client: FlaskClient, method: str = "GET", **kwargs: Any) -> None:
    response = launch(client, method, **kwargs)
    assert response.status_code == 302, response.text
    start = urlsplit(response.location).path
    assert start.startswith("/punchout/start/")
    assert "PASSWORD" not in response.location
    assert "demo" not in response.location.replace("demo-oci", "")
    opened = client.get(start)
    assert opened.status_code == 302
    assert "/punchout/" not in opened.location


def transfer(
    client: FlaskClient, action: str = "/punchout/transfer", **extra: str
) -> tuple[ReturnForm, TestResponse]:
    cart = client.get("/cart")
    response = client.post(action, data={"csrf_token": buyer.csrf_token(cart.text), **extra})
    assert response.status_code == 200, response.text
    return oci_buyer.read_return(response.data, response.content_type), response


def oci_log(db_session: Session) -> list[MessageLogEntry]:
    query = select(MessageLogEntry).where(MessageLogEntry.protocol == "oci")
    return list(db_session.scalars(query.order_by(MessageLogEntry.id)))


def sessions_count(db_session: Session) -> int:
    return db_session.scalar(select(func.count()).select_from(PunchOutSession)) or 0


def product(db_session: Session, sku: str) -> Product:
    return db_session.scalars(select(Product).where(Product.sku == sku)).one()


def price(db_session: Session, sku: str, quantity: str) -> Decimal:
    customer = db_session.scalars(select(Organisation).where(Organisation.number == "1001")).one()
    return pricing.unit_price(db_session, customer, product(db_session, sku), Decimal(quantity))


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("version", ["4.0", "5.0"])
def test_the_whole_oci_flow_round_trips_every_item(
    client: FlaskClient, db_session: Session, method: str, version: str
) -> None:
    login = make_partner(db_session, version=version, unit_map={"EA": "ST"}, vendor="4711")
    punch_in(client, method, login=login)
    add_to_cart(client, "DEMO-0001", "12")  # a tier price from 10 on
    add_to_cart(client, "DEMO-0201", "2.5")
    form, _ = transfer(client)

    assert form.attrs["action"] == HOOK_URL
    assert form.attrs["method"] == "post"
    assert form.attrs["target"] == "_top"
    assert form.attrs["accept-charset"] == "UTF-8"
    assert "data-autosubmit" in form.attrs
    assert form.other == [("~OkCode", "ADDI"), ("~TARGET", "_top"), ("~CALLER", "CTLG")]
    assert sorted(form.items) == [1, 2]
    for index, (sku, quantity) in enumerate((("DEMO-0001", "12"), ("DEMO-0201", "2.5")), 1):
        item, ours = form.items[index], product(db_session, sku)
        assert item["DESCRIPTION"] == ours.name[:40]
        assert item["EXT_PRODUCT_ID"] == sku
        assert item["VENDORMAT"] == sku
        assert Decimal(item["QUANTITY"]) == Decimal(quantity)
        assert Decimal(item["PRICE"]) / int(item["PRICEUNIT"]) == price(db_session, sku, quantity)
        assert item["CURRENCY"] == "EUR"
        assert item["UNIT"] == {"EA": "ST"}.get(ours.unit, ours.unit)
        assert item["VENDOR"] == "4711"
        assert item["MATGROUP"] == ours.unspsc
        assert item["EXT_SCHEMA_TYPE"] == "UNSPSC"
        assert item["LEADTIME"] == str(ours.lead_time_days)
        assert item["MANUFACTMAT"] == ours.manufacturer_part_id
        assert item["LONGTEXT"] == ours.description
        assert ("ITEM_TYPE" in item) is False  # no hierarchy in our carts, either version
    assert form.items[1]["QUANTITY"] == "12"
    assert form.items[2]["QUANTITY"] == "2.5"

    punchout = db_session.scalars(select(PunchOutSession)).all()[-1]
    db_session.refresh(punchout)
    assert punchout.status == "transferred"
    assert punchout.cart_lines == 2
    assert punchout.cart_value == sum(  # kept for the punchout funnel
        (
            pricing.line_total(price(db_session, sku, quantity), Decimal(quantity))
            for sku, quantity in (("DEMO-0001", "12"), ("DEMO-0201", "2.5"))
        ),
        Decimal(0),
    )
    log = oci_log(db_session)
    assert [entry.document_type for entry in log] == ["OCI login", "OCI cart"]
    assert "USERNAME=srm-user" in log[0].body
    assert "pw-srm-user" not in log[0].body
    assert "PASSWORD" not in log[0].body
    assert "NEW_ITEM-EXT_PRODUCT_ID[2]=DEMO-0201" in log[1].body


def test_the_start_link_works_once(client: FlaskClient) -> None:
    response = launch(client)
    start = urlsplit(response.location).path
    assert client.get(start).status_code == 302
    again = client.get(start)
    assert again.status_code == 410
    assert "used already" in again.text


def test_a_fresh_browser_session_is_opened(client: FlaskClient) -> None:
    client.get("/catalog")
    before = client.get_cookie("gateway_session")
    punch_in(client)
    after = client.get_cookie("gateway_session")
    assert after is not None
    assert before is None or before.value != after.value
    assert "demo-oci" in client.get("/catalog").text


def test_cancel_returns_an_empty_form_to_the_stored_hook_url(
    client: FlaskClient, db_session: Session
) -> None:
    punch_in(client)
    add_to_cart(client, "DEMO-0001", "1")
    form, _ = transfer(client, "/punchout/cancel")
    assert form.attrs["action"] == HOOK_URL
    assert form.items == {}
    assert form.other == [("~OkCode", "ADDI"), ("~TARGET", "_top"), ("~CALLER", "CTLG")]
    punchout = db_session.scalars(select(PunchOutSession)).all()[-1]
    db_session.refresh(punchout)
    assert punchout.status == "cancelled"
    assert (punchout.cart_value, punchout.cart_lines) == (None, None)  # nothing went back


@pytest.mark.parametrize(
    ("params", "target"),
    [
        ({"returntarget": "_parent"}, "_parent"),
        ({"returntarget": "srm_window"}, "srm_window"),
        ({"HOOK_URL": f"{HOOK_URL}?~TARGET=_self"}, "_self"),  # OCI 3.0: inside HOOK_URL
        ({"HOOK_URL": f"{HOOK_URL}?~TARGET=_self", "~TARGET": "_parent"}, "_parent"),
        ({"~TARGET": "_blank"}, "_blank"),
        ({}, "_top"),
    ],
)
def test_the_form_target_follows_returntarget_then_target(
    client: FlaskClient, params: dict[str, str], target: str
) -> None:
    punch_in(client, **params)
    form, _ = transfer(client)
    assert form.attrs["target"] == target


@pytest.mark.parametrize(
    ("charset", "expected"), [("UTF-8", "UTF-8"), ("iso-8859-1", "ISO-8859-1")]
)
def test_the_page_and_form_use_the_requested_charset(
    client: FlaskClient, db_session: Session, charset: str, expected: str
) -> None:
    product(db_session, "DEMO-0001").name = "Kugelschreiber Größe M"
    product(db_session, "DEMO-0001").description = "Schön & günstig: 5 µm Spitze"
    db_session.flush()
    punch_in(client, http_content_charset=charset)
    add_to_cart(client, "DEMO-0001", "1")
    form, response = transfer(client)
    assert response.content_type == f"text/html; charset={expected}"
    assert form.attrs["accept-charset"] == expected
    assert form.items[1]["DESCRIPTION"] == "Kugelschreiber Größe M"
    assert form.items[1]["LONGTEXT"] == "Schön & günstig: 5 µm Spitze"
    assert (
        b"Gr\xf6\xdfe" in response.data
        if expected == "ISO-8859-1"
        else b"Gr\xc3\xb6" in response.data
    )


def test_text_a_latin1_buyer_cannot_read_is_replaced_visibly(
    client: FlaskClient, db_session: Session
) -> None:
    product(db_session, "DEMO-0001").name = "Dvořák pen €5 東京"
    db_session.flush()
    punch_in(client, http_content_charset="ISO-8859-1")
    add_to_cart(client, "DEMO-0001", "1")
    form, response = transfer(client)
    assert form.items[1]["DESCRIPTION"] == "Dvorák pen ?5 ??"
    inputs = re.findall(rb"<input[^>]*>", response.data)
    references = [int(n) for tag in inputs for n in re.findall(rb"&#(\d+);", tag)]
    assert all(n < 256 for n in references), "no value relies on a character reference"
    assert "cannot carry were replaced" in response.data.decode("iso-8859-1")
    log = db_session.scalars(
        select(MessageLogEntry).where(MessageLogEntry.document_type == "OCI cart")
    ).one()
    assert "replaced" in log.status_text


def test_the_same_text_reaches_a_utf8_buyer_unchanged(
    client: FlaskClient, db_session: Session
) -> None:
    product(db_session, "DEMO-0001").name = "Dvořák pen €5 東京"
    db_session.flush()
    punch_in(client)
    add_to_cart(client, "DEMO-0001", "1")
    form, response = transfer(client)
    assert form.items[1]["DESCRIPTION"] == "Dvořák pen €5 東京"
    assert b"data-charset-notice" not in response.data


@pytest.mark.parametrize(
    "name",
    [
        '19" Rack "><script>alert(1)</script>',
        "Tom's <b>bold</b> & co &amp; more",
        "'\"<>&",
    ],
)
def test_quotes_and_markup_are_escaped_exactly_once(
    client: FlaskClient, db_session: Session, name: str
) -> None:
    product(db_session, "DEMO-0001").name = name
    product(db_session, "DEMO-0001").description = name + " long"
    db_session.flush()
    punch_in(client)
    add_to_cart(client, "DEMO-0001", "1")
    form, response = transfer(client)
    assert form.items[1]["DESCRIPTION"] == name[:40]
    assert form.items[1]["LONGTEXT"] == name + " long"
    assert b"<script>" not in response.data
    assert b"&amp;amp;" not in response.data.replace(b"&amp;amp; more", b"")


def test_a_description_over_40_characters_is_cut_by_characters(
    client: FlaskClient, db_session: Session
) -> None:
    long_name = "Ä" * 38 + "ßéèx and more words"
    product(db_session, "DEMO-0001").name = long_name
    db_session.flush()
    punch_in(client, http_content_charset="ISO-8859-1")
    add_to_cart(client, "DEMO-0001", "1")
    form, _ = transfer(client)
    assert form.items[1]["DESCRIPTION"] == long_name[:40]
    assert len(form.items[1]["DESCRIPTION"]) == 40


def test_a_later_hook_url_never_replaces_the_stored_one(
    client: FlaskClient, db_session: Session
) -> None:
    punch_in(client)
    add_to_cart(client, "DEMO-0001", "1")
    # A second launch with a hostile HOOK_URL is refused and changes nothing.
    refused = client.get(oci_buyer.launch_url(HOOK_URL="https://attacker.example/steal"))
    assert refused.status_code == 400
    # A HOOK_URL sent along with the transfer is ignored.
    form, _ = transfer(client, HOOK_URL="http://127.0.0.1:9999/evil")
    assert form.attrs["action"] == HOOK_URL


def test_partner_parameter_names_and_unsplit_hook_urls(
    client: FlaskClient, db_session: Session
) -> None:
    make_partner(
        db_session,
        username_field="LOGIN",
        password_field="PWD",
        hook_url_field="MM_HOOK_URL",
        split_hook_query=False,
    )
    query = urlencode({"login": "srm-user", "pwd": "pw-srm-user", "MM_HOOK_URL": HOOK_WITH_QUERY})
    response = client.get("/oci?" + query)
    assert response.status_code == 302, response.text
    client.get(urlsplit(response.location).path)
    add_to_cart(client, "DEMO-0001", "1")
    form, _ = transfer(client)
    assert form.attrs["action"] == HOOK_WITH_QUERY
    assert form.other == []


def test_field_mapping_options(client: FlaskClient, db_session: Session) -> None:
    login = make_partner(
        db_session,
        version="5.0",
        matgroup="eclass",
        eclass_by_unspsc={"4412": "24-29-01-01"},
        cust_fields={"1": {"constant": "K100"}, "5": {"attribute": "manufacturer_name"}},
        extra_fields={"TAX_CODE": "V1"},
    )
    punch_in(client, login=login)
    add_to_cart(client, "DEMO-0001", "1")
    form, _ = transfer(client)
    item = form.items[1]
    assert item["MATGROUP"] == "24-29-01-0"  # cut to 10 characters
    assert item["CUST_FIELD1"] == "K100"
    assert item["CUST_FIELD5"] == product(db_session, "DEMO-0001").manufacturer_name
    assert item["TAX_CODE"] == "V1"


def test_sapevent_only_where_enabled(client: FlaskClient, db_session: Session) -> None:
    refused = launch(client, HOOK_URL="SAPEVENT:POST")
    assert refused.status_code == 400
    login = make_partner(db_session, allow_sapevent=True)
    punch_in(client, login=login, HOOK_URL="SAPEVENT:POST")
    add_to_cart(client, "DEMO-0001", "1")
    form, _ = transfer(client)
    assert form.attrs["action"] == "SAPEVENT:POST"


# FUNCTION calls ----------------------------------------------------------------------------


@pytest.mark.parametrize("function", ["DETAIL", "DETAILADD"])
def test_detail_opens_the_product_page(client: FlaskClient, function: str) -> None:
    response = launch(client, FUNCTION=function, PRODUCTID="DEMO-0005")
    assert response.status_code == 302
    opened = client.get(urlsplit(response.location).path)
    assert opened.location == "/products/DEMO-0005"
    assert 'data-sku="DEMO-0005"' in client.get(opened.location).text


def test_sourcing_opens_the_search_results(client: FlaskClient) -> None:
    response = launch(client, FUNCTION="SOURCING", SEARCHSTRING="mouse", VENDOR="4711")
    opened = client.get(urlsplit(response.location).path)
    assert opened.location == "/catalog?q=mouse"
    assert "Optical mouse" in client.get(opened.location).text


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_validate_answers_on_the_called_url_with_the_price_for_the_quantity(
    client: FlaskClient, db_session: Session, method: str
) -> None:
    response = launch(client, method, FUNCTION="VALIDATE", PRODUCTID="DEMO-0001", QUANTITY="10")
    assert response.status_code == 200
    form = oci_buyer.read_return(response.data, response.content_type)
    assert "data-autosubmit" in form.attrs
    assert form.attrs["action"] == HOOK_URL
    assert list(form.items) == [1]
    item = form.items[1]
    assert item["EXT_PRODUCT_ID"] == "DEMO-0001"
    assert item["QUANTITY"] == "10"
    assert Decimal(item["PRICE"]) == price(db_session, "DEMO-0001", "10")
    assert price(db_session, "DEMO-0001", "10") < price(db_session, "DEMO-0001", "1")
    assert sessions_count(db_session) == 0  # nothing to redeem: no shop session


def test_background_search_lists_every_hit_without_paging_or_submit(
    client: FlaskClient, db_session: Session
) -> None:
    response = launch(client, FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="DEMO-")
    assert response.status_code == 200
    form = oci_buyer.read_return(response.data, response.content_type)
    assert "data-autosubmit" not in form.attrs
    assert b"autosubmit.js" not in response.data
    demo = select(func.count()).where(Product.active, Product.sku.startswith("DEMO-"))
    hits = db_session.scalar(demo) or 0
    assert len(form.items) == hits > 48  # more than one shop page
    assert {item["EXT_PRODUCT_ID"][:5] for item in form.items.values()} == {"DEMO-"}
    assert all(item["QUANTITY"] == "1" for item in form.items.values())
    assert {"DESCRIPTION", "PRICE", "CURRENCY", "UNIT", "EXT_PRODUCT_ID", "LONGTEXT"} <= set(
        form.items[1]
    )


def test_background_search_treats_wildcards_literally(client: FlaskClient) -> None:
    response = launch(client, FUNCTION="BACKGROUND_SEARCH", SEARCHSTRING="%")
    form = oci_buyer.read_return(response.data, response.content_type)
    assert form.items == {}


def test_quantitycheck_answers_json(client: FlaskClient, db_session: Session) -> None:
    response = launch(client, FUNCTION="QUANTITYCHECK", EXT_PRODUCT_ID="DEMO-0002", QUANTITY="7")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert json.loads(response.data) == {
        "EXT_PRODUCT_ID": "DEMO-0002",
        "AVAILABLE_QUANTITY": "7",
        "LEADTIME": str(product(db_session, "DEMO-0002").lead_time_days),
    }


@pytest.mark.parametrize("charset", ["utf-8", "iso-8859-1"])
def test_the_simulator_reads_oci_forms_in_either_charset(
    app: Flask, client: FlaskClient, charset: str
) -> None:
    app.config["GATEWAY_SIMULATOR"] = True
    body = urlencode(
        [
            ("~OkCode", "ADDI"),
            ("NEW_ITEM-DESCRIPTION[1]", "Größe <M>"),
            ("NEW_ITEM-QUANTITY[1]", "2"),
            ("NEW_ITEM-EXT_PRODUCT_ID[1]", "DEMO-0001"),
            ("NEW_ITEM-LONGTEXT_1:132[]", "Schön"),
        ],
        encoding=charset,
    )
    response = client.post(
        "/tools/simulator/receive", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "OCI cart received" in response.text
    assert "Größe &lt;M&gt;" in response.text
    assert "Schön" in response.text
    assert f"<dd data-charset>{charset.upper()}</dd>" in response.text


def test_function_answers_reach_the_message_log(client: FlaskClient, db_session: Session) -> None:
    launch(client, FUNCTION="VALIDATE", PRODUCTID="DEMO-0001", QUANTITY="2")
    launch(client, FUNCTION="QUANTITYCHECK", EXT_PRODUCT_ID="DEMO-0001")
    log = oci_log(db_session)
    assert [entry.document_type for entry in log] == [
        "OCI VALIDATE",
        "OCI VALIDATE answer",
        "OCI QUANTITYCHECK",
        "OCI QUANTITYCHECK answer",
    ]
    assert "NEW_ITEM-QUANTITY[1]=2" in log[1].body
    assert "AVAILABLE_QUANTITY=1" in log[3].body
    assert all("PASSWORD" not in entry.body for entry in log)


@pytest.mark.parametrize("function", ["VALIDATE", "DETAIL", "QUANTITYCHECK", "BACKGROUND_SEARCH"])
def test_functions_see_only_the_customers_assortment(
    client: FlaskClient, db_session: Session, function: str
) -> None:
    """ACME-0001 is in customer 1001's assortment only: a 1002 buyer cannot reach it."""
    login = make_partner(db_session, customer="1002", name="srm-1002", username="srm-1002")
    params = {"FUNCTION": function, "PRODUCTID": "ACME-0001", "EXT_PRODUCT_ID": "ACME-0001"}
    if function == "BACKGROUND_SEARCH":
        params = {"FUNCTION": function, "SEARCHSTRING": "ACME"}
    response = launch(client, login=login, **params)
    if function == "BACKGROUND_SEARCH":
        assert oci_buyer.read_return(response.data, response.content_type).items == {}
    else:
        assert response.status_code == 404
    own = launch(client, FUNCTION="VALIDATE", PRODUCTID="ACME-0001")  # the demo partner, 1001
    assert own.status_code == 200
