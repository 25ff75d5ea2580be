"""OCI errors: each carries the HTTP status the buyer's browser (or SRM) is answered with."""

from __future__ import annotations

from http import HTTPStatus
from typing import ClassVar

from gateway.errors import GatewayError


class OCIError(GatewayError):
    """An OCI failure; `reason` is shown to the user and never holds a credential."""

    default_status: ClassVar[HTTPStatus] = HTTPStatus.INTERNAL_SERVER_ERROR

    def __init__(self, reason: str, *, status: HTTPStatus | None = None) -> None:
        self.reason = reason
        self.status = self.default_status if status is None else status
        super().__init__(reason)


class InvalidSetupError(OCIError, ValueError):
    """The launch (or FUNCTION call) cannot be accepted: 400 unless a more exact status fits."""

    default_status = HTTPStatus.BAD_REQUEST


class FieldLengthError(OCIError, ValueError):
    """A number does not fit its OCI field (cutting it would change its meaning): our bug."""

    default_status = HTTPStatus.INTERNAL_SERVER_ERROR
