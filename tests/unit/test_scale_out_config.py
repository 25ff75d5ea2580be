"""The metrics folder of several workers: the setting and the gunicorn hooks."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from gateway.config import load_settings
from gateway.ops import gunicorn_conf


def test_the_metrics_folder_comes_from_prometheus_multiproc_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert load_settings({}, tmp_path)["PROMETHEUS_MULTIPROC_DIR"] is None
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    assert load_settings({}, tmp_path)["PROMETHEUS_MULTIPROC_DIR"] == tmp_path / "metrics"


def test_gunicorn_start_empties_the_metrics_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_4711.db").write_bytes(b"old run")
    (folder / "README").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    gunicorn_conf.on_starting(None)
    assert sorted(path.name for path in folder.iterdir()) == ["README"]


def test_an_exited_worker_drops_its_live_gauges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "gauge_livesum_4711.db").write_bytes(b"")
    (tmp_path / "counter_4711.db").write_bytes(b"")
    gunicorn_conf.child_exit(None, SimpleNamespace(pid=4711))
    assert sorted(path.name for path in tmp_path.iterdir()) == ["counter_4711.db"]
