"""The access log of a real werkzeug server (checklist §6 item 42, issue #16): an OCI password
with a quote, a space, unicode or percent-encoding in it never reaches a log line."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from gateway.logging import configure_logging

PASSWORDS = ['Wrong"LEAKED tail', "Wrong%22LEAKED", "Wröng LEAKED €", "Wrong'LEAKED\\x"]


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    """The app behind a real werkzeug server, which writes the access log."""
    configure_logging()
    live = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=live.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{live.server_port}"
    live.shutdown()
    live.server_close()


@pytest.mark.parametrize("password", PASSWORDS)
def test_an_oci_password_is_blanked_whole_in_the_access_log(
    server: str, password: str, caplog: pytest.LogCaptureFixture
) -> None:
    raw = f"{server}/oci?USERNAME=demo-oci&PASSWORD={password}&HOOK_URL=http://x"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        answer = requests.get(raw, timeout=10)
    assert answer.status_code == 401
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("GET /oci?USERNAME=***&PASSWORD=***&HOOK_URL=***" in line for line in lines)
    assert not [line for line in lines if "LEAKED" in line]
