"""Logging set-up that keeps secrets out of every log line, whoever logs and wherever it goes."""

from __future__ import annotations

import logging
import re

from gateway.redaction import redact_document

_QUERY_SECRETS = re.compile(r"(?i)((?:password|passwd|pwd|secret|token)=)[^&\s\"']+")
# An OCI launch carries the login in its query under partner-chosen names: blank every value.
_OCI_QUERY = re.compile(r"/oci\?[^\s\"']+")
_QUERY_VALUE = re.compile(r"=[^&]*")


def redact_line(message: str) -> str:
    """A log line without shared secrets, start tokens or password-like query values."""
    line = _QUERY_SECRETS.sub(r"\1***", redact_document(message))
    return _OCI_QUERY.sub(lambda match: _QUERY_VALUE.sub("=***", match.group()), line)


class RedactingLogRecord(logging.LogRecord):
    """A log record whose formatted message and traceback text are always redacted."""

    _exc_text: str | None = None

    def getMessage(self) -> str:  # noqa: N802 - overrides the logging API
        return redact_line(super().getMessage())

    @property
    def exc_text(self) -> str | None:
        """The traceback a formatter stores here (an exception's text may quote a secret)."""
        return self._exc_text

    @exc_text.setter
    def exc_text(self, text: str | None) -> None:
        self._exc_text = None if text is None else redact_line(text)


def configure_logging() -> None:
    """Make every log record redact itself (records of Flask, werkzeug and libraries included)."""
    if logging.getLogRecordFactory() is not RedactingLogRecord:
        logging.setLogRecordFactory(RedactingLogRecord)
