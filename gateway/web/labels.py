"""Words, not codes: the translated label of every code the shop shows people.

Statuses, roles, budget and price policies, periods, document types, deployment modes, order
sources: stored as codes (`pending_approval`, `require_approval`), shown through `label` in the
reader's language. Pages keep the code in their `data-*` attributes; a code without a label
(a role a superuser named, a document type new to this table) is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from flask_babel import lazy_gettext as _l

from gateway.models import User

#: kind → code → lazy text (a str in the request's language once shown)
LABELS: Mapping[str, Mapping[str, object]] = {
    "order_status": {
        "received": _l("Received"),
        "on_hold": _l("On hold"),
        "pending_approval": _l("Awaiting approval"),
        "placed": _l("Placed"),
        "confirmed": _l("Confirmed"),
        "shipped": _l("Shipped"),
        "cancelled": _l("Cancelled"),
        "rejected": _l("Rejected"),
    },
    "order_source": {"shop": _l("Shop"), "cxml": _l("Procurement system (cXML)")},
    "deployment_mode": {
        "production": _l("Production"),
        "test": _l("Test"),
        "both": _l("Production and test"),
    },
    "budget_period": {
        "none": _l("No period (one-off)"),
        "week": _l("Week"),
        "month": _l("Month"),
        "quarter": _l("Quarter"),
        "year": _l("Year"),
        "fiscal_year": _l("Fiscal year"),
    },
    "budget_policy": {
        "require_approval": _l("Needs approval"),
        "block": _l("Refused"),
    },
    "price_policy": {
        "hold": _l("Hold for staff"),
        "reject": _l("Refuse"),
        "accept": _l("Accept"),
    },
    "role": {
        "superuser": _l("Superuser"),
        "buyer": _l("Buyer"),
        "requester": _l("Requester"),
        "punchout": _l("Punchout user"),
        "viewer": _l("Viewer"),
        "customer_service": _l("Customer service"),
        "sales_agent": _l("Sales agent"),
        "admin": _l("Administrator"),
    },
    "customer_status": {"active": _l("Active"), "prospect": _l("Prospect")},
    "invitation_state": {
        "pending": _l("Pending"),
        "accepted": _l("Accepted"),
        "refused": _l("Refused"),
        "expired": _l("Expired"),
    },
    "punchout_status": {
        "pending": _l("Not opened yet"),
        "active": _l("Shopping"),
        "transferred": _l("Cart returned"),
        "cancelled": _l("Cancelled"),
    },
    "punchout_operation": {"create": _l("New cart"), "edit": _l("Edit"), "inspect": _l("View")},
    "approval_decision": {
        "approve": _l("Approved"),
        "take_over": _l("Changed and approved"),
        "reject": _l("Rejected"),
    },
    "direction": {"in": _l("Received"), "out": _l("Sent")},
    "document_type": {
        "PunchOutSetupRequest": _l("Punchout start (PunchOutSetupRequest)"),
        "PunchOutOrderMessage": _l("Returned cart (PunchOutOrderMessage)"),
        "OrderRequest": _l("Purchase order (OrderRequest)"),
        "ConfirmationRequest": _l("Order confirmation (ConfirmationRequest)"),
        "ShipNoticeRequest": _l("Ship notice (ShipNoticeRequest)"),
        "StatusUpdateRequest": _l("Status update (StatusUpdateRequest)"),
        "ProfileRequest": _l("Profile request (ProfileRequest)"),
        "Response": _l("Answer (Response)"),
        "unread": _l("Unreadable document"),
        "email": _l("E-mail"),
        "OCI login": _l("OCI login"),
        "OCI login answer": _l("OCI login answer"),
        "OCI cart": _l("OCI cart"),
        "OCI cancel": _l("OCI cancel"),
        "OCI call refused": _l("OCI call refused"),
    },
}


def label(code: object, kind: str) -> str:
    """The label of `code` among the codes of `kind` in the request's language; the code
    itself when it has none. Unknown kinds are a programming error (KeyError)."""
    text = "" if code is None else str(code)
    found = LABELS[kind].get(text)
    return text if found is None else str(found)


def display_name(user: User) -> str:
    """How the shop names a person: the name they go by; without one, their e-mail address, but
    never an address the gateway made up for a punchout user (`….punchout.invalid`)."""
    if user.name.strip():
        return user.name.strip()
    if user.email.endswith(".punchout.invalid"):
        return str(_l("Punchout user"))
    return user.email


def init_app(app: Flask) -> None:
    """`{{ order.status|label('order_status') }}` and `{{ user|display_name }}` in templates, and
    the table as `labels`."""
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["display_name"] = display_name
    app.jinja_env.globals["labels"] = LABELS
