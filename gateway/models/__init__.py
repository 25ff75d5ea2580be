"""The data model, one module per aggregate, re-exported here."""

from __future__ import annotations

from gateway.models.approval import (
    ApprovalDecision,
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalTier,
)
from gateway.models.budget import Budget, BudgetCounter, BudgetReservation
from gateway.models.cart import Cart, CartLine
from gateway.models.catalogue import (
    Catalog,
    Category,
    PriceList,
    PriceListItem,
    Product,
    catalog_product,
    membership_catalog,
    organisation_catalog,
    price_list_assignment,
)
from gateway.models.message_log import MessageLogEntry
from gateway.models.order import (
    ORDER_STATUSES,
    PENDING_APPROVAL,
    Order,
    OrderLine,
    OrderStatusChange,
)
from gateway.models.organisation import Address, Organisation
from gateway.models.outbox import OUTBOX_STATUSES, OutboxMessage
from gateway.models.punchout import PartnerIdentity, PunchOutSession, TradingPartner
from gateway.models.purchase_order import (
    BuyerOrder,
    BuyerOrderVersion,
    PartnerOrderSettings,
    ReceivedDocument,
)
from gateway.models.shop_session import ShopSession
from gateway.models.throttle import ThrottleCounter
from gateway.models.user import (
    AgentAssignment,
    AuditEntry,
    Invitation,
    Membership,
    PasswordReset,
    Role,
    Supervision,
    User,
)

__all__ = [
    "ORDER_STATUSES",
    "OUTBOX_STATUSES",
    "PENDING_APPROVAL",
    "Address",
    "AgentAssignment",
    "ApprovalDecision",
    "ApprovalGroup",
    "ApprovalGroupMember",
    "ApprovalTier",
    "AuditEntry",
    "Budget",
    "BudgetCounter",
    "BudgetReservation",
    "BuyerOrder",
    "BuyerOrderVersion",
    "Cart",
    "CartLine",
    "Catalog",
    "Category",
    "Invitation",
    "Membership",
    "MessageLogEntry",
    "Order",
    "OrderLine",
    "OrderStatusChange",
    "Organisation",
    "OutboxMessage",
    "PartnerIdentity",
    "PartnerOrderSettings",
    "PasswordReset",
    "PriceList",
    "PriceListItem",
    "Product",
    "PunchOutSession",
    "ReceivedDocument",
    "Role",
    "ShopSession",
    "Supervision",
    "ThrottleCounter",
    "TradingPartner",
    "User",
    "catalog_product",
    "membership_catalog",
    "organisation_catalog",
    "price_list_assignment",
]
