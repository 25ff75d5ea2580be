"""cXML errors: each carries the Status the buyer gets (DESIGN.md §5).

`reason` is read by the buyer: it names elements and rules, never document content or secrets.
"""

from __future__ import annotations

from typing import ClassVar

from gateway.cxml.documents import Status
from gateway.cxml.status import StatusCode
from gateway.errors import GatewayError


class CXMLError(GatewayError):
    """A cXML failure with the status it is answered with."""

    default_status: ClassVar[StatusCode] = StatusCode.INTERNAL_SERVER_ERROR

    def __init__(self, reason: str, *, status: StatusCode | None = None) -> None:
        self.reason = reason
        self.status = self.default_status if status is None else status
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The `Status/@text`: the code's phrase, then the reason."""
        return f"{self.status.phrase}: {self.reason}"

    def to_status(self) -> Status:
        """The cXML Status answering this error."""
        return Status(code=self.status, text=self.text)


class InboundDocumentError(CXMLError, ValueError):
    """The buyer sent something we cannot use: 406 (unparsable, invalid) or 400 (unacceptable)."""

    default_status = StatusCode.NOT_ACCEPTABLE


class CredentialError(InboundDocumentError):
    """Unknown sender or wrong secret: one identical answer for every case."""

    default_status = StatusCode.UNAUTHORIZED

    def __init__(self) -> None:
        super().__init__("unknown sender or wrong credentials")


class DocumentValidationError(InboundDocumentError):
    """A document failed a DTD or XSD check; `errors` lists every finding (at least one)."""

    def __init__(self, errors: tuple[str, ...]) -> None:
        self.errors = errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(errors[0] + more)


class UnsupportedDocumentError(CXMLError):
    """A document type or operation we do not implement: 450."""

    default_status = StatusCode.NOT_IMPLEMENTED


class DuplicateDocumentError(CXMLError):
    """The current state prevents it, e.g. a payloadID seen with another body: 409."""

    default_status = StatusCode.CONFLICT


class OutboundDocumentError(CXMLError):
    """We nearly emitted an invalid document: our bug, answered 500 and never sent."""

    default_status = StatusCode.INTERNAL_SERVER_ERROR


class SignatureError(CXMLError):
    """A signature a partner must send is missing, wrong or unacceptable (A.10)."""

    default_status = StatusCode.SIGNATURE_VERIFICATION_FAILED


class SignatureRequiredError(SignatureError):
    """The partner must sign and did not: 475."""

    default_status = StatusCode.SIGNATURE_REQUIRED


class SignatureInvalidError(SignatureError):
    """The signature or its layout does not verify: 476."""

    default_status = StatusCode.SIGNATURE_VERIFICATION_FAILED


class SignatureUnacceptableError(SignatureError):
    """Another certificate than the pinned one, or a refused algorithm: 477."""

    default_status = StatusCode.SIGNATURE_UNACCEPTABLE
