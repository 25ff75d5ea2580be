"""Who holds the administration rights (role x permission x expected), and the services' checks."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from gateway.auth.permissions import DEFAULT_ROLES, Permission
from gateway.auth.policy import Actor, can
from gateway.errors import PermissionDenied
from gateway.services import message_log
from gateway.services.partners import admin, simulator

ADMIN_RIGHTS = (
    Permission.ADMIN_MESSAGES_READ,
    Permission.ADMIN_PARTNER_WRITE,
    Permission.ADMIN_SIMULATOR_USE,
)
EXPECTED = {
    "admin": set(ADMIN_RIGHTS),
    "customer_service": {Permission.ADMIN_MESSAGES_READ},
    "superuser": set(),
    "buyer": set(),
    "requester": set(),
    "punchout": set(),
    "viewer": set(),
}


def actor(role: str) -> Actor:
    return Actor(user_id=1, organisation_id=1, permissions=frozenset(DEFAULT_ROLES[role]))


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("permission", ADMIN_RIGHTS)
def test_role_permission_table(role: str, permission: Permission) -> None:
    assert can(actor(role), permission) is (permission in EXPECTED[role])


def test_services_check_the_right(db_session: Session) -> None:
    service = actor("customer_service")
    message_log.search(db_session, actor=service, filters=message_log.LogFilter())
    with pytest.raises(PermissionDenied):
        admin.list_partners(db_session, actor=service)
    with pytest.raises(PermissionDenied):
        simulator.partners(db_session, actor=service)
    with pytest.raises(PermissionDenied):
        message_log.search(db_session, actor=actor("buyer"), filters=message_log.LogFilter())
