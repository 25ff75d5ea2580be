"""The permission catalogue and the built-in roles seeded from it.

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
    ACCOUNT_USER_WRITE = "account:user:write"  # create, edit, (de)activate users, assign roles
    ASSIST_IMPERSONATE = "assist:impersonate"  # internal (issue of the staff roles)
    BUDGET_READ = "shop:budget:read"  # the own budgets' state
    CATALOG_READ = "shop:catalog:read"
    CART_WRITE = "shop:cart:write"
    ORDER_APPROVE = "shop:order:approve"
    ORDER_PLACE = "shop:order:place"
    ORDER_READ_ALL = "shop:order:read_all"  # colleagues' orders too, not only one's own
    PRICE_READ = "shop:price:read"
    PUNCHOUT_TRANSFER = "punchout:cart:transfer"
    ADMIN_MESSAGES_READ = "admin:messages:read"
    ADMIN_PARTNER_WRITE = "admin:partner:write"
    ADMIN_SIMULATOR_USE = "admin:simulator:use"


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
        Permission.ACCOUNT_USER_WRITE,
    },
    "buyer": _SHOPPER | {Permission.ORDER_PLACE, Permission.BUDGET_READ},
    "requester": _SHOPPER | {Permission.ORDER_PLACE, Permission.BUDGET_READ},
    "punchout": _SHOPPER | {Permission.PUNCHOUT_TRANSFER},
    "viewer": frozenset({Permission.CATALOG_READ, Permission.PRICE_READ}),
    # internal (supplier staff)
    "customer_service": frozenset({Permission.ADMIN_MESSAGES_READ}),
    "admin": frozenset(
        {
            Permission.ADMIN_MESSAGES_READ,
            Permission.ADMIN_PARTNER_WRITE,
            Permission.ADMIN_SIMULATOR_USE,
        }
    ),
}

APPROVAL_REQUIRED_ROLES = frozenset({"requester"})
"""Built-in roles whose every order needs approval (the role's `requires_approval` setting)."""

INTERNAL_ROLE_NAMES = frozenset({"customer_service", "sales_agent", "admin"})
"""Staff roles (seeded by the staff issue): `kind = "internal"`, never assignable by customers."""
