"""What a person sees first after logging in: a start page gathered from their rights.

Each part is there only when the actor's role holds the right behind it, so a customer's own
role (issue 17) gets the parts its rights allow: buyers their recent orders and budgets,
superusers the approvals waiting, budgets and users, customer service the customer search and the
orders on hold, sales agents their customers and prospects, admins the partners and the message
log's errors of the last 24 hours. Everything comes from the services the full pages use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, can
from gateway.models import (
    Membership,
    MessageLogEntry,
    Order,
    OrderStatus,
    Organisation,
    OrganisationStatus,
    TradingPartner,
)
from gateway.services import message_log
from gateway.services.ordering import desk, history
from gateway.services.partners import admin as partner_admin
from gateway.services.people import customers, members
from gateway.services.purchasing import approvals, budgets

RECENT_ORDERS = 5
SHOWN = 10  # rows of a part; its full page has the rest
ERROR_WINDOW = timedelta(hours=24)


@dataclass(frozen=True, slots=True, kw_only=True)
class StartPage:
    """The parts of one person's start page; a part the actor may not see stays empty/False."""

    recent_orders: list[Order] = field(default_factory=list)
    shows_orders: bool = False
    budgets: list[budgets.BudgetState] = field(default_factory=list)
    shows_budgets: bool = False
    manages_budgets: bool = False  # the whole customer's budgets (a superuser's overview)
    approvals: list[Order] = field(default_factory=list)
    shows_approvals: bool = False
    users: list[Membership] = field(default_factory=list)
    user_count: int = 0
    shows_users: bool = False
    customer_search: bool = False
    held_orders: list[desk.DeskRow] = field(default_factory=list)
    held_count: int = 0
    shows_held: bool = False
    my_customers: list[Organisation] = field(default_factory=list)
    prospects: list[Organisation] = field(default_factory=list)
    shows_own_customers: bool = False
    partners: list[TradingPartner] = field(default_factory=list)
    shows_partners: bool = False
    message_errors: list[MessageLogEntry] = field(default_factory=list)
    error_count: int = 0
    shows_message_errors: bool = False


def start_page(session: Session, *, actor: Actor, now: datetime, zone: str) -> StartPage:
    """The start page of `actor` at `now` (budget periods in `zone`)."""
    parts: dict[str, object] = {}
    if can(actor, Permission.ORDER_PLACE):
        parts.update(
            shows_orders=True,
            recent_orders=history.list_orders(session, actor=actor, limit=RECENT_ORDERS),
        )
    if can(actor, Permission.BUDGET_READ):
        manage = can(actor, Permission.ACCOUNT_BUDGET_WRITE)
        shown = (
            budgets.of_customer(session, organisation_id=actor.organisation_id)
            if manage
            else budgets.applicable(
                session, organisation_id=actor.organisation_id, user_id=actor.user_id
            )
        )
        parts.update(
            shows_budgets=True,
            manages_budgets=manage,
            budgets=[budgets.state(session, budget=b, now=now, zone=zone) for b in shown],
        )
    if can(actor, Permission.ORDER_APPROVE):
        parts.update(shows_approvals=True, approvals=approvals.inbox(session, actor=actor, now=now))
    if can(actor, Permission.ACCOUNT_USER_WRITE):
        people = members.members(session, actor=actor)
        parts.update(shows_users=True, users=people[:SHOWN], user_count=len(people))
    parts.update(_staff_parts(session, actor=actor, now=now, zone=zone))
    return StartPage(**parts)  # type: ignore[arg-type]


def _staff_parts(session: Session, *, actor: Actor, now: datetime, zone: str) -> dict[str, object]:
    parts: dict[str, object] = {}
    if can(actor, Permission.STAFF_CUSTOMER_READ_ALL):
        parts["customer_search"] = True
    elif can(actor, Permission.STAFF_CUSTOMER_READ):  # a sales agent: their own customers
        own = customers.find_customers(session, actor=actor)
        parts.update(
            shows_own_customers=True,
            my_customers=[c for c in own if c.status != OrganisationStatus.PROSPECT],
            prospects=[c for c in own if c.status == OrganisationStatus.PROSPECT],
        )
    if can(actor, Permission.STAFF_ORDER_DECIDE) and can(actor, Permission.STAFF_ORDER_READ):
        held = desk.list_orders(
            session, actor=actor, where=desk.DeskFilter(status=OrderStatus.ON_HOLD), zone=zone
        )
        parts.update(shows_held=True, held_orders=held.rows[:SHOWN], held_count=held.total)
    if can(actor, Permission.ADMIN_PARTNER_WRITE):
        parts.update(
            shows_partners=True, partners=partner_admin.list_partners(session, actor=actor)
        )
    if can(actor, Permission.ADMIN_MESSAGES_READ):
        errors, count = message_log.errors_since(
            session, actor=actor, since=now - ERROR_WINDOW, limit=SHOWN
        )
        parts.update(shows_message_errors=True, message_errors=errors, error_count=count)
    return parts
