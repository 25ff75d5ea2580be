"""cXML status codes and their texts (protocol-notes A.9)."""

from __future__ import annotations

from enum import IntEnum


class StatusCode(IntEnum):
    """A cXML `Status/@code`; 2xx is success, 4xx permanent, 5xx transient."""

    OK = 200
    ACCEPTED = 201
    NO_CONTENT = 204
    BAD_REQUEST = 400
    UNAUTHORIZED = 401
    PAYMENT_REQUIRED = 402
    FORBIDDEN = 403
    NOT_ACCEPTABLE = 406
    CONFLICT = 409
    PRECONDITION_FAILED = 412
    EXPECTATION_FAILED = 417
    NOT_IMPLEMENTED = 450
    SIGNATURE_REQUIRED = 475
    SIGNATURE_VERIFICATION_FAILED = 476
    SIGNATURE_UNACCEPTABLE = 477
    INTERNAL_SERVER_ERROR = 500
    TEMPORARY_SERVER_ERROR = 560

    @property
    def phrase(self) -> str:
        """The cXML text that starts every `Status/@text` with this code."""
        return _PHRASES[self]

    @property
    def is_success(self) -> bool:
        """True for 2xx codes."""
        return 200 <= self < 300  # noqa: PLR2004 - the 2xx range is the definition


_PHRASES: dict[StatusCode, str] = {
    StatusCode.OK: "OK",
    StatusCode.ACCEPTED: "Accepted",
    StatusCode.NO_CONTENT: "No Content",
    StatusCode.BAD_REQUEST: "Bad Request",
    StatusCode.UNAUTHORIZED: "Unauthorized",
    StatusCode.PAYMENT_REQUIRED: "Payment Required",
    StatusCode.FORBIDDEN: "Forbidden",
    StatusCode.NOT_ACCEPTABLE: "Not Acceptable",
    StatusCode.CONFLICT: "Conflict",
    StatusCode.PRECONDITION_FAILED: "Precondition Failed",
    StatusCode.EXPECTATION_FAILED: "Expectation Failed",
    StatusCode.NOT_IMPLEMENTED: "Not Implemented",
    StatusCode.SIGNATURE_REQUIRED: "Signature Required",
    StatusCode.SIGNATURE_VERIFICATION_FAILED: "Signature Verification Failed",
    StatusCode.SIGNATURE_UNACCEPTABLE: "Signature Unacceptable",
    StatusCode.INTERNAL_SERVER_ERROR: "Internal Server Error",
    StatusCode.TEMPORARY_SERVER_ERROR: "Temporary server error",
}
