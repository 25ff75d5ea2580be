"""Requisition lists: `/lists` and the forms that fill them. Thin adapters over
`gateway.services.ordering.requisition_lists`; every decision is the service's (the policy)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.auth.policy import can
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import RequisitionList
from gateway.numbers import read_whole
from gateway.services.ordering import carts
from gateway.services.ordering import requisition_lists as lists
from gateway.web import context
from gateway.web.access import requires
from gateway.web.database import get_session

blueprint = Blueprint("lists", __name__)


def owner_of(shopper: context.Shopper) -> lists.Owner:
    """Whose lists the shopper works with: in a punchout, the punchout identity's (looked up
    once per request)."""
    if "list_owner" not in g:
        punchout = shopper.punchout
        g.list_owner = lists.owner_for(
            get_session(),
            user_id=shopper.user.id,
            punchout_partner_id=punchout.partner_id if punchout is not None else None,
        )
    owner: lists.Owner = g.list_owner
    return owner


@blueprint.app_context_processor
def _list_forms() -> dict[str, Any]:
    """`my_lists()` for the product page and catalogue rows: the lists the shopper may add to."""

    def my_lists() -> list[RequisitionList]:
        if "my_lists" not in g:
            shopper = context.current_shopper()
            g.my_lists = (
                []
                if shopper is None
                else lists.writable(get_session(), actor=shopper.actor, owner=owner_of(shopper))
            )
        found: list[RequisitionList] = g.my_lists
        return found

    return {"my_lists": my_lists}


@blueprint.get("/lists")
@requires(Permission.CATALOG_READ)
def index(shopper: context.Shopper) -> str:
    """The shopper's lists and the customer's shared ones; forms to create and import one."""
    return _index(shopper)


def _index(
    shopper: context.Shopper, *, error: str = "", rejected: tuple[carts.RejectedLine, ...] = ()
) -> str:
    return render_template(
        "shop/lists.html",
        lists=lists.visible(get_session(), actor=shopper.actor, owner=owner_of(shopper)),
        can_write=can(shopper.actor, Permission.LIST_WRITE),
        error=error,
        rejected=rejected,
    )


@blueprint.post("/lists")
@requires(Permission.LIST_WRITE)
def create(shopper: context.Shopper) -> Response | tuple[str, int]:
    """A new list (field `name`)."""
    try:
        created = lists.create(
            get_session(),
            actor=shopper.actor,
            owner=owner_of(shopper),
            name=request.form.get("name", ""),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _index(shopper, error=str(exc)), 400
    return redirect(url_for("lists.show", list_id=created.id))


@blueprint.post("/lists/import")
@requires(Permission.LIST_WRITE)
def import_csv(shopper: context.Shopper) -> Response | tuple[str, int]:
    """A new list from a CSV file (fields `name`, `file`: rows `SKU,quantity`); a bad line is
    named and nothing is imported."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _index(shopper, error="Choose a CSV file."), 400
    try:
        outcome = lists.import_csv(
            get_session(),
            actor=shopper.actor,
            owner=owner_of(shopper),
            name=request.form.get("name", ""),
            data=upload.read(lists.MAX_IMPORT_BYTES + 1),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _index(shopper, error=str(exc)), 400
    if outcome.requisition_list is None:
        return _index(shopper, rejected=outcome.rejected), 400
    return redirect(url_for("lists.show", list_id=outcome.requisition_list.id))


@blueprint.get("/lists/<int:list_id>")
@requires(Permission.CATALOG_READ)
def show(shopper: context.Shopper, list_id: int) -> str:
    """A list with today's prices, forms to change and remove lines, and to fill the cart."""
    return _show(shopper, list_id)


def _show(
    shopper: context.Shopper,
    list_id: int,
    *,
    error: str = "",
    skipped: tuple[carts.RejectedLine, ...] = (),
) -> str:
    db = get_session()
    owner = owner_of(shopper)
    found = lists.get(db, actor=shopper.actor, owner=owner, list_id=list_id)
    return render_template(
        "shop/list.html",
        priced=lists.priced(
            db,
            actor=shopper.actor,
            owner=owner,
            requisition_list=found,
            organisation=shopper.organisation,
            on=context.today(),
        ),
        can_cart=can(shopper.actor, Permission.CART_WRITE),
        error=error,
        skipped=skipped,
    )


@blueprint.post("/lists/<int:list_id>/share")
@requires(Permission.LIST_WRITE)
def share(shopper: context.Shopper, list_id: int) -> Response:
    """Share the list with the customer (field `shared`: `1`) or take it back."""
    lists.set_shared(
        get_session(),
        actor=shopper.actor,
        owner=owner_of(shopper),
        list_id=list_id,
        shared=request.form.get("shared") == "1",
        now=utcnow(),
    )
    return redirect(url_for("lists.show", list_id=list_id))


@blueprint.post("/lists/<int:list_id>/items")
@requires(Permission.LIST_WRITE)
def add_item(shopper: context.Shopper, list_id: int) -> Response | tuple[str, int]:
    """Add a product to the list (fields `sku`, `quantity`)."""
    return _add(shopper, list_id)


@blueprint.post("/lists/items")
@requires(Permission.LIST_WRITE)
def add_item_to_chosen(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Add a product to the list the form names (fields `list`, `sku`, `quantity`)."""
    try:
        list_id = read_whole(request.form.get("list", ""))
    except ValueError as exc:
        raise InvalidInput("Choose a list.") from exc
    return _add(shopper, list_id)


def _add(shopper: context.Shopper, list_id: int) -> Response | tuple[str, int]:
    try:
        quantity = carts.parse_quantity(request.form.get("quantity", "1") or "1")
        lists.add_item(
            get_session(),
            actor=shopper.actor,
            owner=owner_of(shopper),
            list_id=list_id,
            sku=request.form.get("sku", ""),
            quantity=quantity,
        )
    except InvalidInput as exc:
        return _show(shopper, list_id, error=str(exc)), 400
    return redirect(url_for("lists.show", list_id=list_id))


@blueprint.post("/lists/<int:list_id>/lines/<int:line_id>")
@requires(Permission.LIST_WRITE)
def update_line(shopper: context.Shopper, list_id: int, line_id: int) -> Response | tuple[str, int]:
    """Change one line's quantity (field `quantity`)."""
    try:
        lists.set_quantity(
            get_session(),
            actor=shopper.actor,
            owner=owner_of(shopper),
            list_id=list_id,
            line_id=line_id,
            quantity=carts.parse_quantity(request.form.get("quantity", "")),
        )
    except InvalidInput as exc:
        return _show(shopper, list_id, error=str(exc)), 400
    return redirect(url_for("lists.show", list_id=list_id))


@blueprint.post("/lists/<int:list_id>/lines/<int:line_id>/delete")
@requires(Permission.LIST_WRITE)
def delete_line(shopper: context.Shopper, list_id: int, line_id: int) -> Response:
    """Remove one line."""
    lists.remove_line(
        get_session(),
        actor=shopper.actor,
        owner=owner_of(shopper),
        list_id=list_id,
        line_id=line_id,
    )
    return redirect(url_for("lists.show", list_id=list_id))


@blueprint.post("/lists/<int:list_id>/cart")
@requires(Permission.CART_WRITE)
def into_cart(shopper: context.Shopper, list_id: int) -> Response | str:
    """Put every line in the cart at today's price; products no longer sold are named."""
    outcome = lists.into_cart(
        get_session(),
        actor=shopper.actor,
        owner=owner_of(shopper),
        list_id=list_id,
        cart=context.cart_for(shopper),
    )
    if outcome.skipped:
        return _show(shopper, list_id, skipped=outcome.skipped)
    return redirect(url_for("shop.cart"))


@blueprint.post("/cart/list")
@requires(Permission.LIST_WRITE)
def save_cart(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Save the cart as a new list (field `name`)."""
    try:
        created = lists.from_cart(
            get_session(),
            actor=shopper.actor,
            owner=owner_of(shopper),
            cart=context.cart_for(shopper, create=False),
            name=request.form.get("name", ""),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _index(shopper, error=str(exc)), 400
    return redirect(url_for("lists.show", list_id=created.id))
