"""Quotes: the buyer's `/quotes` pages and the staff's `/staff/quotes`. Thin adapters over
`gateway.services.ordering.quotes`."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.services.ordering import quotes
from gateway.web import context
from gateway.web.access import requires
from gateway.web.database import get_session

blueprint = Blueprint("quotes", __name__)

PRICE_FIELD = "price-"


@blueprint.post("/quotes")
@requires(Permission.CART_WRITE)
def request_quote(shopper: context.Shopper) -> Response:
    """Turn the cart into a quote request (field `note`)."""
    quote = quotes.request_quote(
        get_session(),
        actor=shopper.actor,
        cart=context.cart_for(shopper),
        organisation=shopper.organisation,
        note=request.form.get("note", ""),
        now=utcnow(),
    )
    return redirect(url_for("quotes.show", quote_id=quote.id))


@blueprint.get("/quotes")
@requires(Permission.CART_WRITE)
def index(shopper: context.Shopper) -> str:
    """The user's quotes with their status."""
    return render_template(
        "shop/quotes.html",
        quotes=quotes.own_quotes(get_session(), actor=shopper.actor),
        today=context.today(),
    )


@blueprint.get("/quotes/<int:quote_id>")
@requires(Permission.CART_WRITE)
def show(shopper: context.Shopper, quote_id: int) -> str:
    """One quote: its lines, the supplier's prices and validity, accept and decline forms."""
    return _show(shopper, quote_id)


def _show(shopper: context.Shopper, quote_id: int, *, error: str = "") -> str:
    return render_template(
        "shop/quote.html",
        quote=quotes.own_quote(get_session(), actor=shopper.actor, quote_id=quote_id),
        today=context.today(),
        error=error,
    )


@blueprint.post("/quotes/<int:quote_id>/accept")
@requires(Permission.CART_WRITE)
def accept(shopper: context.Shopper, quote_id: int) -> Response | tuple[str, int]:
    """Accept the quote: its lines go into the cart at the quoted prices."""
    try:
        quotes.accept(
            get_session(),
            actor=shopper.actor,
            quote_id=quote_id,
            cart=context.cart_for(shopper),
            today=context.today(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _show(shopper, quote_id, error=str(exc)), 400
    return redirect(url_for("shop.cart"))


@blueprint.post("/quotes/<int:quote_id>/decline")
@requires(Permission.CART_WRITE)
def decline(shopper: context.Shopper, quote_id: int) -> Response | tuple[str, int]:
    """Decline the quote."""
    try:
        quotes.decline(
            get_session(),
            actor=shopper.actor,
            quote_id=quote_id,
            today=context.today(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _show(shopper, quote_id, error=str(exc)), 400
    return redirect(url_for("quotes.index"))


@blueprint.get("/staff/quotes")
@requires(Permission.STAFF_QUOTE_ANSWER)
def staff_index(shopper: context.Shopper) -> str:
    """The quotes of the customers the staff member reaches, open requests first."""
    return render_template(
        "staff/quotes.html",
        rows=quotes.staff_quotes(get_session(), actor=shopper.actor),
        today=context.today(),
    )


@blueprint.get("/staff/quotes/<int:quote_id>")
@requires(Permission.STAFF_QUOTE_ANSWER)
def staff_show(shopper: context.Shopper, quote_id: int) -> str:
    """One quote with the answer form (prices `price-<line id>`, `valid_until`, `note`)."""
    return _staff_show(shopper, quote_id)


def _staff_show(shopper: context.Shopper, quote_id: int, *, error: str = "") -> str:
    quote, organisation = quotes.staff_quote(get_session(), actor=shopper.actor, quote_id=quote_id)
    return render_template(
        "staff/quote.html",
        quote=quote,
        organisation=organisation,
        today=context.today(),
        form=request.form,
        error=error,
    )


@blueprint.post("/staff/quotes/<int:quote_id>/answer")
@requires(Permission.STAFF_QUOTE_ANSWER)
def answer(shopper: context.Shopper, quote_id: int) -> Response | tuple[str, int]:
    """Answer the quote: a price per line, the last day it may be accepted, a note."""
    prices: dict[int, str] = {}
    for name, value in request.form.items():
        if name.startswith(PRICE_FIELD) and name[len(PRICE_FIELD) :].isdigit():
            prices[int(name[len(PRICE_FIELD) :])] = value
    try:
        quotes.answer(
            get_session(),
            actor=shopper.actor,
            quote_id=quote_id,
            prices=prices,
            valid_until=request.form.get("valid_until", ""),
            note=request.form.get("note", ""),
            today=context.today(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _staff_show(shopper, quote_id, error=str(exc)), 400
    return redirect(url_for("quotes.staff_show", quote_id=quote_id))
