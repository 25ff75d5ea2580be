"""Where the interop replay finds its corpus, and what the run says when it is absent."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests import conftest, paths


def test_the_corpus_beside_the_checkout_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(paths.INTEROP_CORPUS_ENV, raising=False)
    monkeypatch.setattr(paths, "INTEROP_CORPUS_DIR", tmp_path)
    assert paths.interop_corpus_dir() is None  # a fresh clone: nothing beside it
    (tmp_path / "SOURCES.tsv").write_text("file\tdocument_type\n")
    assert paths.interop_corpus_dir() == tmp_path


def test_the_environment_names_another_corpus_and_a_wrong_name_fails_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paths, "INTEROP_CORPUS_DIR", tmp_path / "absent")
    monkeypatch.setenv(paths.INTEROP_CORPUS_ENV, str(tmp_path))
    with pytest.raises(RuntimeError, match=r"holds no SOURCES\.tsv"):
        paths.interop_corpus_dir()
    (tmp_path / "SOURCES.tsv").write_text("file\tdocument_type\n")
    assert paths.interop_corpus_dir() == tmp_path


class Reporter:
    """The part of pytest's terminal reporter the summary uses."""

    def __init__(self, skipped: list[Any]) -> None:
        self.stats = {"skipped": skipped}
        self.lines: list[str] = []

    def write_sep(self, _sep: str, title: str) -> None:
        self.lines.append(f"-- {title}")

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def skipped(reason: str) -> SimpleNamespace:
    return SimpleNamespace(longrepr=("test_x.py", 1, f"Skipped: {reason}"))


def test_the_summary_says_once_that_the_replay_ran_without_the_corpus() -> None:
    reporter = Reporter([skipped(paths.INTEROP_WITHOUT_CORPUS)] * 3 + [skipped("other")])
    conftest.interop_corpus_summary(reporter)  # type: ignore[arg-type]
    assert reporter.lines[0] == "-- interop corpus"
    assert reporter.lines[1].startswith(
        "interop replay ran without the corpus: 3 replay test(s) skipped; set "
        "GATEWAY_INTEROP_CORPUS or place it at "
    )
    assert len(reporter.lines) == 2


def test_the_summary_is_silent_when_the_replay_ran() -> None:
    reporter = Reporter([skipped("other")])
    conftest.interop_corpus_summary(reporter)  # type: ignore[arg-type]
    assert reporter.lines == []
