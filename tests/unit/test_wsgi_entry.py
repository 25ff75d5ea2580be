"""`gunicorn wsgi:app` freezes what the app loaded at start-up out of the garbage collector's
reach: full collections then skip the app's few hundred thousand long-lived objects."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.paths import PROJECT_ROOT

PROBE = "import gc, wsgi; print(gc.get_freeze_count())"


def test_the_wsgi_entry_point_freezes_the_loaded_app(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")}
    env |= {
        "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'gateway.sqlite3'}",
        "GATEWAY_SECRET_KEY": "s" * 40,
        "GATEWAY_BASE_URL": "http://127.0.0.1:5000",
    }
    frozen = subprocess.run(  # noqa: S603 - this Python with a fixed probe
        [sys.executable, "-c", PROBE],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert int(frozen) > 10_000  # the app's modules, functions, templates and mappings
