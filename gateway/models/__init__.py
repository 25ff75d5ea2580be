"""The data model, one module per aggregate, re-exported here."""

from __future__ import annotations

from gateway.models.approval import (
    ApprovalAction,
    ApprovalDecision,
    ApprovalGroup,
    ApprovalGroupMember,
    ApprovalTier,
)
from gateway.models.budget import (
    Budget,
    BudgetAlert,
    BudgetCounter,
    BudgetPeriod,
    BudgetPolicy,
    BudgetReservation,
)
from gateway.models.cart import Cart, CartLine, CartStatus
from gateway.models.catalog import (
    Catalog,
    CatalogExport,
    Category,
    PriceList,
    PriceListItem,
    Product,
    catalog_product,
    membership_catalog,
    organisation_catalog,
    price_list_assignment,
)
from gateway.models.message_log import MessageDirection, MessageLogEntry
from gateway.models.order import (
    DeploymentMode,
    Order,
    OrderLine,
    OrderSource,
    OrderStatus,
    OrderStatusChange,
)
from gateway.models.organisation import Address, AddressKind, Organisation, OrganisationStatus
from gateway.models.outbox import OutboxMessage, OutboxStatus
from gateway.models.punchout import (
    AcceptedDeploymentMode,
    PartnerIdentity,
    PartnerProtocol,
    PunchOutIdentity,
    PunchOutSession,
    PunchOutStatus,
    TradingPartner,
)
from gateway.models.purchase_order import (
    BuyerOrder,
    BuyerOrderVersion,
    OrderPricePolicy,
    OrderProblem,
    PartnerOrderSettings,
    ProblemKind,
    ReceivedDocument,
)
from gateway.models.quote import Quote, QuoteLine, QuoteStatus
from gateway.models.requisition_list import RequisitionList, RequisitionListLine
from gateway.models.shop_session import ShopSession
from gateway.models.throttle import ThrottleCounter
from gateway.models.user import (
    AgentAssignment,
    AuditEntry,
    Invitation,
    InvitationState,
    Membership,
    PasswordReset,
    Role,
    RoleKind,
    Supervision,
    User,
)

__all__ = [
    "AcceptedDeploymentMode",
    "Address",
    "AddressKind",
    "AgentAssignment",
    "ApprovalAction",
    "ApprovalDecision",
    "ApprovalGroup",
    "ApprovalGroupMember",
    "ApprovalTier",
    "AuditEntry",
    "Budget",
    "BudgetAlert",
    "BudgetCounter",
    "BudgetPeriod",
    "BudgetPolicy",
    "BudgetReservation",
    "BuyerOrder",
    "BuyerOrderVersion",
    "Cart",
    "CartLine",
    "CartStatus",
    "Catalog",
    "CatalogExport",
    "Category",
    "DeploymentMode",
    "Invitation",
    "InvitationState",
    "Membership",
    "MessageDirection",
    "MessageLogEntry",
    "Order",
    "OrderLine",
    "OrderPricePolicy",
    "OrderProblem",
    "OrderSource",
    "OrderStatus",
    "OrderStatusChange",
    "Organisation",
    "OrganisationStatus",
    "OutboxMessage",
    "OutboxStatus",
    "PartnerIdentity",
    "PartnerOrderSettings",
    "PartnerProtocol",
    "PasswordReset",
    "PriceList",
    "PriceListItem",
    "ProblemKind",
    "Product",
    "PunchOutIdentity",
    "PunchOutSession",
    "PunchOutStatus",
    "Quote",
    "QuoteLine",
    "QuoteStatus",
    "ReceivedDocument",
    "RequisitionList",
    "RequisitionListLine",
    "Role",
    "RoleKind",
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
