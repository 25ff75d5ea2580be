"""Partner administration pages: create, edit, disable, rotate, preview; mappings in the cart."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.models import TradingPartner
from gateway.services.ordering.price_check import policy_of
from tests import buyer, staff
from tests.cxml_checks import assert_valid_cxml

ACME_IDENTITY = ("NetworkID", "AN-ACME-1")


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    staff.log_in(client)
    return client


def cxml_form(**changes: str) -> dict[str, str]:
    return {
        "protocol": "cxml",
        "name": "acme-ariba",
        "customer": "1002",
        "active": "on",
        "default_role": "punchout",
        "allowed_urls": "http://127.0.0.1:5000/tools/simulator\nhttps://buyer.example/",
        "frame_ancestors": "https://buyer.example *.ariba.com",
        "identities": "NetworkID:AN-ACME-1",
        "encoding": "base64",
        "operation_allowed": "edit",
        "unit_map": "EA=PCE\nRM=RM",
        "classification_domain": "UNSPSC",
        "classification_codes": "",
        "extrinsics": "SupplierSKU={sku}\nSource=gateway",
        "forbidden_part_id_characters": "?{}",
        "description_max_length": "",
        "price_decimals": "",
        "sample_sku": "DEMO-0001",
        "action": "save",
        **changes,
    }


def post_form(client: FlaskClient, path: str, data: dict[str, str]) -> Any:
    page = client.get(path)
    return client.post(path, data={**data, "csrf_token": buyer.csrf_token(page.text)})


def partner_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(TradingPartner)) or 0


def create_acme(admin: FlaskClient, **changes: str) -> str:
    answer = post_form(admin, "/admin/partners/new?protocol=cxml", cxml_form(**changes))
    assert answer.status_code == 200, answer.text
    match = re.search(r"data-secret>([^<]+)<", answer.text)
    assert match
    return match.group(1)


def punch_in(client: FlaskClient, secret: str, identity: tuple[str, str] = ACME_IDENTITY) -> Any:
    body = buyer.setup_request(identity=identity, secret=secret)
    return client.post("/cxml", data=body, content_type="text/xml")


def returned_cart(client: FlaskClient, secret: str, sku: str = "DEMO-0001") -> Any:
    answer = punch_in(client, secret)
    assert buyer.status_of(answer.data) == (200, "OK")
    start = client.get(buyer.start_path(answer.data))
    assert start.status_code == 302
    page = client.get(f"/products/{sku}")
    client.post(
        "/cart/items",
        data={"sku": sku, "quantity": "2", "csrf_token": buyer.csrf_token(page.text)},
    )
    cart = client.get("/cart")
    sent = client.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    assert sent.status_code == 200, sent.text
    fields = dict(buyer.read_forms(sent.text)[0]["fields"])
    document = cxml.decode_cart(fields)
    assert_valid_cxml(document)
    return cxml.parse(document).payload


def test_only_admins_manage_partners(app: Flask, db_session: Session) -> None:
    client = app.test_client()
    assert client.get("/admin/partners").status_code == 302  # to the login
    staff.log_in(client, "buyer@1001.demo")
    assert client.get("/admin/partners").status_code == 403
    assert client.get("/admin/partners/new").status_code == 403
    service = app.test_client()
    staff.log_in(service, "service@supplier.demo")
    assert service.get("/admin/partners").status_code == 403
    token = buyer.csrf_token(service.get("/catalog").text)
    assert service.post("/admin/partners/1/rotate", data={"csrf_token": token}).status_code == 403


def test_create_shows_the_secret_once_and_the_cart_follows_the_mapping(
    app: Flask, admin: FlaskClient, db_session: Session
) -> None:
    secret = create_acme(admin)
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "acme-ariba")
    ).one()
    assert secret not in partner.secret_digest
    assert partner.organisation.number == "1002"
    assert secret not in admin.get(f"/admin/partners/{partner.id}").text
    message = returned_cart(app.test_client(), secret)
    item = message.items[0]
    assert item.detail.unit_of_measure == "PCE"  # EA mapped
    assert {(e.name, e.value) for e in item.detail.extrinsics} >= {
        ("SupplierSKU", "DEMO-0001"),
        ("Source", "gateway"),
    }
    assert message.operation_allowed == cxml.Operation.EDIT


def test_description_limit_price_decimals_and_classification(
    app: Flask, admin: FlaskClient
) -> None:
    secret = create_acme(
        admin,
        description_max_length="12",
        price_decimals="1",
        classification_domain="eCl@ss",
        classification_codes="44121701=24-32-01-01",
    )
    message = returned_cart(app.test_client(), secret)
    detail = message.items[0].detail
    assert detail.description == "Ballpoint pe"
    assert detail.unit_price.amount == detail.unit_price.amount.quantize(Decimal("0.1"))
    assert detail.classifications == (cxml.Classification(domain="eCl@ss", code="24-32-01-01"),)
    assert message.total.amount == 2 * detail.unit_price.amount


def test_forbidden_part_id_characters_stop_the_cart(app: Flask, admin: FlaskClient) -> None:
    secret = create_acme(admin, forbidden_part_id_characters="-")
    client = app.test_client()
    answer = punch_in(client, secret)
    client.get(buyer.start_path(answer.data))
    page = client.get("/products/DEMO-0001")
    client.post(
        "/cart/items",
        data={"sku": "DEMO-0001", "quantity": "1", "csrf_token": buyer.csrf_token(page.text)},
    )
    cart = client.get("/cart")
    sent = client.post("/punchout/transfer", data={"csrf_token": buyer.csrf_token(cart.text)})
    assert sent.status_code == 400
    assert "the buyer refuses the characters - in part numbers" in sent.text
    assert client.get("/cart").status_code == 200  # the session is still open: nothing sent


def test_preview_shows_the_mapping_and_saves_nothing(
    admin: FlaskClient, db_session: Session
) -> None:
    before = partner_count(db_session)
    answer = post_form(
        admin,
        "/admin/partners/new?protocol=cxml",
        cxml_form(action="preview", description_max_length="12"),
    )
    assert answer.status_code == 200
    assert "data-preview" in answer.text
    assert "data-preview-problem" not in answer.text
    assert "<td data-preview-unit>PCE</td>" in answer.text
    assert "<td data-preview-description>Ballpoint pe</td>" in answer.text
    assert 'data-preview-extrinsic="SupplierSKU">SupplierSKU=DEMO-0001' in answer.text
    assert "&lt;UnitOfMeasure&gt;PCE&lt;/UnitOfMeasure&gt;" in answer.text
    assert partner_count(db_session) == before
    refused = post_form(
        admin,
        "/admin/partners/new?protocol=cxml",
        cxml_form(action="preview", forbidden_part_id_characters="-"),
    )
    assert "data-preview-problem" in refused.text
    assert "refuses the characters -" in refused.text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "must not be empty"),
        ({"name": "demo-cxml"}, "exists already"),
        ({"name": "x" * 101}, "at most 100 characters"),
        ({"identities": "NetworkID:" + "9" * 201}, "Identities are at most 64:200"),
        ({"customer": "9999"}, "No customer numbered"),
        ({"identities": "no-colon"}, "DOMAIN:IDENTITY"),
        ({"identities": "NetworkID:AN01000000001"}, "belongs to another partner"),
        ({"allowed_urls": ""}, "at least one"),
        ({"allowed_urls": "javascript:alert(1)"}, "not an absolute http(s) URL"),
        ({"encoding": "gzip"}, "must be one of"),
        ({"operation_allowed": "delete"}, "must be one of"),
        ({"default_role": "emperor"}, "No role named"),
        ({"frame_ancestors": "https://x.example;script-src"}, "must be a host"),
        ({"unit_map": "EA"}, "KEY=VALUE"),
        ({"unit_map": "EA=<b>"}, "codes are 1 to 8 letters or digits"),
        ({"unit_map": "EA=EACH"}, "must be a UN/CEFACT Recommendation 20 code"),
        ({"extrinsics": "Bad Name=x"}, "must be a plain identifier"),
        ({"extrinsics": "X={__class__}"}, "unknown product attributes"),
        ({"description_max_length": "0"}, "positive number"),
        ({"description_max_length": "ten"}, "whole number"),
        ({"price_decimals": "9"}, "0 to 6"),
        ({"classification_domain": "<x>"}, "classification domain"),
    ],
)
def test_bad_partner_input_is_refused_and_nothing_changes(
    admin: FlaskClient, db_session: Session, changes: dict[str, str], message: str
) -> None:
    before = partner_count(db_session)
    answer = post_form(admin, "/admin/partners/new?protocol=cxml", cxml_form(**changes))
    assert answer.status_code == 400
    assert message in answer.text
    assert partner_count(db_session) == before


def test_edit_disable_and_rotate(app: Flask, admin: FlaskClient, db_session: Session) -> None:
    secret = create_acme(admin)
    partner_id = db_session.scalar(
        select(TradingPartner.id).where(TradingPartner.name == "acme-ariba")
    )
    path = f"/admin/partners/{partner_id}"
    saved = post_form(admin, path, cxml_form(encoding="urlencoded", unit_map="EA=C62"))
    assert saved.status_code == 302
    assert "data-saved" in admin.get(saved.location).text
    message = returned_cart(app.test_client(), secret)
    assert message.items[0].detail.unit_of_measure == "C62"

    bad = post_form(admin, path, cxml_form(name="", unit_map="EA=X"))
    assert bad.status_code == 400
    db_session.expire_all()
    partner = db_session.get(TradingPartner, partner_id)
    assert partner.name == "acme-ariba"
    assert partner.settings["cxml_mapping"]["unit_map"] == {"EA": "C62"}

    page = admin.get(path)
    rotated = admin.post(f"{path}/rotate", data={"csrf_token": buyer.csrf_token(page.text)})
    new_secret = re.search(r"data-secret>([^<]+)<", rotated.text).group(1)
    assert new_secret != secret
    client = app.test_client()
    assert buyer.status_of(punch_in(client, secret).data)[0] == 401
    assert buyer.status_of(punch_in(client, new_secret).data)[0] == 200

    form = cxml_form()
    del form["active"]
    assert post_form(admin, path, form).status_code == 302
    assert buyer.status_of(punch_in(client, new_secret).data)[0] == 401  # disabled


def test_protocol_cannot_change(admin: FlaskClient, db_session: Session) -> None:
    create_acme(admin)
    partner_id = db_session.scalar(
        select(TradingPartner.id).where(TradingPartner.name == "acme-ariba")
    )
    answer = post_form(admin, f"/admin/partners/{partner_id}", {**cxml_form(), "protocol": "oci"})
    assert answer.status_code == 302  # a forged protocol is ignored: the stored one counts
    db_session.expire_all()
    assert db_session.get(TradingPartner, partner_id).protocol == "cxml"


def test_frame_ancestors_header_on_the_partners_shop_pages(app: Flask, admin: FlaskClient) -> None:
    secret = create_acme(admin)
    client = app.test_client()
    answer = punch_in(client, secret)
    client.get(buyer.start_path(answer.data))
    page = client.get("/catalog")
    policy = page.headers["Content-Security-Policy"].split("; ")
    assert "frame-ancestors https://buyer.example *.ariba.com" in policy
    other = app.test_client()
    demo = other.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    other.get(buyer.start_path(demo.data))
    assert "frame-ancestors 'none'" in other.get("/catalog").headers["Content-Security-Policy"]


def oci_form(**changes: str) -> dict[str, str]:
    return {
        "protocol": "oci",
        "name": "acme-srm",
        "customer": "1001",
        "active": "on",
        "default_role": "punchout",
        "allowed_urls": "http://127.0.0.1:5000/tools/simulator",
        "frame_ancestors": "",
        "username": "acme-srm",
        "version": "5.0",
        "unit_map": "EA=ST",
        "oci_settings": '{"vendor": "4711"}',
        "sample_sku": "DEMO-0001",
        "action": "save",
        **changes,
    }


def test_oci_partner_with_a_generated_password(app: Flask, admin: FlaskClient) -> None:
    preview = post_form(admin, "/admin/partners/new?protocol=oci", oci_form(action="preview"))
    assert preview.status_code == 200
    assert re.search(r'data-oci-field="NEW_ITEM-UNIT\[1\]"><th>[^<]+</th><td>ST<', preview.text)
    assert re.search(r'data-oci-field="NEW_ITEM-VENDOR\[1\]"><th>[^<]+</th><td>4711<', preview.text)
    created = post_form(admin, "/admin/partners/new?protocol=oci", oci_form())
    password = re.search(r"data-secret>([^<]+)<", created.text).group(1)
    query = urlencode(
        {
            "USERNAME": "acme-srm",
            "PASSWORD": password,
            "HOOK_URL": "http://127.0.0.1:5000/tools/simulator/receive",
        }
    )
    launch = app.test_client().get(f"/oci?{query}")
    assert launch.status_code == 302
    assert "/punchout/start/" in launch.location
    wrong = app.test_client().get(f"/oci?{query.replace(password, 'nope')}")
    assert wrong.status_code == 401


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"oci_settings": "[1]"}, "must be a JSON object"),
        ({"oci_settings": "{"}, "must be a JSON object"),
        ({"oci_settings": '{"colour": "red"}'}, "Unknown OCI settings: colour"),
        ({"oci_settings": '{"matgroup": "nope"}'}, "Invalid OCI settings"),
        ({"version": "9.9"}, "OCI version must be one of"),
        ({"username": ""}, "--username must be 1 to 100"),
        ({"username": "demo-oci"}, "belongs to another partner"),
    ],
)
def test_bad_oci_input_is_refused(
    admin: FlaskClient, db_session: Session, changes: dict[str, str], message: str
) -> None:
    before = partner_count(db_session)
    answer = post_form(admin, "/admin/partners/new?protocol=oci", oci_form(**changes))
    assert answer.status_code == 400
    assert message in answer.text
    assert partner_count(db_session) == before


def test_preview_of_an_unknown_product_keeps_the_form(admin: FlaskClient) -> None:
    answer = post_form(
        admin,
        "/admin/partners/new?protocol=cxml",
        cxml_form(action="preview", sample_sku="NO-SUCH"),
    )
    assert answer.status_code == 400
    assert "No product &#39;NO-SUCH&#39; for the preview." in answer.text
    assert 'value="acme-ariba"' in answer.text  # what was typed stays


def test_edit_and_rotate_an_oci_partner(
    app: Flask, admin: FlaskClient, db_session: Session
) -> None:
    created = post_form(admin, "/admin/partners/new?protocol=oci", oci_form())
    first = re.search(r"data-secret>([^<]+)<", created.text).group(1)
    partner_id = db_session.scalar(
        select(TradingPartner.id).where(TradingPartner.name == "acme-srm")
    )
    path = f"/admin/partners/{partner_id}"
    page = admin.get(path)
    assert "&#34;vendor&#34;: &#34;4711&#34;" in page.text  # the JSON keeps the stored settings
    assert first not in page.text
    taken = post_form(admin, path, oci_form(username="demo-oci"))
    assert taken.status_code == 400
    assert "belongs to another partner" in taken.text
    saved = post_form(admin, path, oci_form(username="acme-srm-2", unit_map="EA=PCE"))
    assert saved.status_code == 302
    db_session.expire_all()
    partner = db_session.get(TradingPartner, partner_id)
    assert partner.login_name == "acme-srm-2"
    assert partner.settings["unit_map"] == {"EA": "PCE"}
    assert partner.settings["vendor"] == "4711"
    rotated = admin.post(
        f"{path}/rotate", data={"csrf_token": buyer.csrf_token(admin.get(path).text)}
    )
    second = re.search(r"data-secret>([^<]+)<", rotated.text).group(1)
    hook = "http://127.0.0.1:5000/tools/simulator/receive"

    def launch(password: str) -> int:
        query = urlencode({"USERNAME": "acme-srm-2", "PASSWORD": password, "HOOK_URL": hook})
        return app.test_client().get(f"/oci?{query}").status_code

    assert launch(first) == 401
    assert launch(second) == 302


def test_order_price_policy_and_tolerance_on_the_partner_page(
    admin: FlaskClient, db_session: Session
) -> None:
    page = admin.get("/admin/partners/new?protocol=cxml").text
    assert '<option value="hold" selected>' in page  # the default
    assert 'name="order_price_tolerance" value="0.01"' in page
    create_acme(admin, order_price_policy="reject", order_price_tolerance="0,05")
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "acme-ariba")
    ).one()
    rule = policy_of(db_session, partner)
    assert (rule.policy, rule.tolerance) == ("reject", Decimal("0.05"))
    path = f"/admin/partners/{partner.id}"
    page = admin.get(path).text
    assert '<option value="reject" selected>' in page
    assert 'name="order_price_tolerance" value="0.05"' in page
    for changes, message in (
        ({"order_price_policy": "sometimes"}, "The order price policy must be one of"),
        ({"order_price_tolerance": "-1"}, "The order price tolerance must be an amount"),
        ({"order_price_tolerance": "lots"}, "&#39;lots&#39; is not an amount."),
    ):
        answer = post_form(admin, path, cxml_form(**changes))
        assert answer.status_code == 400
        assert message in answer.text
    saved = post_form(admin, path, cxml_form(order_price_policy="accept"))
    assert saved.status_code == 302
    db_session.expire_all()
    rule = policy_of(db_session, partner)
    assert (rule.policy, rule.tolerance) == ("accept", Decimal("0.05"))  # tolerance kept


@pytest.mark.parametrize("role", ["admin", "customer_service", "sales_agent"])
def test_a_staff_role_is_never_a_partners_default_role(
    admin: FlaskClient, db_session: Session, role: str
) -> None:
    page = admin.get("/admin/partners/new?protocol=cxml").text
    assert f'<option value="{role}"' not in page
    assert '<option value="punchout" selected>Punchout user</option>' in page
    for path, form in (
        ("/admin/partners/new?protocol=cxml", cxml_form(default_role=role)),
        ("/admin/partners/new?protocol=oci", oci_form(default_role=role)),
    ):
        before = partner_count(db_session)
        answer = post_form(admin, path, form)
        assert answer.status_code == 400
        assert "is a staff role; a partner&#39;s punchout users get a customer role" in answer.text
        assert partner_count(db_session) == before

    create_acme(admin)
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "acme-ariba")
    ).one()
    edit = post_form(admin, f"/admin/partners/{partner.id}", cxml_form(default_role=role))
    assert edit.status_code == 400
    db_session.refresh(partner)
    assert partner.default_role == "punchout"
    viewer = post_form(admin, f"/admin/partners/{partner.id}", cxml_form(default_role="viewer"))
    assert viewer.status_code == 302
    db_session.refresh(partner)
    assert partner.default_role == "viewer"  # any customer role is fine
