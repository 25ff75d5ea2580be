"""Requisition lists: named lists of products a customer's user orders again and again.

A list belongs to its owner: a shop user, or (made inside a punchout) the punchout identity the
partner's user acts as, so SAP and Ariba users keep their standing orders in the supplier's
shop. A shared list is seen by the whole customer; only its owner changes it. Everyone with
`shop:cart:write` may put a list they see into their cart at today's prices.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, foreign, require
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import (
    Cart,
    Organisation,
    Product,
    PunchOutIdentity,
    RequisitionList,
    RequisitionListLine,
)
from gateway.services import audit
from gateway.services.catalog import assortment, pricing
from gateway.services.ordering import carts

MAX_NAME = 100
MAX_IMPORT_LINES = 500
MAX_IMPORT_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class Owner:
    """Whose lists: a shop user's own, or those of the punchout identity a punchout acts as."""

    user_id: int
    punchout_identity_id: int | None = None


def owner_for(session: Session, *, user_id: int, punchout_partner_id: int | None) -> Owner:
    """The owner of the lists a shopper makes: outside a punchout the user; inside one the
    partner's punchout identity of that user (its newest, when a person was renamed)."""
    if punchout_partner_id is None:
        return Owner(user_id=user_id)
    identity_id = session.scalar(
        select(PunchOutIdentity.id)
        .where(
            PunchOutIdentity.partner_id == punchout_partner_id,
            PunchOutIdentity.user_id == user_id,
        )
        .order_by(PunchOutIdentity.id.desc())
        .limit(1)
    )
    return Owner(user_id=user_id, punchout_identity_id=identity_id)


def _owned_by(owner: Owner) -> ColumnElement[bool]:
    identity = RequisitionList.punchout_identity_id
    return (RequisitionList.owner_id == owner.user_id) & (
        identity.is_(None)
        if owner.punchout_identity_id is None
        else identity == owner.punchout_identity_id
    )


def _is_owner(owner: Owner, requisition_list: RequisitionList) -> bool:
    return (
        requisition_list.owner_id == owner.user_id
        and requisition_list.punchout_identity_id == owner.punchout_identity_id
    )


def visible(session: Session, *, actor: Actor, owner: Owner) -> list[RequisitionList]:
    """The owner's lists and the lists shared within the actor's customer, by name."""
    require(actor, Permission.CATALOG_READ)
    return list(
        session.scalars(
            select(RequisitionList)
            .where(
                RequisitionList.organisation_id == actor.organisation_id,
                or_(RequisitionList.shared, _owned_by(owner)),
            )
            .order_by(RequisitionList.name, RequisitionList.id)
        )
    )


def writable(session: Session, *, actor: Actor, owner: Owner) -> list[RequisitionList]:
    """The lists the actor may add products to (the owner's own), by name; none without the
    right."""
    if not _may(actor, Permission.LIST_WRITE):
        return []
    return list(
        session.scalars(
            select(RequisitionList)
            .where(RequisitionList.organisation_id == actor.organisation_id, _owned_by(owner))
            .order_by(RequisitionList.name, RequisitionList.id)
        )
    )


def _may(actor: Actor, permission: Permission) -> bool:
    try:
        require(actor, permission)
    except PermissionDenied:
        return False
    return True


def get(session: Session, *, actor: Actor, owner: Owner, list_id: int) -> RequisitionList:
    """A list the actor sees; another customer's list, or a colleague's unshared one, is
    NotFound (logged as an authorisation failure)."""
    found = session.get(RequisitionList, list_id)
    if found is None:
        raise NotFound("No such list.")
    require(actor, Permission.CATALOG_READ, found)
    if not found.shared and not _is_owner(owner, found):
        raise foreign(actor, "requisition list", list_id, "No such list.")
    return found


def _own(session: Session, *, actor: Actor, owner: Owner, list_id: int) -> RequisitionList:
    """A list the actor may change: its own (a colleague's shared list is read-only)."""
    found = get(session, actor=actor, owner=owner, list_id=list_id)
    require(actor, Permission.LIST_WRITE, found)
    if not _is_owner(owner, found):
        raise PermissionDenied("Only the owner of a shared list changes it.")
    return found


def _name(text: str) -> str:
    name = " ".join(text.split())
    if not name:
        raise InvalidInput("Give the list a name.")
    if len(name) > MAX_NAME:
        raise InvalidInput(f"A list name has at most {MAX_NAME} characters.")
    return name


def create(
    session: Session, *, actor: Actor, owner: Owner, name: str, now: datetime
) -> RequisitionList:
    """A new empty list of the owner."""
    require(actor, Permission.LIST_WRITE)
    created = RequisitionList(
        organisation_id=actor.organisation_id,
        owner_id=owner.user_id,
        punchout_identity_id=owner.punchout_identity_id,
        name=_name(name),
        lines=[],
    )
    session.add(created)
    session.flush()
    audit.record_by(session, actor=actor, action="list.create", subject=created.name, now=now)
    return created


def set_shared(
    session: Session, *, actor: Actor, owner: Owner, list_id: int, shared: bool, now: datetime
) -> RequisitionList:
    """Share a list with the whole customer, or take it back."""
    found = _own(session, actor=actor, owner=owner, list_id=list_id)
    found.shared = shared
    session.flush()
    audit.record_by(
        session,
        actor=actor,
        action="list.share" if shared else "list.unshare",
        subject=found.name,
        now=now,
    )
    return found


def add_item(
    session: Session, *, actor: Actor, owner: Owner, list_id: int, sku: str, quantity: Decimal
) -> RequisitionListLine:
    """Add a product of the actor's assortment; a product already on the list gets more."""
    found = _own(session, actor=actor, owner=owner, list_id=list_id)
    product = carts.find_product(session, actor=actor, sku=sku.strip())
    carts.check_unit(product, quantity)
    return _add(found, product, quantity)


def _add(found: RequisitionList, product: Product, quantity: Decimal) -> RequisitionListLine:
    # by the product, not `product_id`: a line added in this call has no id until the flush
    line = next((line for line in found.lines if line.product.id == product.id), None)
    if line is None:
        line = RequisitionListLine(product=product, quantity=quantity)
        found.lines.append(line)
    else:
        line.quantity = carts.check_unit(product, line.quantity + quantity)
    return line


def _line(found: RequisitionList, line_id: int) -> RequisitionListLine:
    line = next((line for line in found.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("No such list line.")
    return line


def set_quantity(
    session: Session, *, actor: Actor, owner: Owner, list_id: int, line_id: int, quantity: Decimal
) -> RequisitionListLine:
    """Change one line's quantity."""
    line = _line(_own(session, actor=actor, owner=owner, list_id=list_id), line_id)
    line.quantity = carts.check_unit(line.product, quantity)
    session.flush()
    return line


def remove_line(
    session: Session, *, actor: Actor, owner: Owner, list_id: int, line_id: int
) -> None:
    """Remove one line."""
    found = _own(session, actor=actor, owner=owner, list_id=list_id)
    found.lines.remove(_line(found, line_id))
    session.flush()


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLine:
    """A list line with today's price; `available` False: no longer in the assortment."""

    line_id: int
    product: Product
    quantity: Decimal
    available: bool
    unit_price: Decimal | None
    total: Decimal | None


@dataclass(frozen=True, slots=True, kw_only=True)
class PricedList:
    """A list as the page shows it."""

    requisition_list: RequisitionList
    lines: tuple[ListLine, ...]
    total: Decimal
    currency: str
    editable: bool


def priced(
    session: Session,
    *,
    actor: Actor,
    owner: Owner,
    requisition_list: RequisitionList,
    organisation: Organisation,
    on: date,
) -> PricedList:
    """The list's lines priced for the customer today (products it can still buy)."""
    condition = assortment.for_customer(
        session, organisation_id=actor.organisation_id, user_id=actor.user_id
    ).condition()
    ids = [line.product_id for line in requisition_list.lines]
    buyable = set(
        session.scalars(select(Product.id).where(Product.id.in_(ids), Product.active, condition))
        if ids
        else ()
    )
    available = [line for line in requisition_list.lines if line.product_id in buyable]
    prices = dict(
        zip(
            (line.id for line in available),
            pricing.line_prices(
                session, organisation, [(line.product, line.quantity) for line in available], on=on
            )
            if _may(actor, Permission.PRICE_READ)
            else [None] * len(available),
            strict=True,
        )
    )
    lines = tuple(
        ListLine(
            line_id=line.id,
            product=line.product,
            quantity=line.quantity,
            available=line.product_id in buyable,
            unit_price=prices.get(line.id),
            total=None
            if prices.get(line.id) is None
            else pricing.line_total(prices[line.id], line.quantity),  # type: ignore[arg-type]
        )
        for line in requisition_list.lines
    )
    return PricedList(
        requisition_list=requisition_list,
        lines=lines,
        total=sum((line.total for line in lines if line.total is not None), Decimal("0.00")),
        currency=organisation.currency,
        editable=_may(actor, Permission.LIST_WRITE) and _is_owner(owner, requisition_list),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class IntoCart:
    """What putting a list in the cart did: SKUs added, products skipped and why."""

    added: tuple[str, ...]
    skipped: tuple[carts.RejectedLine, ...]


def into_cart(
    session: Session, *, actor: Actor, owner: Owner, list_id: int, cart: Cart
) -> IntoCart:
    """Put every line in the cart (priced as the cart prices it: today's price); products no
    longer in the assortment, or whose unit rule changed, are named and skipped."""
    found = get(session, actor=actor, owner=owner, list_id=list_id)
    require(actor, Permission.CART_WRITE, cart)
    added: list[str] = []
    skipped: list[carts.RejectedLine] = []
    for number, line in enumerate(found.lines, start=1):
        try:
            carts.add_item(
                session, actor=actor, cart=cart, sku=line.product.sku, quantity=line.quantity
            )
        except NotFound:
            skipped.append(
                carts.RejectedLine(
                    number=number,
                    text=f"{line.product.sku} {line.product.name}",
                    reason="No longer in your assortment.",
                )
            )
        except InvalidInput as exc:
            skipped.append(
                carts.RejectedLine(
                    number=number, text=f"{line.product.sku} {line.product.name}", reason=str(exc)
                )
            )
        else:
            added.append(line.product.sku)
    return IntoCart(added=tuple(added), skipped=tuple(skipped))


def from_cart(
    session: Session, *, actor: Actor, owner: Owner, cart: Cart, name: str, now: datetime
) -> RequisitionList:
    """Save the cart's lines as a new list of the owner."""
    if not cart.lines:
        raise InvalidInput("The cart is empty.")
    created = create(session, actor=actor, owner=owner, name=name, now=now)
    for line in cart.lines:
        _add(created, line.product, line.quantity)
    session.flush()
    return created


@dataclass(frozen=True, slots=True, kw_only=True)
class Imported:
    """A CSV import: the new list, or (nothing imported) the lines that were wrong."""

    requisition_list: RequisitionList | None
    rejected: tuple[carts.RejectedLine, ...]


def import_csv(
    session: Session, *, actor: Actor, owner: Owner, name: str, data: bytes, now: datetime
) -> Imported:
    """A new list from a CSV file of `SKU,quantity` rows (`;` also separates; a first row
    `sku,quantity` is a header). Any bad line names itself and nothing is imported."""
    require(actor, Permission.LIST_WRITE)
    list_name = _name(name)
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"The file is larger than {MAX_IMPORT_BYTES // 1024} KiB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("The file is not UTF-8 text.") from exc
    rows = list(enumerate(csv.reader(io.StringIO(text), delimiter=";" if ";" in text else ","), 1))
    if rows and [cell.strip().lower() for cell in rows[0][1]][:1] == ["sku"]:
        rows = rows[1:]
    items: list[tuple[Product, Decimal]] = []
    rejected: list[carts.RejectedLine] = []
    for number, cells in rows:
        fields = [cell.strip() for cell in cells]
        if not any(fields):
            continue
        raw = ",".join(cells)
        if number > MAX_IMPORT_LINES:
            rejected.append(
                carts.RejectedLine(
                    number=number, text=raw, reason=f"At most {MAX_IMPORT_LINES} lines."
                )
            )
            break
        if len(fields) != 2:  # noqa: PLR2004 - SKU and quantity
            rejected.append(
                carts.RejectedLine(number=number, text=raw, reason="Expected “SKU,quantity”.")
            )
            continue
        try:
            product = carts.find_product(session, actor=actor, sku=fields[0])
            quantity = carts.check_unit(product, carts.parse_quantity(fields[1]))
        except (InvalidInput, NotFound) as exc:
            rejected.append(carts.RejectedLine(number=number, text=raw, reason=str(exc)))
        else:
            items.append((product, quantity))
    if not items and not rejected:
        raise InvalidInput("The file has no lines.")
    if rejected:
        return Imported(requisition_list=None, rejected=tuple(rejected))
    created = create(session, actor=actor, owner=owner, name=list_name, now=now)
    for product, quantity in items:
        _add(created, product, quantity)
    session.flush()
    return Imported(requisition_list=created, rejected=())
