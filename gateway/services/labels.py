"""Words, not codes: the label of every code the shop shows people, as the English message
the catalogues translate.

Statuses, roles, budget and price policies, periods, document types, deployment modes, order
sources are stored as codes (`pending_approval`, `require_approval`); pages show them through
`gateway.web.labels` and e-mails through `gateway.services.mail_texts`, in the reader's
language. A code without a label (a role a superuser named, a document type new to this table)
is shown as it is.
"""

from __future__ import annotations

from collections.abc import Mapping


def N_(message: str) -> str:  # noqa: N802 - the name Babel extracts as a message marker
    """Mark `message` for translation without translating it here."""
    return message


#: kind → code → the English label (its msgid in the catalogues)
LABELS: Mapping[str, Mapping[str, str]] = {
    "order_status": {
        "received": N_("Received"),
        "on_hold": N_("On hold"),
        "pending_approval": N_("Awaiting approval"),
        "placed": N_("Placed"),
        "confirmed": N_("Confirmed"),
        "partially_shipped": N_("Partly shipped"),
        "shipped": N_("Shipped"),
        "invoiced": N_("Invoiced"),
        "cancelled": N_("Cancelled"),
        "rejected": N_("Rejected"),
    },
    "order_source": {
        "shop": N_("Shop"),
        "cxml": N_("Procurement system (cXML)"),
        "oci": N_("Procurement system (OCI)"),  # the order desk's sources (`desk.Source`)
        "guest": N_("Guest"),
        "staff": N_("Placed by staff"),
    },
    "deployment_mode": {
        "production": N_("Production"),
        "test": N_("Test"),
        "both": N_("Production and test"),
    },
    "budget_period": {
        "none": N_("No period (one-off)"),
        "week": N_("Week"),
        "month": N_("Month"),
        "quarter": N_("Quarter"),
        "year": N_("Year"),
        "fiscal_year": N_("Fiscal year"),
    },
    "budget_policy": {
        "require_approval": N_("Needs approval"),
        "block": N_("Refused"),
    },
    "price_policy": {
        "hold": N_("Hold for staff"),
        "reject": N_("Refuse"),
        "accept": N_("Accept"),
    },
    "role": {
        "superuser": N_("Superuser"),
        "buyer": N_("Buyer"),
        "requester": N_("Requester"),
        "punchout": N_("Punchout user"),
        "viewer": N_("Viewer"),
        "customer_service": N_("Customer service"),
        "sales_agent": N_("Sales agent"),
        "admin": N_("Administrator"),
    },
    "customer_status": {"active": N_("Active"), "prospect": N_("Prospect")},
    "invitation_state": {
        "pending": N_("Pending"),
        "accepted": N_("Accepted"),
        "refused": N_("Refused"),
        "expired": N_("Expired"),
    },
    "punchout_status": {
        "pending": N_("Not opened yet"),
        "active": N_("Shopping"),
        "transferred": N_("Cart returned"),
        "cancelled": N_("Cancelled"),
    },
    "punchout_operation": {"create": N_("New cart"), "edit": N_("Edit"), "inspect": N_("View")},
    "approval_decision": {
        "approve": N_("Approved"),
        "take_over": N_("Changed and approved"),
        "reject": N_("Rejected"),
    },
    "audit_action": {  # `AuditEntry.action`: what a customer's user or a staff member did
        "address.create": N_("Address added"),
        "address.edit": N_("Address changed"),
        "approval.absence": N_("Stand-in named for an absence"),
        "approval.absence_end": N_("Absence ended"),
        "budget.create": N_("Budget added"),
        "budget.edit": N_("Budget changed"),
        "customer.activate": N_("Prospect activated"),
        "customer.assign": N_("Customer assigned to a sales agent"),
        "customer.create": N_("Customer created"),
        "customer.register": N_("Prospect registered"),
        "customer.staff_access": N_("Staff access changed"),
        "impersonation.start": N_("Staff started shopping for the customer"),
        "impersonation.end": N_("Staff stopped shopping for the customer"),
        "impersonation.logout": N_("Staff logged out while shopping for the customer"),
        "impersonation.timeout": N_("Shopping for the customer timed out"),
        "impersonation.change": N_("Change made by staff for the customer"),
        "impersonation.forbidden": N_("Refused to staff shopping for the customer"),
        "impersonation.refused": N_("Shopping for the customer refused"),
        "invitation.accept": N_("Invitation accepted"),
        "invitation.refuse": N_("Invitation refused"),
        "list.create": N_("List created"),
        "list.share": N_("List shared"),
        "list.unshare": N_("List no longer shared"),
        "order.confirm": N_("Order confirmed"),
        "order.invoice": N_("Order invoiced"),
        "order.reject": N_("Order rejected"),
        "order.release": N_("Order released"),
        "order.ship": N_("Order shipped"),
        "organisation.approval_reminders": N_("Approval reminders changed"),
        "organisation.edit": N_("Company details changed"),
        "punchout.match_shop_accounts": N_("Punchout users matched to shop accounts"),
        "quote.accept": N_("Quote accepted"),
        "quote.answer": N_("Quote answered"),
        "quote.decline": N_("Quote declined"),
        "quote.request": N_("Quote requested"),
        "role.create": N_("Role created"),
        "role.delete": N_("Role deleted"),
        "role.edit": N_("Role changed"),
        "role.template": N_("Role template changed"),
        "staff.denied": N_("Staff refused access"),
        "staff.role": N_("Staff role changed"),
        "user.activate": N_("User activated"),
        "user.catalogs": N_("User's catalogs changed"),
        "user.deactivate": N_("User deactivated"),
        "user.edit": N_("User changed"),
        "user.invite": N_("User invited"),
        "user.supervisors": N_("User's supervisors changed"),
    },
    "direction": {"in": N_("Received"), "out": N_("Sent")},
    "document_type": {
        "PunchOutSetupRequest": N_("Punchout start (PunchOutSetupRequest)"),
        "PunchOutOrderMessage": N_("Returned cart (PunchOutOrderMessage)"),
        "OrderRequest": N_("Purchase order (OrderRequest)"),
        "ConfirmationRequest": N_("Order confirmation (ConfirmationRequest)"),
        "ShipNoticeRequest": N_("Ship notice (ShipNoticeRequest)"),
        "StatusUpdateRequest": N_("Status update (StatusUpdateRequest)"),
        "ProfileRequest": N_("Profile request (ProfileRequest)"),
        "Response": N_("Answer (Response)"),
        "unread": N_("Unreadable document"),
        "email": N_("E-mail"),
        "OCI login": N_("OCI login"),
        "OCI login answer": N_("OCI login answer"),
        "OCI cart": N_("OCI cart"),
        "OCI cancel": N_("OCI cancel"),
        "OCI call refused": N_("OCI call refused"),
    },
}


def english(code: object, kind: str) -> str:
    """The English label of `code` (the msgid to translate), or the code itself without one.
    Unknown kinds are a programming error (KeyError)."""
    text = "" if code is None else str(code)
    return LABELS[kind].get(text, text)
