"""Guest (B2C) pages: a cart in the browser session, checkout without an account, the private
order page. Thin adapters over `gateway.services.ordering.guests`."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from gateway.db import utcnow
from gateway.errors import InvalidInput, NotFound
from gateway.services.catalog import assortment
from gateway.services.ordering import carts, guests
from gateway.shop import added, forms
from gateway.web import context, i18n
from gateway.web.database import get_session

blueprint = Blueprint("guest", __name__, url_prefix="/guest")
CART_KEY = context.GUEST_CART_KEY


@blueprint.before_request
def _guests_only() -> Response | None:
    """Guest pages exist only when the shop is open to guests and nobody is logged in."""
    if current_app.config["GATEWAY_SHOP_LOGIN_REQUIRED"]:
        raise NotFound("This shop is for registered customers only. Please log in.")
    if context.current_shopper() is not None and request.endpoint != "guest.order_page":
        return redirect(url_for("shop.cart"))
    return None


def _items() -> dict[str, str]:
    items = session.get(CART_KEY, {})
    return dict(items) if isinstance(items, dict) else {}


def _priced() -> tuple[carts.PricedCart, tuple[str, ...]]:
    return guests.price_guest_cart(
        get_session(),
        items=_items(),
        on=context.today(),
        vat_rates=current_app.config["GATEWAY_VAT_RATES"],
    )


@blueprint.post("/cart/items")
def add() -> Response | tuple[str, int] | tuple[Response, int]:
    """Add a product (`sku`, `quantity`) to the guest cart."""
    db = get_session()
    product = assortment.find_product(
        db, sku=request.form.get("sku", ""), assortment=assortment.for_guests(db)
    )
    items = _items()
    try:
        quantity = carts.parse_quantity(request.form.get("quantity", ""))
        if product.sku in items:
            quantity = carts.parse_quantity(
                str(quantity + carts.parse_quantity(items[product.sku]))
            )
        total = carts.check_unit(product, quantity)
    except InvalidInput as exc:
        if added.wants_json() or request.form.get("next"):
            return added.refused(str(exc), target=request.form.get("next", ""))
        return render_template(
            "message.html", title=gettext("Please check the quantity"), message=i18n.error_text(exc)
        ), 400
    if product.sku not in items and len(items) >= guests.MAX_GUEST_LINES:
        return render_template(
            "message.html",
            title=gettext("Cart full"),
            message=gettext("A guest cart holds at most 100 lines."),
        ), 400
    items[product.sku] = str(total)
    session[CART_KEY] = items
    return added.answer(
        product,
        carts.parse_quantity(request.form.get("quantity", "")),
        lines=len(items),
        target=request.form.get("next", ""),
        default=url_for("guest.cart"),
    )


@blueprint.get("/cart")
def cart() -> str:
    """The guest cart with prices including VAT."""
    priced, unavailable = _priced()
    return render_template("shop/guest_cart.html", cart=priced, unavailable=unavailable, error="")


@blueprint.post("/cart/lines/<sku>")
def update(sku: str) -> Response | tuple[str, int]:
    """Change (or, with `remove`, drop) one line of the guest cart."""
    items = _items()
    if sku not in items:
        raise NotFound("No such cart line.")
    if "remove" in request.form:
        del items[sku]
    else:
        try:
            quantity = carts.parse_quantity(request.form.get("quantity", ""))
            db = get_session()
            carts.check_unit(
                assortment.find_product(db, sku=sku, assortment=assortment.for_guests(db)),
                quantity,
            )
        except InvalidInput as exc:
            priced, unavailable = _priced()
            return render_template(
                "shop/guest_cart.html",
                cart=priced,
                unavailable=unavailable,
                error=i18n.error_text(exc),
            ), 400
        items[sku] = str(quantity)
    session[CART_KEY] = items
    return redirect(url_for("guest.cart"))


@blueprint.route("/checkout", methods=["GET", "POST"])
def checkout() -> Response | str | tuple[str, int]:
    """Name, e-mail, delivery address and optional phone; no account is created."""
    priced, unavailable = _priced()
    details = forms.GuestCheckoutForm.read(request.form).details()  # blank on a GET
    if request.method == "GET":
        return _checkout_page(priced, unavailable, details, {})
    problems = {field: gettext(text) for field, text in guests.validate(details).items()}
    if not priced.lines:
        problems["cart"] = gettext("Your cart is empty.")
    if unavailable:
        problems["cart"] = gettext(
            "No longer available, please remove: %(products)s", products=", ".join(unavailable)
        )
    if problems:
        return _checkout_page(priced, unavailable, details, problems), 400
    _, token = guests.place_guest_order(
        get_session(),
        priced=priced,
        details=details,
        now=utcnow(),
        mail_key=current_app.config["GATEWAY_MAIL_KEY"],
        locale=i18n.current_locale(),
    )
    session.pop(CART_KEY, None)
    return redirect(url_for("guest.order_page", token=token, placed=1))


@blueprint.get("/orders/<token>")
def order_page(token: str) -> str:
    """A guest order, reached only through its private link."""
    order = guests.order_by_token(get_session(), token=token)
    return render_template(
        "shop/order.html", order=order, placed=request.args.get("placed") == "1", guest=True
    )


def _checkout_page(
    priced: carts.PricedCart,
    unavailable: tuple[str, ...],
    details: guests.GuestDetails,
    problems: dict[str, str],
) -> str:
    return render_template(
        "shop/guest_checkout.html",
        cart=priced,
        unavailable=unavailable,
        details=details,
        problems=problems,
        countries=guests.COUNTRIES,
    )
