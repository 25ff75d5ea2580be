"""Where the tests find the project, the official cXML DTDs and the interop corpus (neither
is ever copied into the project)."""

from __future__ import annotations

import os
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


#: Real buyers' documents written by others, each under its own licence (read, never copied).
INTEROP_CORPUS_DIR = (PROJECT_ROOT / ".." / "shared" / "interop-corpus").resolve()
INTEROP_CORPUS_ENV = "GATEWAY_INTEROP_CORPUS"
#: The skip reason of the replay tests, and what the terminal summary says once about them.
INTEROP_WITHOUT_CORPUS = "interop replay ran without the corpus"


def interop_corpus_dir() -> Path | None:
    """The interop corpus (`$GATEWAY_INTEROP_CORPUS`, else `../shared/interop-corpus`), or None
    where it is absent, as on a fresh clone."""
    configured = os.environ.get(INTEROP_CORPUS_ENV)
    if not configured:
        return INTEROP_CORPUS_DIR if (INTEROP_CORPUS_DIR / "SOURCES.tsv").is_file() else None
    folder = Path(configured).resolve()
    if not (folder / "SOURCES.tsv").is_file():  # asked for by name: missing is an error
        raise RuntimeError(f"{INTEROP_CORPUS_ENV}={configured} holds no SOURCES.tsv")
    return folder
