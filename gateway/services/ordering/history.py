"""Order history for the active customer: own orders, colleagues' when the role allows; reorder."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gateway.auth import scope
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can
from gateway.errors import GatewayError, InvalidInput, NotFound
from gateway.models import Cart, Order, OrderStatus
from gateway.services.ordering import carts

CART_NOT_EMPTY = (
    "Your cart is not empty. Please check it out or empty it first, so nothing in it is lost."
)

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True, kw_only=True)
class Reorder:
    """What a reorder put in the cart and what it could not (with the reason)."""

    added: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


def _visible(actor: Actor) -> Select[Order]:
    query = select(Order).where(Order.organisation_id == actor.organisation_id)
    if not can(actor, Permission.ORDER_READ_ALL):
        query = query.where(Order.user_id == actor.user_id)
    return query


def list_orders(session: Session, *, actor: Actor, limit: int = PAGE_SIZE) -> list[Order]:
    """The newest orders the actor may see for the active customer."""
    return list(
        session.scalars(
            _visible(actor).order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)
        )
    )


def get_order(session: Session, *, actor: Actor, order_id: int) -> Order:
    """One order the actor may see; anything else (another customer's, a colleague's without
    the right) is NotFound."""
    order = scope.load(session, Order, order_id, actor=actor, message="No such order.")
    if order.user_id != actor.user_id and not can(actor, Permission.ORDER_READ_ALL):
        raise NotFound("No such order.")  # a colleague's, as `_visible` leaves out
    return order


def reorder(session: Session, *, actor: Actor, cart: Cart, order: Order) -> Reorder:
    """Add a past order's lines to the cart; lines no longer available are skipped."""
    added, skipped = [], []
    for line in order.lines:
        try:
            carts.add_item(session, actor=actor, cart=cart, sku=line.sku, quantity=line.quantity)
        except GatewayError as exc:
            skipped.append((line.sku, str(exc)))
        else:
            added.append(line.sku)
    return Reorder(added=tuple(added), skipped=tuple(skipped))


def reopen_as_cart(session: Session, *, actor: Actor, cart: Cart, order_id: int) -> Reorder:
    """After a rejection (A-8): copy the order's lines into the actor's empty cart, priced anew at
    checkout; products no longer in the actor's assortment are skipped and reported.

    Only orders the actor may see (own, or colleagues' with the right; NotFound otherwise) and only
    rejected ones; a cart that already holds lines is left alone (InvalidInput).
    """
    order = get_order(session, actor=actor, order_id=order_id)
    if order.status != OrderStatus.REJECTED:
        raise InvalidInput("Only a rejected order can be reopened as a cart.")
    if cart.lines:
        raise InvalidInput(CART_NOT_EMPTY)
    return reorder(session, actor=actor, cart=cart, order=order)
