"""Shop pages for ordering: quick order, checkout, order history, reorder. Thin adapters."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.auth.policy import require
from gateway.db import utcnow
from gateway.errors import InvalidInput, PermissionDenied
from gateway.models import AddressKind, Order, OrderStatus
from gateway.services.ordering import carts, checkout, confirmation_mail, history
from gateway.services.purchasing import approvals, budgets
from gateway.shop import forms
from gateway.web import context, i18n
from gateway.web.database import get_session

blueprint = Blueprint("orders", __name__)


def _direct_shopper() -> context.Shopper:
    """The logged-in shopper outside a punchout (a punchout returns its cart instead)."""
    shopper = context.require_shopper()
    if shopper.punchout is not None:
        raise PermissionDenied("In a punchout the cart goes back to your procurement system.")
    return shopper


@blueprint.route("/quick-order", methods=["GET", "POST"])
def quick_order() -> str | tuple[str, int]:
    """Paste `SKU quantity` lines (field `lines`); valid ones are added, the rest reported."""
    shopper = context.require_shopper()
    if request.method == "GET":
        return render_template("shop/quick_order.html", text="", result=None)
    result = carts.quick_order(
        get_session(),
        actor=shopper.actor,
        cart=context.cart_for(shopper),
        text=request.form.get("lines", "")[:20_000],
    )
    text = "\n".join(line.text for line in result.rejected)  # what still needs fixing stays
    return render_template("shop/quick_order.html", text=text, result=result), (
        400 if result.rejected and not result.added else 200
    )


@blueprint.route("/checkout", methods=["GET", "POST"])
def checkout_page() -> Response | str | tuple[str, int]:
    """Delivery address, PO reference, delivery date and comment; pre-filled so an unchanged
    post places the order."""
    shopper = _direct_shopper()
    db = get_session()
    cart = context.cart_for(shopper)
    today = context.today()
    rates = current_app.config["GATEWAY_VAT_RATES"]
    if request.method == "GET":
        require(shopper.actor, Permission.ORDER_PLACE)
        priced = carts.price_cart(
            db, cart=cart, organisation=shopper.organisation, on=today, vat_rates=rates
        )
        form = checkout.defaults(db, actor=shopper.actor, priced=priced, today=today)
        check = checkout.budget_check(
            db,
            actor=shopper.actor,
            priced=priced,
            now=utcnow(),
            zone=current_app.config["GATEWAY_TIMEZONE"],
        )
        return _checkout_page(shopper, priced, form, (), check)
    posted = forms.CustomerCheckoutForm(request.form)
    form = posted.checkout_form()
    result = checkout.place_order(
        db,
        actor=shopper.actor,
        cart=cart,
        form=form,
        now=utcnow(),
        today=today,
        zone=current_app.config["GATEWAY_TIMEZONE"],
        vat_rates=rates,
        form_problems=posted.checkout_problems(),
    )
    if result.order is None:
        return _checkout_page(
            shopper, result.info.priced, form, result.problems, result.info.budget_check
        ), 400
    confirmation_mail.queue_confirmation(
        get_session(),
        order=result.order,
        to=shopper.user.email,
        now=utcnow(),
        locale=i18n.current_locale(),
    )
    return redirect(url_for("orders.order_page", order_id=result.order.id, placed=1))


@blueprint.get("/orders")
def orders_page() -> str:
    """The active customer's orders the user may see (own; colleagues' with the right)."""
    shopper = context.require_shopper()
    orders = history.list_orders(get_session(), actor=shopper.actor)
    return render_template("shop/orders.html", orders=orders)


@blueprint.get("/orders/<int:order_id>")
def order_page(order_id: int) -> str:
    """One order with its lines, VAT and status history."""
    shopper = context.require_shopper()
    order = history.get_order(get_session(), actor=shopper.actor, order_id=order_id)
    return _order_page(shopper, order)


def _order_page(shopper: context.Shopper, order: Order, error: str = "") -> str:
    return render_template(
        "shop/order.html",
        order=order,
        placed=request.args.get("placed") == "1",
        guest=False,
        decisions=approvals.decisions(get_session(), order_id=order.id),
        can_withdraw=order.status == OrderStatus.PENDING_APPROVAL
        and order.user_id == shopper.user.id,
        can_reopen=order.status == OrderStatus.REJECTED and shopper.punchout is None,
        error=error,
    )


@blueprint.post("/orders/<int:order_id>/withdraw")
def withdraw(order_id: int) -> Response:
    """Cancel one's own order while it awaits approval; its budget reservation is released."""
    shopper = _direct_shopper()
    approvals.withdraw(get_session(), actor=shopper.actor, order_id=order_id, now=utcnow())
    return redirect(url_for("orders.order_page", order_id=order_id))


@blueprint.post("/orders/<int:order_id>/reorder")
def reorder(order_id: int) -> str:
    """Put a past order's lines in the cart again; report what is no longer available."""
    shopper = _direct_shopper()
    db = get_session()
    order = history.get_order(db, actor=shopper.actor, order_id=order_id)
    result = history.reorder(db, actor=shopper.actor, cart=context.cart_for(shopper), order=order)
    return render_template("shop/reordered.html", order=order, result=result)


@blueprint.post("/orders/<int:order_id>/reopen")
def reopen(order_id: int) -> str | tuple[str, int]:
    """Reopen a rejected order as a new cart (A-8); report the products left out."""
    shopper = _direct_shopper()
    db = get_session()
    try:
        result = history.reopen_as_cart(
            db, actor=shopper.actor, cart=context.cart_for(shopper), order_id=order_id
        )
    except InvalidInput as exc:
        order = history.get_order(db, actor=shopper.actor, order_id=order_id)
        return _order_page(shopper, order, error=i18n.error_text(exc)), 400
    order = history.get_order(db, actor=shopper.actor, order_id=order_id)
    return render_template("shop/reordered.html", order=order, result=result, reopened=True)


def _checkout_page(
    shopper: context.Shopper,
    priced: carts.PricedCart,
    form: checkout.CheckoutForm,
    problems: tuple[checkout.CheckoutProblem, ...],
    check: budgets.BudgetCheck,
) -> str:
    return render_template(
        "shop/checkout.html",
        cart=priced,
        form=form,
        raw_date=request.form.get("requested_delivery_date")
        if request.method == "POST"
        else (form.requested_delivery_date.isoformat() if form.requested_delivery_date else ""),
        problems={problem.field: gettext(problem.message) for problem in problems},
        addresses=checkout.addresses(
            get_session(), organisation_id=shopper.organisation.id, kind=AddressKind.DELIVERY
        ),
        organisation=shopper.organisation,
        check=check,
        preview=checkout.preview(get_session(), actor=shopper.actor, priced=priced, check=check),
    )
