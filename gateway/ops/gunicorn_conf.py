"""gunicorn hooks for the metrics of several workers (`-c python:gateway.ops.gunicorn_conf`).

With PROMETHEUS_MULTIPROC_DIR set, each worker keeps its metrics in files in that folder. The
folder is emptied when gunicorn starts (figures of an earlier run must not be added in), and a
worker's live gauges are dropped when it exits. Give every gunicorn master its own folder. Import
these hooks into your own gunicorn.conf.py to combine them with other settings.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess

from gateway.config import metrics_multiprocess_dir


def on_starting(_server: Any) -> None:
    """Empty the metrics folder before the first worker starts."""
    folder = metrics_multiprocess_dir()
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()


def child_exit(_server: Any, worker: Any) -> None:
    """Forget an exited worker's live gauges (its counters stay counted)."""
    if metrics_multiprocess_dir() is not None:
        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]  # unannotated
