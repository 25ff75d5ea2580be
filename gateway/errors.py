"""The one exception root of the gateway.

Protocol errors live beside their protocol (`gateway.cxml.errors`) and carry their status; the
web layer maps the whole tree to answers in `gateway.web.errors`.
"""

from __future__ import annotations


class GatewayError(Exception):
    """Root of every error the gateway raises on purpose.

    A message shown to people is a constant English text, translated where it is shown; one
    with values in it is a template with named fields (`InvalidInput("%(sku)s is sold per
    %(unit)s.", sku=sku, unit=unit)`): `str()` gives it filled in, and `template`/`values` let
    a page translate the template first.
    """

    def __init__(self, *args: object, **values: object) -> None:
        if values and len(args) == 1 and isinstance(args[0], str):
            self.template: str | None = args[0]
            self.values = values
            super().__init__(args[0] % values)
        else:
            self.template, self.values = None, {}
            super().__init__(*args)


class PermissionDenied(GatewayError, PermissionError):
    """The actor lacks the right for this action."""


class ForbiddenWhileAssisting(PermissionDenied):
    """Only the user in person may do this, never a staff member shopping as them (b2b-rules
    I-6); the web layer audits every such refusal."""


class NotFound(GatewayError, LookupError):
    """The object does not exist, or belongs to another organisation (answered 404, never 403)."""


class InvalidInput(GatewayError, ValueError):
    """A form or command-line value cannot be accepted; the message says why."""


class AlreadyExists(InvalidInput):
    """The input names something that exists already (a customer's Chamber of Commerce
    number, an account's address); the API answers 409."""


class ConfigurationError(GatewayError, RuntimeError):
    """The gateway is configured in a way it cannot work with."""


class BudgetExceeded(GatewayError):
    """A `block` budget has no room for the order (another checkout took it first)."""
