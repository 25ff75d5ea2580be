"""The one hardened XML parser for untrusted input (security-checklist.md §1).

Two passes over the same bytes: expat, which never fetches anything, enforces the DOCTYPE
allow-list and refuses declarations, entity references, processing instructions, XInclude,
schema hints, other encodings and oversized input; then lxml builds the tree with every loading
feature off. Refusals raise `InboundDocumentError` (406) with a fixed reason that never repeats
document content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn
from xml.parsers import expat

from lxml import etree

from gateway.cxml.errors import InboundDocumentError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The DOCTYPE system ids we accept; nothing is ever fetched from them. Scheme and host compare
#: case-insensitively (Ariba's own examples write `xml.cXML.org`); the version is any cXML 1.0
#: to 1.2.x (`1.0`, `1.1.010`, `1.2.071`); the module is any DTD file name (cXML, Fulfill, …).
DTD_URL = re.compile(
    r"(?i:https?://xml\.cxml\.org)/schemas/cXML/(1\.[0-2](?:\.\d{1,3})?)/[A-Za-z]+\.dtd"
)

_UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")
_ENCODINGS = frozenset({"utf-8", "us-ascii"})
_XINCLUDE_NS = frozenset({"http://www.w3.org/2001/XInclude", "http://www.w3.org/2003/XInclude"})
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_XSI_PREFIX = _XSI_NS + " "  # expat joins namespace and local name with the separator


@dataclass(frozen=True, slots=True, kw_only=True)
class ParserLimits:
    """Bounds on untrusted XML; anything beyond them is refused before a tree is built."""

    max_bytes: int = 4 * 1024 * 1024  # the whole body (the web layer answers 413 earlier)
    max_depth: int = 64  # cXML needs about 10 levels
    max_text_length: int = 1024 * 1024  # characters in one run of text, CDATA included
    max_attributes: int = 32  # on one element


DEFAULT_LIMITS = ParserLimits()


def _refuse(reason: str) -> NoReturn:
    raise InboundDocumentError(reason)


class _Gate:
    """Expat callbacks: each check refuses by raising, which stops expat at once."""

    __slots__ = ("bom", "depth", "limits", "subset", "text", "xsi")

    def __init__(self, limits: ParserLimits, *, bom: bool) -> None:
        self.limits = limits
        self.bom = bom
        self.depth = 0
        self.text = 0
        self.subset = False
        self.xsi = False

    def xml_decl(self, version: str | None, encoding: str | None, _standalone: int) -> None:
        if version != "1.0":
            _refuse("only XML version 1.0 is accepted")
        if encoding is not None:
            name = encoding.lower()
            if name not in _ENCODINGS or (self.bom and name != "utf-8"):
                _refuse("only UTF-8 encoded documents are accepted")

    def doctype(self, name: str, sysid: str | None, pubid: str | None, subset: int) -> None:
        self.subset = bool(subset)
        if name != "cXML":
            _refuse("document type must be cXML")
        if pubid is not None:
            _refuse("public identifiers are not allowed in the document type declaration")
        if sysid is not None and DTD_URL.fullmatch(sysid) is None:
            _refuse("document type must name a cXML DTD under http://xml.cxml.org/schemas/cXML/")

    def end_doctype(self) -> None:
        # Declarations inside a subset are refused where they occur, with a precise reason;
        # a subset holding none of them (empty, comments only) is refused here.
        if self.subset:
            _refuse("an internal DTD subset is not allowed")

    def entity_decl(self, *_args: object) -> None:
        _refuse("entity declarations are not allowed")

    def attlist_decl(self, *_args: object) -> None:
        _refuse("attribute list declarations are not allowed")

    def element_decl(self, *_args: object) -> None:
        _refuse("element declarations are not allowed")

    def notation_decl(self, *_args: object) -> None:
        _refuse("notation declarations are not allowed")

    def skipped_entity(self, *_args: object) -> None:
        _refuse("entity references are not allowed")

    def processing_instruction(self, *_args: object) -> None:
        _refuse("processing instructions are not allowed")

    def namespace_decl(self, _prefix: str | None, uri: str) -> None:
        if uri in _XINCLUDE_NS:
            _refuse("XInclude is not allowed")
        if uri == _XSI_NS:
            self.xsi = True

    def start(self, _name: str, attributes: Mapping[str, str]) -> None:
        self.depth += 1
        self.text = 0
        if self.depth > self.limits.max_depth:
            _refuse(f"nesting deeper than {self.limits.max_depth} levels")
        if len(attributes) > self.limits.max_attributes:
            _refuse(f"more than {self.limits.max_attributes} attributes on one element")
        if self.xsi and any(name.startswith(_XSI_PREFIX) for name in attributes):
            _refuse("XML Schema instance attributes (schemaLocation, type, nil) are not allowed")

    def end(self, _name: str) -> None:
        self.depth -= 1
        self.text = 0

    def characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.max_text_length:
            _refuse(f"a text longer than {self.limits.max_text_length} characters")


_SNIFFED_BOMS = ((_UTF8_BOM, "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))
_XML_SPACE = " \t\r\n"


def looks_like_xml(body: bytes) -> bool:
    """Whether `body` is meant as an XML document, whatever its Content-Type says: after an
    optional byte order mark and whitespace it starts with `<`. (A UTF-16 document counts, so
    that `parse_xml` can refuse it for its encoding, which is the precise reason.)"""
    for bom, codec in _SNIFFED_BOMS:
        if body.startswith(bom):
            head = body[len(bom) : len(bom) + 4096].decode(codec, "ignore")
            return head.lstrip(_XML_SPACE).startswith("<")
    return body.lstrip(_XML_SPACE.encode()).startswith(b"<")


def parse_xml(body: bytes, *, limits: ParserLimits = DEFAULT_LIMITS) -> etree._Element:
    """Parse untrusted XML bytes into an lxml root element, or raise `InboundDocumentError`."""
    if not isinstance(body, bytes):
        raise TypeError("parse_xml() takes the raw bytes of the document")
    if len(body) > limits.max_bytes:
        _refuse(f"document larger than {limits.max_bytes} bytes")
    # UTF-16/32 always shows a BOM or a NUL byte among the first four bytes (UTF-8 never does);
    # expat and libxml2 would both detect and decode it, declaration or not.
    if body.startswith(_WIDE_BOMS) or 0 in body[:4]:
        _refuse("only UTF-8 encoded documents are accepted")
    body = _without_leading_space(body)
    _expat_pass(body, limits)
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(body, parser)  # noqa: TID251 - this is the hardened parser
    except etree.XMLSyntaxError:
        raise InboundDocumentError("not well-formed XML") from None
    if next(root.iter(etree.Entity), None) is not None:
        _refuse("entity references are not allowed")
    return root


def _without_leading_space(body: bytes) -> bytes:
    """`body` without whitespace before its XML declaration (the BOM kept): buyer tools send a
    newline first, which XML allows before a root element but not before the declaration.
    Without a declaration, the body is left as it is (and line numbers stay true)."""
    bom = _UTF8_BOM if body.startswith(_UTF8_BOM) else b""
    rest = body[len(bom) :].lstrip(_XML_SPACE.encode())
    return bom + rest if rest.startswith(b"<?xml") else body


def _expat_pass(body: bytes, limits: ParserLimits) -> None:
    gate = _Gate(limits, bom=body.startswith(_UTF8_BOM))
    # Forcing UTF-8 makes expat refuse invalid UTF-8 whatever the declaration claims.
    parser: Any = expat.ParserCreate("UTF-8", " ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    parser.XmlDeclHandler = gate.xml_decl
    parser.StartDoctypeDeclHandler = gate.doctype
    parser.EndDoctypeDeclHandler = gate.end_doctype
    parser.EntityDeclHandler = gate.entity_decl
    parser.UnparsedEntityDeclHandler = gate.entity_decl
    parser.AttlistDeclHandler = gate.attlist_decl
    parser.ElementDeclHandler = gate.element_decl
    parser.NotationDeclHandler = gate.notation_decl
    parser.SkippedEntityHandler = gate.skipped_entity
    parser.ProcessingInstructionHandler = gate.processing_instruction
    parser.StartNamespaceDeclHandler = gate.namespace_decl
    parser.StartElementHandler = gate.start
    parser.EndElementHandler = gate.end
    if len(body) > limits.max_text_length:  # a shorter body has no text run that long
        parser.CharacterDataHandler = gate.characters
    try:
        parser.Parse(body, True)
    except expat.ExpatError as error:
        problem = expat.errors.messages.get(error.code, "syntax error")
        raise InboundDocumentError(
            f"not well-formed XML ({problem} at line {error.lineno}, column {error.offset + 1})"
        ) from None


def text_of(element: etree._Element) -> str:
    """All text inside `element`, joined and stripped: the only way to read security values."""
    if len(element) == 0:  # a leaf, as most are: its text is all of it (20 times cheaper)
        return (element.text or "").strip()
    return "".join(element.itertext()).strip()
