"""How the tests find the official cXML DTDs, and the summary line when they are absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest, paths
from tests.tiny_dtd import write_tiny_dtds


class Reporter:
    """Collects what the summary hook writes."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def write_line(self, line: str) -> None:
        self.lines.append(line)


@pytest.fixture
def nothing_beside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A machine with the project alone: no ../shared, no GATEWAY_CXML_DTD_DIR."""
    monkeypatch.setattr(paths, "SHARED_DTD_DIR", tmp_path / "shared" / "schemas-cxml" / "1.2.071")
    monkeypatch.delenv("GATEWAY_CXML_DTD_DIR", raising=False)
    return tmp_path


def test_without_official_dtds_tests_compare_with_our_schemas_only(nothing_beside: Path) -> None:
    assert paths.official_dtd_dir() is None
    assert paths.dtd_setting() == ""
    reporter = Reporter()
    conftest._report_missing_dtds(reporter)
    assert reporter.lines == [
        "cXML: the DTD comparison ran without the official DTDs (our XSDs only); set "
        "GATEWAY_CXML_DTD_DIR or run `gateway cxml dtds install` to compare against them."
    ]


def test_the_shared_folder_beside_the_checkout_is_found(nothing_beside: Path) -> None:
    shared = write_tiny_dtds(paths.SHARED_DTD_DIR)
    assert paths.official_dtd_dir() == shared
    reporter = Reporter()
    conftest._report_missing_dtds(reporter)
    assert reporter.lines == []


def test_gateway_cxml_dtd_dir_wins_and_must_hold_the_dtds(
    nothing_beside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tiny_dtds(paths.SHARED_DTD_DIR)
    installed = write_tiny_dtds(nothing_beside / "installed")
    monkeypatch.setenv("GATEWAY_CXML_DTD_DIR", str(installed))
    assert paths.official_dtd_dir() == installed
    assert paths.dtd_setting() == str(installed)
    monkeypatch.setenv("GATEWAY_CXML_DTD_DIR", str(nothing_beside / "empty"))
    with pytest.raises(RuntimeError, match=r"holds no cXML\.dtd"):
        paths.official_dtd_dir()
