"""Check a catalog file we wrote: a cXML Index against our XSD always and the official DTD
where available; CIF read back into its header and data lines."""

from __future__ import annotations

import csv
from dataclasses import dataclass

from lxml import etree

from gateway import cxml
from gateway.catalogs import cxml_index
from gateway.cxml import parse_xml
from tests.paths import official_dtd_dir


def assert_valid_index(body: bytes) -> etree._Element:
    """Raise unless `body` is an Index our XSD (and the official cXML.dtd, if here) accepts."""
    doctype = cxml_index.doctype().encode()
    assert doctype in body
    root = parse_xml(body.replace(doctype, b""))  # the hardened parser takes cXML DOCTYPEs only
    assert root.tag == "Index"
    cxml.schema.validate(root, cxml.schema.SchemaName.INDEX)
    dtd_dir = official_dtd_dir()
    if dtd_dir is not None:
        cxml.dtd.validate(root, dtd_dir)
    return root


@dataclass(frozen=True, slots=True)
class CifFile:
    """A CIF file read back: its header values, column names and data rows."""

    first_line: str
    header: dict[str, str]
    fieldnames: list[str]
    rows: list[dict[str, str]]
    last_line: str


def read_cif(text: str) -> CifFile:
    """Split a CIF file at DATA / ENDOFDATA and read its lines as CSV."""
    lines = text.split("\n")
    data = lines.index("DATA")
    end = lines.index("ENDOFDATA")
    header = dict(line.split(": ", 1) for line in lines[1:data])
    fieldnames = header["FIELDNAMES"].split(",")
    rows = [dict(zip(fieldnames, row, strict=True)) for row in csv.reader(lines[data + 1 : end])]
    return CifFile(
        first_line=lines[0],
        header=header,
        fieldnames=fieldnames,
        rows=rows,
        last_line=lines[end],
    )
