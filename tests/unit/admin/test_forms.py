"""The admin pages' form classes: the partner page and the message log's filters."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from gateway.admin import forms
from gateway.errors import InvalidInput
from gateway.services import message_log
from gateway.services.partners import admin
from gateway.services.punchout.cart_mapping import CXMLMapping

COMMON = {
    "name": "acme-ariba",
    "customer": "1002",
    "active": "on",
    "default_role": "punchout",
    "allowed_urls": " https://buyer.example/ \n\nhttp://127.0.0.1:5000/tools/simulator\n",
    "frame_ancestors": "https://buyer.example  *.ariba.com",
    "unit_map": "EA=PCE\n RM = RM ",
}
CXML = {
    **COMMON,
    "identities": "NetworkID:AN-ACME-1",
    "encoding": "urlencoded",
    "operation_allowed": "inspect",
    "replay_protection": "on",
    "classification_domain": " eCl@ss ",
    "classification_codes": "44121701=24-32-01-01",
    "extrinsics": "SupplierSKU={sku}",
    "forbidden_part_id_characters": " ?{} ",
    "description_max_length": "256",
    "price_decimals": "4",
}
OCI = {**COMMON, "username": "acme-srm", "version": "5.0", "oci_settings": '{"vendor": "4711"}'}


def read(posted: dict[str, str], protocol: str) -> admin.PartnerForm:
    return forms.read_partner(MultiDict(posted), protocol)


def test_a_cxml_partner_page_becomes_a_partner_form() -> None:
    assert read(CXML, "cxml") == admin.PartnerForm(
        name="acme-ariba",
        protocol="cxml",
        customer_number="1002",
        allowed_urls=("https://buyer.example/", "http://127.0.0.1:5000/tools/simulator"),
        active=True,
        default_role="punchout",
        frame_ancestors=("https://buyer.example", "*.ariba.com"),
        identities=("NetworkID:AN-ACME-1",),
        encoding="urlencoded",
        operation_allowed="inspect",
        replay_protection=True,
        mapping=CXMLMapping(
            unit_map={"EA": "PCE", "RM": "RM"},
            classification_domain="eCl@ss",
            classification_codes={"44121701": "24-32-01-01"},
            extrinsics={"SupplierSKU": "{sku}"},
            forbidden_part_id_characters="?{}",
            description_max_length=256,
            price_decimals=4,
        ),
    )


def test_unticked_boxes_and_empty_cxml_fields_take_the_pages_defaults() -> None:
    posted = {"name": "x", "allowed_urls": "https://buyer.example/"}
    form = read(posted, "cxml")
    assert (form.active, form.replay_protection, form.default_role) == (False, False, "punchout")
    assert (form.encoding, form.operation_allowed, form.identities) == ("base64", "edit", ())
    assert form.mapping == CXMLMapping()  # UNSPSC, no maps, no limits


def test_an_oci_partner_page_merges_the_unit_map_into_its_settings() -> None:
    form = read(OCI, "oci")
    assert (form.protocol, form.username, form.version) == ("oci", "acme-srm", "5.0")
    assert form.oci_settings == {"vendor": "4711", "unit_map": {"EA": "PCE", "RM": "RM"}}
    assert form.mapping == CXMLMapping()
    blank = read({**OCI, "oci_settings": "", "unit_map": ""}, "oci")
    assert blank.oci_settings == {"unit_map": {}}
    assert read({"name": "x"}, "oci").version == "4.0"


def test_an_oci_post_ignores_the_cxml_only_fields() -> None:
    posted = {**OCI, "extrinsics": "no pairs here", "price_decimals": "many"}
    assert read(posted, "oci").mapping == CXMLMapping()


def test_an_unknown_protocol_reads_the_shared_fields_for_the_service_to_refuse() -> None:
    form = read({**CXML, "price_decimals": "many"}, "soap")
    assert (form.protocol, form.name, form.mapping) == ("soap", "acme-ariba", CXMLMapping())


@pytest.mark.parametrize(
    ("protocol", "changes", "message"),
    [
        ("cxml", {"unit_map": "EA"}, "Each line of the unit map must look like KEY=VALUE."),
        ("oci", {"unit_map": "=PCE"}, "Each line of the unit map must look like KEY=VALUE."),
        (
            "cxml",
            {"classification_codes": "44121701"},
            "Each line of the classification codes must look like KEY=VALUE.",
        ),
        ("cxml", {"extrinsics": "x"}, "Each line of the Extrinsics must look like KEY=VALUE."),
        (
            "cxml",
            {"description_max_length": "ten"},
            "The description limit must be a whole number.",
        ),
        ("cxml", {"price_decimals": "2.5"}, "Price decimals must be a whole number."),
        ("oci", {"oci_settings": "[1]"}, "The OCI settings must be a JSON object."),
        ("oci", {"oci_settings": "{"}, "The OCI settings must be a JSON object."),
        ("cxml", {"unit_map": "EA", "price_decimals": "x"}, "unit map must look like"),
    ],
)
def test_unreadable_partner_fields_are_refused(
    protocol: str, changes: dict[str, str], message: str
) -> None:
    posted = {**(CXML if protocol == "cxml" else OCI), **changes}
    with pytest.raises(InvalidInput, match=message.replace(".", r"\.")):
        read(posted, protocol)


def test_the_mapping_judges_what_the_form_could_read() -> None:
    with pytest.raises(InvalidInput, match="price decimals must be 0 to 6"):
        read({**CXML, "price_decimals": "9"}, "cxml")


def test_the_message_log_filters_become_a_log_filter() -> None:
    query = {"partner": "3", "direction": "in", "type": "X" * 70, "status": "401"}
    dated = {**query, "from": "2026-05-01", "to": "2026-05-31"}
    assert forms.MessageFilterForm.read(MultiDict(dated)).log_filter() == message_log.LogFilter(
        partner_id=3,
        direction="in",
        document_type="X" * 64,
        status="401",
        date_from=date(2026, 5, 1),
        date_to=date(2026, 5, 31),
    )
    assert forms.MessageFilterForm.read(MultiDict()).log_filter() == message_log.LogFilter()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"partner": "x"}, "partner must be a partner id"),
        ({"from": "yesterday"}, "dates must look like 2026-05-01"),
        ({"to": "01-05-2026"}, "dates must look like 2026-05-01"),
        ({"direction": "sideways"}, "direction must be in or out"),  # LogFilter's own rule
        ({"status": "4010000000"}, "status must be ok, error or a status code"),
    ],
)
def test_unreadable_message_log_filters_are_refused(query: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=f"^{message}$"):
        forms.MessageFilterForm.read(MultiDict(query)).log_filter()
