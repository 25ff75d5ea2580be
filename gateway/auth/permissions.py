"""The permission catalogue and the built-in roles seeded from it.

Names follow `<scope>:<resource>:<action>`. Roles are rows read on every request, so changing a
role changes every holder's rights at once.
"""

from __future__ import annotations

from enum import StrEnum


class Permission(StrEnum):
    """Every right the gateway checks."""

    CATALOG_READ = "shop:catalog:read"
    CART_WRITE = "shop:cart:write"
    ORDER_PLACE = "shop:order:place"
    ORDER_READ_ALL = "shop:order:read_all"  # colleagues' orders too, not only one's own
    PRICE_READ = "shop:price:read"
    PUNCHOUT_TRANSFER = "punchout:cart:transfer"
    ADMIN_MESSAGES_READ = "admin:messages:read"
    ADMIN_PARTNER_WRITE = "admin:partner:write"
    ADMIN_SIMULATOR_USE = "admin:simulator:use"


_SHOPPER = frozenset({Permission.CATALOG_READ, Permission.PRICE_READ, Permission.CART_WRITE})

DEFAULT_ROLES: dict[str, frozenset[Permission]] = {
    "superuser": _SHOPPER | {Permission.ORDER_PLACE, Permission.ORDER_READ_ALL},
    "buyer": _SHOPPER | {Permission.ORDER_PLACE},
    "requester": _SHOPPER | {Permission.ORDER_PLACE},
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
