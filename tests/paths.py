"""Where the tests find the project and the official cXML DTDs (never copied into the project)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT_ROOT / "fixtures"
CXML_DTD_DIR = (PROJECT_ROOT / ".." / "shared" / "schemas-cxml" / "1.2.071").resolve()


def cxml_dtd_dir() -> Path:
    """The official cXML 1.2.071 DTD folder; fails loudly (never skips) when it is missing."""
    if not (CXML_DTD_DIR / "cXML.dtd").is_file():
        raise RuntimeError(
            f"The official cXML DTDs are missing: expected {CXML_DTD_DIR}/cXML.dtd "
            "(the shared/ folder beside the project checkout)."
        )
    return CXML_DTD_DIR
