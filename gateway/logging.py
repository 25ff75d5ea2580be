"""Logging set-up that keeps secrets out of every log line, whoever logs and wherever it goes."""

from __future__ import annotations

import logging

from gateway.redaction import redact_document, redact_queries


def redact_line(message: str) -> str:
    """A log line without shared secrets, start tokens or password-like query values."""
    return redact_queries(redact_document(message))


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
