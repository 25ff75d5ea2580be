"""Staff decisions on purchase orders held for their problems (`price_check`).

`release` makes a held order an ordinary received order: staff accept, confirm or reject it
as usual (`documents`), and only then is the buyer told anything. `reject` refuses it and tells
the buyer (a ConfirmationRequest `reject`, plus the StatusUpdateRequest a partner set to
asynchronous acknowledgement awaits). Both need `staff:order:decide` for the order's customer
and are recorded in the order's history and the audit log.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, require
from gateway.errors import InvalidInput
from gateway.models import Order, OrderStatus, OrderStatusChange, Organisation, User
from gateway.services import audit
from gateway.services.ordering import documents
from gateway.services.ordering.queries import find_order
from gateway.services.punchout.sessions import PunchOutSettings

HELD = frozenset({OrderStatus.ON_HOLD})


def release(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    now: datetime,
    client: audit.Client | None = None,
) -> Order:
    """Accept a held order's problems: it becomes a received order, for staff to decide on."""
    order = _held(session, actor=actor, reference=reference, action="released")
    order.status = OrderStatus.RECEIVED
    order.history.append(
        OrderStatusChange(
            status=OrderStatus.RECEIVED,
            changed_at=now,
            changed_by_id=actor.user_id,
            note="released: its problems accepted",
        )
    )
    audit.record_order_action(
        session, actor=actor, order=order, action="order.release", now=now, client=client
    )
    session.flush()
    return order


def reject(
    session: Session,
    *,
    actor: Actor,
    reference: str,
    reason: str,
    settings: PunchOutSettings,
    now: datetime,
    client: audit.Client | None = None,
) -> Order:
    """Refuse a held order; the reason goes to the buyer."""
    order = _held(session, actor=actor, reference=reference, action="rejected")
    documents.reject(
        session,
        actor=session.get_one(User, actor.user_id),
        order_id=order.id,
        reason=reason,
        settings=settings,
        now=now,
        allowed=HELD,
    )
    audit.record_order_action(
        session,
        actor=actor,
        order=order,
        action="order.reject",
        now=now,
        client=client,
        note=reason,
    )
    return order


def _held(session: Session, *, actor: Actor, reference: str, action: str) -> Order:
    order = find_order(session, reference)
    require(
        actor, Permission.STAFF_ORDER_DECIDE, session.get_one(Organisation, order.organisation_id)
    )
    if order.status not in HELD:
        raise InvalidInput(
            f"Order {order.number} is {order.status}; only an order on hold can be {action} here."
        )
    return order
