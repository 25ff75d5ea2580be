"""The official-DTD trio: `validate`, `is_valid`, `iter_errors`.

`dtd_dir` is the official DTD folder where present, else a small DTD written for the tests
(tests/tiny_dtd.py), which fails in the same ways. Our own XSD is held to the same verdicts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from gateway import cxml
from gateway.cxml import DocumentValidationError, InboundDocumentError
from gateway.cxml.hardened_xml import parse_xml
from gateway.errors import ConfigurationError
from tests.paths import FIXTURES, official_dtd_dir

VALID = FIXTURES / "cxml" / "valid"
MINIMAL = (VALID / "punchout_setup_request" / "create_minimal.xml").read_bytes()
COUPA = (VALID / "punchout_setup_request" / "coupa_contact_first.xml").read_bytes()
#: Valid for our parser, invalid for the DTD: real buyers' quirks.
QUIRKS = {
    "punchout_setup_request/coupa_contact_first.xml",
    "punchout_setup_request/lowercase_root_no_doctype.xml",
    "punchout_setup_request/sender_without_user_agent.xml",
    "punchout_setup_request/unknown_elements_ignored.xml",
    "response/refused_with_detail.xml",
}
#: Valid for the DTD, invalid for our XSD: datatype rules a DTD cannot express.
DATATYPE_QUIRKS = {"punchout_order_message/abandoned_edit_status_204.xml"}


@pytest.mark.parametrize("name", sorted(str(p.relative_to(VALID)) for p in VALID.rglob("*.xml")))
def test_valid_fixtures_follow_our_schema_and_the_dtd_unless_they_show_a_quirk(name: str) -> None:
    root = parse_xml((VALID / name).read_bytes())
    schema_name = cxml.lint.schema_for(root)
    assert schema_name is not None
    assert cxml.schema.is_valid(root, schema_name) == (name not in QUIRKS | DATATYPE_QUIRKS)
    official = official_dtd_dir()  # where absent, the pytest summary says so
    if official is not None:
        assert cxml.dtd.is_valid(root, official) == (name not in QUIRKS)


def test_validate_accepts_bytes_and_elements(dtd_dir: Path) -> None:
    cxml.dtd.validate(MINIMAL, dtd_dir)
    cxml.dtd.validate(parse_xml(MINIMAL), dtd_dir, "cXML.dtd")
    assert list(cxml.dtd.iter_errors(MINIMAL, dtd_dir)) == []


def test_findings_name_the_element_and_the_rule(dtd_dir: Path) -> None:
    errors = list(cxml.dtd.iter_errors(COUPA, dtd_dir))
    assert len(errors) == 1
    assert errors[0].startswith(
        "/cXML/Request/PunchOutSetupRequest: Element PunchOutSetupRequest content does not "
        "follow the DTD"
    )
    with pytest.raises(DocumentValidationError) as caught:
        cxml.dtd.validate(COUPA, dtd_dir)
    assert caught.value.errors == tuple(errors)
    assert caught.value.text == f"Not Acceptable: {errors[0]}"


def test_every_finding_is_reported(dtd_dir: Path) -> None:
    root = etree.Element("cXML")
    etree.SubElement(root, "Unknown")
    errors = list(cxml.dtd.iter_errors(root, dtd_dir))
    assert len(errors) == 4
    assert "/cXML/Unknown: No declaration for element Unknown" in errors
    assert not cxml.dtd.is_valid(root, dtd_dir)


def test_another_module_dtd_can_be_named(dtd_dir: Path) -> None:
    assert cxml.dtd.is_valid(MINIMAL, dtd_dir, "cXML.dtd")
    # In the quote module a Request holds only a QuoteRequest.
    assert list(cxml.dtd.iter_errors(MINIMAL, dtd_dir, "Quote.dtd")) == [
        "/cXML/Request: Element Request content does not follow the DTD, expecting "
        "(QuoteRequest), got (PunchOutSetupRequest )"
    ]


def test_bytes_go_through_the_hardened_parser(dtd_dir: Path) -> None:
    hostile = (
        FIXTURES / "cxml" / "invalid" / "punchout_setup_request" / "xxe_file.xml"
    ).read_bytes()
    with pytest.raises(InboundDocumentError, match="entity declarations are not allowed"):
        cxml.dtd.is_valid(hostile, dtd_dir)


def test_a_missing_dtd_folder_is_a_clear_configuration_error(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    with pytest.raises(ConfigurationError, match=r"cXML DTD not found: .*no-such-folder/cXML\.dtd"):
        cxml.dtd.validate(MINIMAL, missing)


@pytest.mark.parametrize("module", ["../cXML.dtd", "cXML", "/etc/passwd", "cXML.dtd/x"])
def test_module_must_be_a_plain_dtd_file_name(module: str, dtd_dir: Path) -> None:
    with pytest.raises(ValueError, match="file name of a cXML module DTD"):
        cxml.dtd.is_valid(MINIMAL, dtd_dir, module)
