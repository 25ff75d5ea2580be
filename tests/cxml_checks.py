"""Check an emitted document against our XSD always, and the official DTD where available."""

from __future__ import annotations

from lxml import etree

from gateway import cxml
from gateway.cxml.hardened_xml import parse_xml
from tests.paths import official_dtd_dir


def assert_valid_cxml(document: bytes | etree._Element, module: str = "cXML.dtd") -> None:
    """Raise `DocumentValidationError` unless `document` follows our schema (and the DTD)."""
    root = parse_xml(document) if isinstance(document, bytes) else document
    name = cxml.lint.schema_for(root)
    assert name is not None, f"our schemas do not cover a {root.tag} like this one"
    cxml.schema.validate(root, name)
    dtd_dir = official_dtd_dir()
    if dtd_dir is not None:
        cxml.dtd.validate(root, dtd_dir, module)
