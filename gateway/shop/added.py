"""The answer to "add to cart" from a list (catalogue, search results, related products).

Without script the list's form posts normally with a `next` path: the browser goes back to the
same list with a message. With script (`static/catalog.js`) the form is posted by `fetch`
asking for JSON: the page stays, the cart badge and a status line are updated.
"""

from __future__ import annotations

from decimal import Decimal

from flask import flash, jsonify, redirect, request
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from gateway.models import Product
from gateway.web import i18n
from gateway.web.redirects import safe_target


def wants_json() -> bool:
    """True for the list script's requests (they ask for JSON, not a page)."""
    return request.accept_mimetypes.best == "application/json"


def answer(
    product: Product, quantity: Decimal, *, lines: int, target: str, default: str
) -> Response:
    """The product is in the cart: JSON, back to the list, or on to `default` (the cart)."""
    dutch = str(get_locale()) == "nl"
    name = product.name_nl if dutch and product.name_nl else product.name
    message = _(
        "%(quantity)s × %(name)s is in your cart.",  # noqa: RUF001 - the multiplication sign
        quantity=i18n.number(quantity),
        name=name,
    )
    if wants_json():
        return jsonify(ok=True, message=message, lines=lines)
    back = safe_target(target, "") if target else ""
    if not back:
        return redirect(default)
    flash(message, "success")
    return redirect(back)


def refused(reason: str, *, target: str) -> tuple[Response, int] | Response:
    """The quantity was not accepted: JSON with the reason, or back to the list saying why."""
    if wants_json():
        return jsonify(ok=False, message=reason), 400
    flash(reason, "error")
    return redirect(safe_target(target, "/catalog"), code=303)
