from __future__ import annotations

import pytest

from gateway.cxml import (
    CredentialError,
    CXMLError,
    DocumentValidationError,
    DuplicateDocumentError,
    InboundDocumentError,
    OutboundDocumentError,
    Status,
    StatusCode,
    UnsupportedDocumentError,
)
from gateway.errors import GatewayError


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InboundDocumentError("x"), StatusCode.NOT_ACCEPTABLE),
        (UnsupportedDocumentError("x"), StatusCode.NOT_IMPLEMENTED),
        (DuplicateDocumentError("x"), StatusCode.CONFLICT),
        (OutboundDocumentError("x"), StatusCode.INTERNAL_SERVER_ERROR),
        (DocumentValidationError(("x",)), StatusCode.NOT_ACCEPTABLE),
        (CredentialError(), StatusCode.UNAUTHORIZED),
    ],
)
def test_each_error_carries_its_default_status(error: CXMLError, status: StatusCode) -> None:
    assert error.status is status
    assert isinstance(error, CXMLError)
    assert isinstance(error, GatewayError)


def test_the_status_text_is_the_phrase_then_the_reason() -> None:
    error = InboundDocumentError("BrowserFormPost URL not allowed", status=StatusCode.BAD_REQUEST)
    assert error.status is StatusCode.BAD_REQUEST
    assert error.text == "Bad Request: BrowserFormPost URL not allowed"
    assert str(error) == error.text
    assert error.to_status() == Status(code=StatusCode.BAD_REQUEST, text=error.text)


def test_the_root_error_takes_an_explicit_status() -> None:
    error = CXMLError("please retry later", status=StatusCode.TEMPORARY_SERVER_ERROR)
    assert error.text == "Temporary server error: please retry later"


def test_inbound_errors_are_value_errors() -> None:
    assert issubclass(InboundDocumentError, ValueError)
    assert issubclass(CredentialError, InboundDocumentError)
    assert issubclass(DocumentValidationError, InboundDocumentError)


def test_credential_errors_all_read_the_same() -> None:
    assert CredentialError().text == "Unauthorized: unknown sender or wrong credentials"
    assert CredentialError().to_status() == CredentialError().to_status()


def test_a_validation_error_keeps_every_finding_and_shows_the_first() -> None:
    error = DocumentValidationError(("/cXML/@timestamp: is required", "/cXML/Header: is wrong"))
    assert error.errors == ("/cXML/@timestamp: is required", "/cXML/Header: is wrong")
    assert error.text == "Not Acceptable: /cXML/@timestamp: is required (and 1 more)"
    assert DocumentValidationError(("only",)).text == "Not Acceptable: only"
