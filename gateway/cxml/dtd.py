"""Validation against the official cXML DTDs, read from a configured local folder (DESIGN §4.1).

The DTDs are never copied into the project and never fetched: each module DTD is loaded once
from `dtd_dir` and applied to an already parsed tree.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from lxml import etree

from gateway.cxml.errors import DocumentValidationError
from gateway.cxml.hardened_xml import parse_xml
from gateway.errors import ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

_MODULE = re.compile(r"[A-Za-z]+\.dtd")


def validate(xml: bytes | etree._Element, dtd_dir: Path, module: str = "cXML.dtd") -> None:
    """Raise `DocumentValidationError` listing every DTD finding unless `xml` is valid."""
    errors = tuple(iter_errors(xml, dtd_dir, module))
    if errors:
        raise DocumentValidationError(errors)


def is_valid(xml: bytes | etree._Element, dtd_dir: Path, module: str = "cXML.dtd") -> bool:
    """True if `xml` is valid against `dtd_dir/module`."""
    return next(iter_errors(xml, dtd_dir, module), None) is None


def iter_errors(
    xml: bytes | etree._Element, dtd_dir: Path, module: str = "cXML.dtd"
) -> Iterator[str]:
    """Each DTD finding as `<path>: <message>`; bytes go through the hardened parser first."""
    element = parse_xml(xml) if isinstance(xml, bytes) else xml
    for _line, message in iter_findings(element, dtd_dir, module):
        yield message


def iter_findings(
    element: etree._Element, dtd_dir: Path, module: str = "cXML.dtd"
) -> Iterator[tuple[int, str]]:
    """Each DTD finding of a parsed tree as (source line, `<path>: <message>`)."""
    if _MODULE.fullmatch(module) is None:
        raise ValueError("module must be the file name of a cXML module DTD, e.g. cXML.dtd")
    dtd = _load(dtd_dir.resolve() / module)
    if dtd.validate(element):
        return
    for entry in dtd.error_log:
        yield entry.line, f"{entry.path}: {entry.message}"


@functools.lru_cache(maxsize=16)
def _load(path: Path) -> etree.DTD:
    if not path.is_file():
        raise ConfigurationError(
            f"cXML DTD not found: {path} (GATEWAY_CXML_DTD_DIR must name a folder holding one "
            "cXML version's module DTDs)"
        )
    return etree.DTD(str(path))
