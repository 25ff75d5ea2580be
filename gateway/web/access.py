"""Who may open a page: view decorators in front of the policy, for every blueprint.

The decision itself is `gateway.auth.policy`'s; this module only finds the request's shopper and
answers the web's way: the login for an anonymous visitor, 403 for a missing right. A refusal
because a staff member shops as the customer (b2b-rules I-6) is audited here, wherever in the
request the policy raised it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.auth.policy import require, require_in_person
from gateway.db import utcnow
from gateway.errors import PermissionDenied
from gateway.services.people import impersonation
from gateway.web import context
from gateway.web.database import get_session, keep_changes

Params = ParamSpec("Params")
Answer = TypeVar("Answer")

NOT_IN_A_PUNCHOUT = "Account settings are not available in a punchout."


def requires(
    permission: Permission, *, in_punchout: bool = True
) -> Callable[
    [Callable[Concatenate[context.Shopper, Params], Answer]],
    Callable[Params, Answer | Response],
]:
    """Open the view to a shopper holding `permission`; the view receives the shopper first.

    An anonymous visitor is sent to the login, which returns to the page afterwards (after a GET
    with its query string). A shopper without the right gets PermissionDenied (403), and so does
    one in a punchout when `in_punchout` is False (the account pages).
    """

    def decorate(
        view: Callable[Concatenate[context.Shopper, Params], Answer],
    ) -> Callable[Params, Answer | Response]:
        @wraps(view)
        def guarded(*args: Params.args, **kwargs: Params.kwargs) -> Answer | Response:
            shopper = context.current_shopper()
            if shopper is None:
                return _login_first()
            require(shopper.actor, permission)
            if shopper.punchout is not None and not in_punchout:
                raise PermissionDenied(NOT_IN_A_PUNCHOUT)
            return view(shopper, *args, **kwargs)

        return guarded

    return decorate


def _login_first() -> Response:
    target = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return redirect(url_for("shop.login", next=target))


def in_person(view: Callable[Params, Answer]) -> Callable[Params, Answer]:
    """Open the view to anyone but a staff member shopping as a customer: for what only the user
    in person does (`policy.require_in_person`), checked before the view looks anything up."""

    @wraps(view)
    def guarded(*args: Params.args, **kwargs: Params.kwargs) -> Answer:
        shopper = context.current_shopper()
        if shopper is not None:
            require_in_person(shopper.actor)
        return view(*args, **kwargs)

    return guarded


def audit_assisted_refusal() -> None:
    """Record a ForbiddenWhileAssisting refusal (I-6) and keep the row although the answer is
    403; whatever the request began before the refusal is dropped first."""
    shopper = context.current_shopper()
    if shopper is None or not shopper.actor.assisting:
        return
    db = get_session()
    db.rollback()
    impersonation.record_forbidden(
        db,
        shop_session=shopper.shop_session,
        what=request.endpoint or request.path,
        client=context.client(),
        now=utcnow(),
    )
    keep_changes()
