"""The access log of a real werkzeug server (checklist §6 item 42, issue #16): an OCI password
with a quote, a space, unicode or percent-encoding in it never reaches a log line."""

from __future__ import annotations

import logging

import pytest
import requests

from gateway.logging import configure_logging
from tests.security.test_secrets_in_logs import live  # noqa: F401 - a fixture

PASSWORDS = ['Wrong"LEAKED tail', "Wrong%22LEAKED", "Wröng LEAKED €", "Wrong'LEAKED\\x"]


@pytest.mark.parametrize("password", PASSWORDS)
def test_an_oci_password_is_blanked_whole_in_the_access_log(
    request: pytest.FixtureRequest, password: str, caplog: pytest.LogCaptureFixture
) -> None:
    configure_logging()
    server = request.getfixturevalue("live")  # the app behind a real werkzeug server
    raw = f"{server}/oci?USERNAME=demo-oci&PASSWORD={password}&HOOK_URL=http://x"
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        answer = requests.get(raw, timeout=10)
    assert answer.status_code == 401
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert any("GET /oci?USERNAME=***&PASSWORD=***&HOOK_URL=***" in line for line in lines)
    assert not [line for line in lines if "LEAKED" in line]
