"""Our own XSDs (package data `gateway.schemas`): the datatype rules a DTD cannot express.

Validation uses libxml2 (`lxml.etree.XMLSchema`, XSD 1.0): it runs on every setup request,
and on a typical one it takes microseconds where xmlschema takes about a millisecond. Schemas
are loaded once, from local files only. A finding about a value reads
`<path>[/@attribute]: must be <rule>`, the rule being the documentation of the schema type, so
the value itself is never repeated; a finding about structure keeps libxml2's wording, which
names elements only.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.resources import as_file, files
from typing import TYPE_CHECKING

from lxml import etree

from gateway.cxml.errors import DocumentValidationError
from gateway.cxml.hardened_xml import parse_xml

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

_XS = "{http://www.w3.org/2001/XMLSchema}"
_SUBJECT = re.compile(r"Element '(?P<element>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: ")
_MISSING = re.compile(r"The attribute '(?P<attribute>[^']+)' is required but missing")


class SchemaName(StrEnum):
    """Our XSDs, by file name under `schemas/cxml/`."""

    PUNCHOUT_SETUP_REQUEST = "punchout_setup_request"
    PUNCHOUT_ORDER_MESSAGE = "punchout_order_message"
    #: every document we emit or receive, in the DTD's element order (strict structure)
    CXML = "cxml"
    #: a catalog (root element Index) as `gateway catalog export --format cxml` writes it
    INDEX = "index"


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One schema violation: where (`/cXML/.../ItemOut[1]/@quantity`, source `line`) and why,
    never the value."""

    path: str
    reason: str
    line: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class _Schema:
    validator: etree.XMLSchema
    #: (element, attribute or None for the content) -> the documented rule of its type
    rules: dict[tuple[str, str | None], str]


def validate(xml: bytes | etree._Element, name: str) -> None:
    """Raise `DocumentValidationError` (406) listing every finding unless `xml` is valid."""
    errors = tuple(map(str, iter_errors(xml, name)))
    if errors:
        raise DocumentValidationError(errors)


def is_valid(xml: bytes | etree._Element, name: str) -> bool:
    """True if `xml` is valid against the schema `name`."""
    return next(iter_errors(xml, name), None) is None


def iter_errors(xml: bytes | etree._Element, name: str) -> Iterator[Finding]:
    """Each violation of the schema `name`; bytes go through the hardened parser first."""
    schema = _load(SchemaName(name))
    element = parse_xml(xml) if isinstance(xml, bytes) else xml
    if schema.validator.validate(element):
        return
    for entry in schema.validator.error_log:
        yield _describe(entry, schema.rules)


def _describe(entry: etree._LogEntry, rules: dict[tuple[str, str | None], str]) -> Finding:
    subject = _SUBJECT.match(entry.message)
    where = entry.path or ""
    if subject is None:
        return Finding(path=where, reason="is not valid", line=entry.line)
    finding = entry.message[subject.end() :].strip()
    missing = _MISSING.match(finding)
    if missing:
        return Finding(
            path=f"{where}/@{missing['attribute']}", reason="is required", line=entry.line
        )
    attribute = subject["attribute"]
    path = f"{where}/@{attribute}" if attribute else where
    # libxml2 quotes the offending value in every message about a value: never repeat it.
    # Structural messages (unexpected or missing elements) name elements only.
    if "value" not in finding:
        return Finding(path=path, reason=finding, line=entry.line)
    rule = rules.get((subject["element"], attribute))
    reason = f"must be {rule}" if rule else "has an invalid value"
    return Finding(path=path, reason=reason, line=entry.line)


@functools.cache
def _load(name: SchemaName) -> _Schema:
    with as_file(files("gateway.schemas").joinpath("cxml", f"{name}.xsd")) as path:
        documents = _read_with_includes(path)
        return _Schema(validator=etree.XMLSchema(documents[0]), rules=_rules(documents))


def _read_with_includes(path: Path) -> list[etree._ElementTree]:
    """The schema at `path` first, then every file it includes, directly or not, once each."""
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    documents: list[etree._ElementTree] = []
    pending, seen = [path], {path.name}
    while pending:
        document = etree.parse(str(pending.pop(0)), parser)
        documents.append(document)
        for include in document.iterfind(f"{_XS}include"):
            location = include.get("schemaLocation", "")
            if location not in seen:
                seen.add(location)
                pending.append(path.parent / location)
    return documents


def _rules(documents: list[etree._ElementTree]) -> dict[tuple[str, str | None], str]:
    """Map every declared element content and attribute to its type's documentation."""
    documented = {
        simple.get("name", ""): " ".join((doc.text or "").split())
        for tree in documents
        for simple in tree.iterfind(f"{_XS}simpleType")
        if (doc := simple.find(f"{_XS}annotation/{_XS}documentation")) is not None
    }
    complex_types = {
        complex_type.get("name", ""): complex_type
        for tree in documents
        for complex_type in tree.iterfind(f"{_XS}complexType")
    }
    rules: dict[tuple[str, str | None], str] = {}
    for tree in documents:
        for element in tree.iter(f"{_XS}element"):
            name = element.get("name", "")
            type_name = element.get("type", "")
            if type_name in documented:
                rules[(name, None)] = documented[type_name]
            definition = complex_types.get(type_name, element.find(f"{_XS}complexType"))
            if definition is None:
                continue
            for attribute, attribute_type in _typed_parts(definition):
                if attribute_type in documented:
                    rules[(name, attribute)] = documented[attribute_type]
    return rules


def _typed_parts(complex_type: etree._Element) -> Iterator[tuple[str | None, str]]:
    """(attribute, type) of a complex type's attributes, and (None, base) for simple content."""
    extension = complex_type.find(f"{_XS}simpleContent/{_XS}extension")
    holder = complex_type if extension is None else extension
    if extension is not None:
        yield None, extension.get("base", "")
    for attribute in holder.iterfind(f"{_XS}attribute"):
        yield attribute.get("name"), attribute.get("type", "")
