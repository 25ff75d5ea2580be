"""The permission catalog and the built-in roles seeded from it.

Names follow `<scope>:<resource>:<action>`. Roles are rows read on every request, so changing a
role changes every holder's rights at once.

Customer-side scopes are `shop`, `account` and `punchout`; every other scope (`assist`, `staff`,
`admin`, ...) is internal: held only by the shop's own staff and never assignable by a customer's
superuser (b2b-rules S-3, O-5).
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """Every right the gateway checks."""

    ACCOUNT_BUDGET_WRITE = "account:budget:write"
    ACCOUNT_CATALOG_ASSIGN = "account:catalog:assign"
    ACCOUNT_ORGANISATION_WRITE = "account:organisation:write"
    ACCOUNT_ROLE_WRITE = "account:role:write"  # the customer's own roles (issue 17)
    ACCOUNT_USER_WRITE = "account:user:write"  # create, edit, (de)activate users, assign roles
    ASSIST_IMPERSONATE = "assist:impersonate"  # internal (issue of the staff roles)
    BUDGET_READ = "shop:budget:read"  # the own budgets' state
    CATALOG_READ = "shop:catalog:read"
    CART_WRITE = "shop:cart:write"
    LIST_WRITE = "shop:list:write"  # create, fill and share requisition lists
    ORDER_APPROVE = "shop:order:approve"
    ORDER_PLACE = "shop:order:place"
    ORDER_READ_ALL = "shop:order:read_all"  # colleagues' orders too, not only one's own
    PRICE_READ = "shop:price:read"
    PUNCHOUT_TRANSFER = "punchout:cart:transfer"
    ADMIN_MESSAGES_READ = "admin:messages:read"
    ADMIN_PARTNER_WRITE = "admin:partner:write"
    ADMIN_SIMULATOR_USE = "admin:simulator:use"
    # Internal (staff) rights, issue 5
    ADMIN_ASSIGNMENT_WRITE = "admin:assignment:write"  # assign customers to sales agents
    ADMIN_AUDIT_READ = "admin:audit:read"
    ADMIN_FUNNEL_READ = "admin:funnel:read"  # the punchout funnel of the reachable customers
    ADMIN_ROLE_WRITE = "admin:role:write"  # the built-in role templates customers copy
    ADMIN_STAFF_WRITE = "admin:staff:write"  # staff accounts and their roles
    STAFF_CUSTOMER_CREATE = "staff:customer:create"  # an active customer with its first superuser
    STAFF_CUSTOMER_READ = "staff:customer:read"  # the reachable customers as they see themselves
    STAFF_CUSTOMER_READ_ALL = "staff:customer:read_all"  # every customer, not only assigned ones
    STAFF_CUSTOMER_REGISTER = "staff:customer:register"  # prospects, assigned to the registrar
    STAFF_ORDER_DECIDE = "staff:order:decide"  # release or reject a purchase order on hold
    STAFF_QUOTE_ANSWER = "staff:quote:answer"  # price a customer's quote request
    STAFF_ORDER_FULFIL = "staff:order:fulfil"  # confirm, ship and invoice orders (order desk)
    STAFF_ORDER_READ = "staff:order:read"  # the order desk: reachable customers' orders
    # What an API token's scopes grant (issue 21); held by tokens only, never by a role
    API_CATALOG_READ = "api:catalog:read"
    API_CATALOG_WRITE = "api:catalog:write"
    API_CUSTOMERS_READ = "api:customers:read"
    API_CUSTOMERS_WRITE = "api:customers:write"
    API_ORDERS_READ = "api:orders:read"
    API_ORDERS_WRITE = "api:orders:write"


CUSTOMER_SCOPES = frozenset({"account", "punchout", "shop"})


def is_internal(permission: str) -> bool:
    """True for a staff right: its scope is not one of the customer-side scopes."""
    return permission.split(":", 1)[0] not in CUSTOMER_SCOPES


_SHOPPER = frozenset({Permission.CATALOG_READ, Permission.PRICE_READ, Permission.CART_WRITE})

DEFAULT_ROLES: dict[str, frozenset[Permission]] = {
    "superuser": _SHOPPER
    | {
        Permission.ORDER_PLACE,
        Permission.ORDER_READ_ALL,
        Permission.ORDER_APPROVE,
        Permission.BUDGET_READ,
        Permission.ACCOUNT_BUDGET_WRITE,
        Permission.ACCOUNT_CATALOG_ASSIGN,
        Permission.ACCOUNT_ORGANISATION_WRITE,
        Permission.ACCOUNT_ROLE_WRITE,
        Permission.ACCOUNT_USER_WRITE,
        Permission.LIST_WRITE,
    },
    "buyer": _SHOPPER | {Permission.ORDER_PLACE, Permission.BUDGET_READ, Permission.LIST_WRITE},
    "requester": _SHOPPER | {Permission.ORDER_PLACE, Permission.BUDGET_READ},
    "punchout": _SHOPPER | {Permission.PUNCHOUT_TRANSFER, Permission.LIST_WRITE},
    "viewer": frozenset({Permission.CATALOG_READ, Permission.PRICE_READ}),
    # internal (supplier staff): never assignable by customers
    "customer_service": frozenset(
        {
            Permission.ADMIN_MESSAGES_READ,
            Permission.ASSIST_IMPERSONATE,
            Permission.STAFF_CUSTOMER_CREATE,
            Permission.STAFF_CUSTOMER_READ,
            Permission.STAFF_CUSTOMER_READ_ALL,
            Permission.STAFF_ORDER_DECIDE,
            Permission.STAFF_QUOTE_ANSWER,
            Permission.STAFF_ORDER_FULFIL,
            Permission.STAFF_ORDER_READ,
        }
    ),
    "sales_agent": frozenset(
        {
            Permission.ADMIN_FUNNEL_READ,
            Permission.ASSIST_IMPERSONATE,
            Permission.STAFF_CUSTOMER_READ,
            Permission.STAFF_CUSTOMER_REGISTER,
            Permission.STAFF_ORDER_READ,
        }
    ),
    "admin": frozenset(
        {
            Permission.ADMIN_ASSIGNMENT_WRITE,
            Permission.ADMIN_AUDIT_READ,
            Permission.ADMIN_FUNNEL_READ,
            Permission.ADMIN_MESSAGES_READ,
            Permission.ADMIN_PARTNER_WRITE,
            Permission.ADMIN_ROLE_WRITE,
            Permission.ADMIN_SIMULATOR_USE,
            Permission.ADMIN_STAFF_WRITE,
            Permission.STAFF_CUSTOMER_CREATE,
            Permission.STAFF_CUSTOMER_READ,
            Permission.STAFF_CUSTOMER_READ_ALL,
            Permission.STAFF_ORDER_DECIDE,
            Permission.STAFF_QUOTE_ANSWER,
            Permission.STAFF_ORDER_FULFIL,
            Permission.STAFF_ORDER_READ,
        }
    ),
}

APPROVAL_REQUIRED_ROLES = frozenset({"requester"})
"""Built-in roles whose every order needs approval (the role's `requires_approval` setting)."""

INTERNAL_ROLE_NAMES = frozenset({"customer_service", "sales_agent", "admin"})
"""The built-in staff roles: seeded with `RoleKind.INTERNAL`, never assignable by customers."""

IMPERSONATION_FORBIDDEN = frozenset(
    {
        Permission.ACCOUNT_CATALOG_ASSIGN,
        Permission.ACCOUNT_ROLE_WRITE,
        Permission.ACCOUNT_USER_WRITE,
        Permission.ASSIST_IMPERSONATE,
        Permission.ORDER_APPROVE,
    }
)
"""Customer-side rights a staff member never uses while shopping as a customer, besides every
internal right (b2b-rules I-6: managing users and roles, approving, impersonating further)."""


def forbidden_while_assisting(permission: str) -> bool:
    """True for a right the policy refuses while a staff member shops as a customer (I-6)."""
    return is_internal(permission) or permission in IMPERSONATION_FORBIDDEN


class ApiScope(StrEnum):
    """What an API token may do (`gateway api token create --scope`)."""

    CATALOG_READ = "catalog:read"
    CATALOG_WRITE = "catalog:write"
    CUSTOMERS_READ = "customers:read"
    CUSTOMERS_WRITE = "customers:write"
    ORDERS_READ = "orders:read"
    ORDERS_WRITE = "orders:write"


SCOPE_PERMISSIONS: dict[ApiScope, frozenset[Permission]] = {
    ApiScope.CATALOG_READ: frozenset({Permission.API_CATALOG_READ}),
    ApiScope.CATALOG_WRITE: frozenset({Permission.API_CATALOG_WRITE}),
    ApiScope.CUSTOMERS_READ: frozenset(
        {Permission.API_CUSTOMERS_READ, Permission.STAFF_CUSTOMER_READ}
    ),
    ApiScope.CUSTOMERS_WRITE: frozenset(
        {Permission.API_CUSTOMERS_WRITE, Permission.STAFF_CUSTOMER_REGISTER}
    ),
    ApiScope.ORDERS_READ: frozenset({Permission.API_ORDERS_READ, Permission.STAFF_ORDER_READ}),
    # acting on an order means finding it first: the order desk's actions read it
    ApiScope.ORDERS_WRITE: frozenset(
        {
            Permission.API_ORDERS_WRITE,
            Permission.STAFF_ORDER_READ,
            Permission.STAFF_ORDER_FULFIL,
            Permission.STAFF_ORDER_DECIDE,
        }
    ),
}
"""The rights a token's scopes give its actor: the scope's own `api:` right, which every API
view requires, and the staff rights the services it calls check (the order desk's, the
customers')."""
