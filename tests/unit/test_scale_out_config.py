"""Settings that must agree across hosts, and the gunicorn hooks of the shared metrics folder."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from gateway.config import database_url, load_settings
from gateway.errors import ConfigurationError
from gateway.ops import gunicorn_conf


@pytest.fixture(autouse=True)
def _no_secret_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GATEWAY_SECRET_KEY", raising=False)


def test_a_database_server_needs_an_explicit_secret_key(tmp_path: Path) -> None:
    url = {"GATEWAY_DATABASE_URL": "postgresql://gateway@db.internal/gateway"}
    with pytest.raises(ConfigurationError, match="GATEWAY_SECRET_KEY must be set"):
        load_settings(url, tmp_path)
    assert not (tmp_path / "secret_key").exists()
    assert load_settings({**url, "GATEWAY_SECRET_KEY": "k"}, tmp_path)["GATEWAY_SECRET_KEY"] == "k"


def test_alembic_reads_the_database_url_without_the_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GATEWAY_DATABASE_URL", "postgresql://gateway@db.internal/gateway")
    assert database_url(tmp_path) == "postgresql://gateway@db.internal/gateway"
    monkeypatch.delenv("GATEWAY_DATABASE_URL")
    assert database_url(tmp_path) == f"sqlite:///{tmp_path / 'gateway.sqlite3'}"


def test_a_sqlite_installation_generates_its_key_once(tmp_path: Path) -> None:
    first = load_settings({}, tmp_path)["GATEWAY_SECRET_KEY"]
    assert load_settings({}, tmp_path)["GATEWAY_SECRET_KEY"] == first


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
