"""Where the tests find the project, the official cXML DTDs and the interop corpus (neither is
ever copied into the project).

The official DTDs are someone else's text: a clone of the project alone has none. Tests check
every document against our own XSDs always, and against the official DTDs where they are
available: `GATEWAY_CXML_DTD_DIR`, else the `shared/` folder beside the checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT_ROOT / "fixtures"
SHARED_DTD_DIR = (PROJECT_ROOT / ".." / "shared" / "schemas-cxml" / "1.2.071").resolve()


def official_dtd_dir() -> Path | None:
    """The official cXML 1.2.071 DTD folder, or None when this machine has none.

    A `GATEWAY_CXML_DTD_DIR` that names a folder without `cXML.dtd` fails loudly: whoever set
    it meant the tests to compare against it.
    """
    configured = os.environ.get("GATEWAY_CXML_DTD_DIR")
    if configured:
        folder = Path(configured).resolve()
        if not (folder / "cXML.dtd").is_file():
            raise RuntimeError(f"GATEWAY_CXML_DTD_DIR={folder} holds no cXML.dtd")
        return folder
    return SHARED_DTD_DIR if (SHARED_DTD_DIR / "cXML.dtd").is_file() else None


def dtd_setting() -> str:
    """`GATEWAY_CXML_DTD_DIR` for an app under test: the official folder, or "" (none)."""
    folder = official_dtd_dir()
    return str(folder) if folder is not None else ""


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
