"""Secrets never reach the message log or a log line."""

from __future__ import annotations

import logging

import pytest

from gateway.logging import configure_logging
from gateway.redaction import redact_document


def test_shared_secret_and_credential_mac_are_blanked() -> None:
    text = (
        "<Credential domain='x'><Identity>a</Identity><SharedSecret>s3cret</SharedSecret>"
        '<CredentialMac type="FromSenderCredentials">cR6Jpz58nriXERDN</CredentialMac>'
        "<sharedsecret><![CDATA[other]]></sharedsecret></Credential>"
    )
    redacted = redact_document(text)
    for secret in ("s3cret", "cR6Jpz58nriXERDN", "other"):
        assert secret not in redacted
    assert "<Identity>a</Identity>" in redacted


def test_an_unclosed_secret_hides_the_rest() -> None:
    assert "leak" not in redact_document("<SharedSecret>leak and more")


def test_start_tokens_are_blanked() -> None:
    assert redact_document("http://x/punchout/start/AbC-123_x?y") == "http://x/punchout/start/***?y"


@pytest.mark.parametrize(
    "path", ["/punchout/start/", "/invitation/", "/password/reset/", "/guest/orders/"]
)
def test_tokens_in_link_paths_are_blanked(path: str) -> None:
    line = f'"GET {path}Zx9-_tOkEn HTTP/1.1" 200'
    assert redact_document(line) == f'"GET {path}*** HTTP/1.1" 200'


def _refuse(text: str) -> None:
    raise ValueError(text)


def test_tracebacks_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging()
    logger = logging.getLogger("gateway.test")
    try:
        _refuse("bad document <SharedSecret>in-a-traceback</SharedSecret>")
    except ValueError:
        logger.exception("failed")
    assert "Traceback" in caplog.text
    assert "in-a-traceback" not in caplog.text


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    configure_logging()
    logger = logging.getLogger("gateway.test")
    with caplog.at_level(logging.INFO):
        logger.info("GET /oci?USERNAME=u&PASSWORD=%s", "hunter2")
        logger.info("body %s", "<SharedSecret>demo-secret</SharedSecret>")
    assert "hunter2" not in caplog.text
    assert "demo-secret" not in caplog.text
    assert "PASSWORD=***" in caplog.text
