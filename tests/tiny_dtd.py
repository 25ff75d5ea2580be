"""A small cXML DTD written for the tests, for where the official DTDs are absent.

It declares every element and attribute our own XSDs name, open content for most elements,
and the DTD rules the DTD-machinery tests rely on: the envelope, the order of a
PunchOutSetupRequest, a `role` that must be a name token, and a Quote module whose Request
holds only a QuoteRequest. It proves the machinery, not the cXML specification.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from gateway.cxml.hardened_xml import parse_xml

_XS = "{http://www.w3.org/2001/XMLSchema}"
_STRICT = {
    "cXML": "((Header, (Message | Request)) | Response)",
    "PunchOutSetupRequest": (
        "(BuyerCookie, Extrinsic*, BrowserFormPost?, Contact*, SupplierSetup?, ShipTo?, "
        "SelectedItem?, ItemOut*)"
    ),
    "Request": "(PunchOutSetupRequest | OrderRequest | ProfileRequest | StatusUpdateRequest)",
}


def write_tiny_dtds(folder: Path, version: str = "1.2.071") -> Path:
    """Write `cXML.dtd` and `Quote.dtd` into `folder` and return it."""
    for name, text in tiny_dtds(version).items():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def tiny_dtds(version: str = "1.2.071") -> dict[str, str]:
    """The text of the small `cXML.dtd` and `Quote.dtd`, declaring cXML `version`."""
    elements, attributes = _names()
    quote = {**_STRICT, "Request": "(QuoteRequest)"}
    return {
        "cXML.dtd": _dtd(elements, attributes, _STRICT, version),
        "Quote.dtd": _dtd(elements | {"QuoteRequest"}, attributes, quote, version),
    }


def _names() -> tuple[set[str], set[str]]:
    elements: set[str] = set()
    attributes: set[str] = {"xml:lang", "Id", "type", "role"}
    for xsd in files("gateway.schemas").joinpath("cxml").iterdir():
        if xsd.name.endswith(".xsd"):
            tree = parse_xml(xsd.read_bytes())
            elements |= {e.get("name", "") for e in tree.iter(f"{_XS}element")}
            attributes |= {a.get("name", "") for a in tree.iter(f"{_XS}attribute")}
    return elements - {""}, attributes - {""}


def _dtd(elements: set[str], attributes: set[str], strict: dict[str, str], version: str) -> str:
    lines = [
        "<!-- A small cXML DTD written for the punchout-gateway tests. -->",
        f'<!ENTITY cxml.version "{version}">',
    ]
    for name in sorted(elements):
        lines.append(f"<!ELEMENT {name} {strict.get(name, 'ANY')}>")
        declared = []
        for attribute in sorted(attributes):
            if attribute == "role":
                declared.append("role NMTOKEN #IMPLIED")
            elif name == "cXML" and attribute in ("payloadID", "timestamp"):
                declared.append(f"{attribute} CDATA #REQUIRED")
            else:
                declared.append(f"{attribute} CDATA #IMPLIED")
        lines.append(f"<!ATTLIST {name} " + " ".join(declared) + ">")
    return "\n".join(lines) + "\n"
