"""The policy, table-driven: every built-in role x every permission, and the object rules."""

from __future__ import annotations

import pytest

from gateway.auth.permissions import DEFAULT_ROLES, INTERNAL_ROLE_NAMES, Permission, is_internal
from gateway.auth.policy import Actor, assignable, can, require, require_in_person
from gateway.errors import ForbiddenWhileAssisting, NotFound, PermissionDenied
from gateway.models import Budget, Order, Organisation, Role

P = Permission
# The expected rights of each built-in customer role; anything not listed is denied.
EXPECTED: dict[str, set[Permission]] = {
    "superuser": {
        P.ACCOUNT_BUDGET_WRITE,
        P.ACCOUNT_CATALOG_ASSIGN,
        P.ACCOUNT_ORGANISATION_WRITE,
        P.ACCOUNT_ROLE_WRITE,
        P.ACCOUNT_USER_WRITE,
        P.BUDGET_READ,
        P.CATALOG_READ,
        P.CART_WRITE,
        P.LIST_WRITE,
        P.ORDER_APPROVE,
        P.ORDER_PLACE,
        P.ORDER_READ_ALL,
        P.PRICE_READ,
    },
    "buyer": {
        P.BUDGET_READ,
        P.CATALOG_READ,
        P.CART_WRITE,
        P.LIST_WRITE,
        P.ORDER_PLACE,
        P.PRICE_READ,
    },
    "requester": {P.BUDGET_READ, P.CATALOG_READ, P.CART_WRITE, P.ORDER_PLACE, P.PRICE_READ},
    "punchout": {
        P.CATALOG_READ,
        P.CART_WRITE,
        P.LIST_WRITE,
        P.PRICE_READ,
        P.PUNCHOUT_TRANSFER,
    },
    "viewer": {P.CATALOG_READ, P.PRICE_READ},
    # Internal (staff) roles
    "customer_service": {
        P.ADMIN_MESSAGES_READ,
        P.ASSIST_IMPERSONATE,
        P.STAFF_CUSTOMER_CREATE,
        P.STAFF_CUSTOMER_READ,
        P.STAFF_CUSTOMER_READ_ALL,
        P.STAFF_ORDER_DECIDE,
        P.STAFF_ORDER_FULFIL,
        P.STAFF_ORDER_READ,
        P.STAFF_QUOTE_ANSWER,
    },
    "sales_agent": {
        P.ADMIN_FUNNEL_READ,
        P.ASSIST_IMPERSONATE,
        P.STAFF_CUSTOMER_READ,
        P.STAFF_CUSTOMER_REGISTER,
        P.STAFF_ORDER_READ,
    },
    "admin": {
        P.ADMIN_ASSIGNMENT_WRITE,
        P.ADMIN_AUDIT_READ,
        P.ADMIN_FUNNEL_READ,
        P.ADMIN_MESSAGES_READ,
        P.ADMIN_PARTNER_WRITE,
        P.ADMIN_ROLE_WRITE,
        P.ADMIN_SIMULATOR_USE,
        P.ADMIN_STAFF_WRITE,
        P.STAFF_CUSTOMER_CREATE,
        P.STAFF_CUSTOMER_READ,
        P.STAFF_CUSTOMER_READ_ALL,
        P.STAFF_ORDER_DECIDE,
        P.STAFF_ORDER_FULFIL,
        P.STAFF_ORDER_READ,
        P.STAFF_QUOTE_ANSWER,
    },
}
CASES = [
    pytest.param(role, permission, permission in rights, id=f"{role}-{permission.value}")
    for role, rights in EXPECTED.items()
    for permission in Permission
]
# While a staff member shops as a user of each role (b2b-rules I-6): no approving, no user or
# catalog management, no further impersonation, no staff right, whatever the role holds.
EXPECTED_WHILE_ASSISTING: dict[str, set[Permission]] = {
    "superuser": {
        P.ACCOUNT_BUDGET_WRITE,
        P.ACCOUNT_ORGANISATION_WRITE,
        P.BUDGET_READ,
        P.CATALOG_READ,
        P.CART_WRITE,
        P.LIST_WRITE,
        P.ORDER_PLACE,
        P.ORDER_READ_ALL,
        P.PRICE_READ,
    },
    "buyer": EXPECTED["buyer"],
    "requester": EXPECTED["requester"],
    "punchout": EXPECTED["punchout"],
    "viewer": EXPECTED["viewer"],
    "customer_service": set(),
    "sales_agent": set(),
    "admin": set(),
}
REFUSED_WHILE_ASSISTING = {
    P.ACCOUNT_CATALOG_ASSIGN,
    P.ACCOUNT_ROLE_WRITE,
    P.ACCOUNT_USER_WRITE,
    P.ASSIST_IMPERSONATE,
    P.ORDER_APPROVE,
} | {permission for permission in Permission if is_internal(permission)}
ASSISTED_CASES = [
    pytest.param(role, permission, permission in rights, id=f"assisting-{role}-{permission.value}")
    for role, rights in EXPECTED_WHILE_ASSISTING.items()
    for permission in Permission
]


def an_order(*, organisation_id: int, user_id: int | None = None) -> Order:
    """An object of one customer: an order (of `user_id`), as the policy sees it."""
    return Order(id=99, organisation_id=organisation_id, user_id=user_id)


def a_role(name: str, kind: str, permissions: list[str], organisation_id: int | None = 10) -> Role:
    """A role of customer 10 (the default actor's), of another customer, or (None) global."""
    return Role(name=name, kind=kind, permissions=permissions, organisation_id=organisation_id)


def actor(role: str, *, user_id: int = 1, organisation_id: int = 10, **settings: object) -> Actor:
    return Actor(
        user_id=user_id,
        organisation_id=organisation_id,
        permissions=frozenset(DEFAULT_ROLES[role]),
        role=role,
        **settings,  # type: ignore[arg-type]
    )


def test_the_table_names_every_built_in_role() -> None:
    assert set(EXPECTED) == set(DEFAULT_ROLES)


@pytest.mark.parametrize(("role", "permission", "allowed"), CASES)
def test_role_permission_matrix(role: str, permission: Permission, allowed: bool) -> None:
    subject = actor(role)
    assert can(subject, permission) is allowed
    # An object of the own customer (for approving: a colleague's order): exactly the right.
    assert can(subject, permission, an_order(organisation_id=10, user_id=2)) is allowed
    # Another customer's object is never allowed, and require reports it as not found.
    assert can(subject, permission, an_order(organisation_id=11, user_id=2)) is False
    with pytest.raises(NotFound):
        require(subject, permission, an_order(organisation_id=11, user_id=2))
    if not allowed:
        with pytest.raises(PermissionDenied):
            require(subject, permission)


def test_the_assisted_table_names_every_built_in_role() -> None:
    assert set(EXPECTED_WHILE_ASSISTING) == set(DEFAULT_ROLES)


@pytest.mark.parametrize(("role", "permission", "allowed"), ASSISTED_CASES)
def test_role_permission_matrix_while_assisting(
    role: str, permission: Permission, allowed: bool
) -> None:
    subject = actor(role, acting_staff_id=99)
    assert subject.assisting
    refused = permission in REFUSED_WHILE_ASSISTING
    assert can(subject, permission) is allowed
    assert can(subject, permission, an_order(organisation_id=10, user_id=2)) is allowed
    assert can(subject, permission, an_order(organisation_id=11, user_id=2)) is False
    # A refused right is refused whatever the object (the answer says nothing about it);
    # another customer's object is otherwise not found.
    with pytest.raises(ForbiddenWhileAssisting if refused else NotFound):
        require(subject, permission, an_order(organisation_id=11, user_id=2))
    if refused:
        with pytest.raises(ForbiddenWhileAssisting):
            require(subject, permission)
    elif allowed:
        require(subject, permission)
    else:
        with pytest.raises(PermissionDenied) as denied:
            require(subject, permission)
        assert not isinstance(denied.value, ForbiddenWhileAssisting)


@pytest.mark.parametrize("role", sorted(DEFAULT_ROLES))
def test_without_assisting_a_missing_right_is_a_plain_refusal(role: str) -> None:
    subject = actor(role)
    assert not subject.assisting
    for permission in set(Permission) - DEFAULT_ROLES[role]:
        with pytest.raises(PermissionDenied) as denied:
            require(subject, permission)
        assert not isinstance(denied.value, ForbiddenWhileAssisting)


def test_only_the_user_in_person_passes_require_in_person() -> None:
    require_in_person(actor("superuser"))
    require_in_person(actor("viewer"))
    with pytest.raises(ForbiddenWhileAssisting):
        require_in_person(actor("viewer", acting_staff_id=99))
    with pytest.raises(ForbiddenWhileAssisting):
        require_in_person(actor("superuser", acting_staff_id=99))


def test_the_approval_rules_still_apply_to_an_assisted_order_of_a_colleague() -> None:
    # Approving is refused while assisting even where the role and supervision would allow it.
    rights = frozenset({P.ORDER_APPROVE, P.ORDER_PLACE})
    supervisor = Actor(
        user_id=5,
        organisation_id=10,
        permissions=rights,
        supervises=frozenset({7}),
        acting_staff_id=99,
    )
    assert not can(supervisor, P.ORDER_APPROVE, an_order(organisation_id=10, user_id=7))


def test_nobody_approves_their_own_order() -> None:
    superuser = actor("superuser", user_id=1)
    assert can(superuser, P.ORDER_APPROVE, an_order(organisation_id=10, user_id=1)) is False
    assert can(superuser, P.ORDER_APPROVE, an_order(organisation_id=10, user_id=None)) is False


def test_a_supervisor_approves_only_the_users_assigned_to_them() -> None:
    rights = frozenset({P.ORDER_APPROVE, P.ORDER_PLACE})
    supervisor = Actor(user_id=5, organisation_id=10, permissions=rights, supervises=frozenset({7}))
    assert can(supervisor, P.ORDER_APPROVE, an_order(organisation_id=10, user_id=7))
    assert not can(supervisor, P.ORDER_APPROVE, an_order(organisation_id=10, user_id=8))
    assert not can(supervisor, P.ORDER_APPROVE, an_order(organisation_id=11, user_id=7))
    # Without the right, being assigned is not enough.
    plain = Actor(user_id=5, organisation_id=10, permissions=frozenset(), supervises=frozenset({7}))
    assert not can(plain, P.ORDER_APPROVE, an_order(organisation_id=10, user_id=7))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("superuser", True),
        ("buyer", True),
        ("requester", True),
        ("viewer", True),
        ("punchout", False),  # punchout:cart:transfer is a right the superuser lacks
    ],
)
def test_a_superuser_assigns_the_built_in_roles_within_their_rights(
    role: str, allowed: bool
) -> None:
    row = a_role(name=role, kind="customer", permissions=sorted(DEFAULT_ROLES[role]))
    assert can(actor("superuser"), P.ACCOUNT_USER_WRITE, row) is allowed


def test_role_assignment_never_escalates() -> None:
    superuser = actor("superuser")
    wider = a_role(
        name="wider",
        kind="customer",
        permissions=[*DEFAULT_ROLES["superuser"], P.PUNCHOUT_TRANSFER],
    )
    staff = a_role(name="customer_service", kind="internal", permissions=[P.CATALOG_READ])
    internal_right = a_role(
        name="sneaky", kind="customer", permissions=[P.CATALOG_READ, P.ASSIST_IMPERSONATE]
    )
    assert not can(superuser, P.ACCOUNT_USER_WRITE, wider)  # a right the superuser lacks
    assert not can(superuser, P.ACCOUNT_USER_WRITE, staff)  # a staff role
    assert not can(superuser, P.ACCOUNT_USER_WRITE, internal_right)  # an internal right
    assert not assignable(superuser, internal_right)
    # A buyer cannot assign anything, not even a role narrower than their own.
    viewer = a_role(name="viewer", kind="customer", permissions=sorted(DEFAULT_ROLES["viewer"]))
    assert not can(actor("buyer"), P.ACCOUNT_USER_WRITE, viewer)


def test_internal_rights_are_those_outside_the_customer_scopes() -> None:
    assert is_internal(P.ASSIST_IMPERSONATE)
    assert is_internal("admin:partner:write")
    customer_roles = dict(DEFAULT_ROLES)
    for internal in INTERNAL_ROLE_NAMES:
        customer_roles.pop(internal)
    assert not any(is_internal(right) for rights in customer_roles.values() for right in rights)


def test_customer_permission_names_follow_scope_resource_action() -> None:
    for permission in Permission:
        if not is_internal(permission):
            assert len(permission.value.split(":")) == 3, permission


def a_customer(customer_id: int) -> Organisation:
    return Organisation(id=customer_id, number="1001", allow_impersonation=True)


@pytest.mark.parametrize(
    ("role", "assigned", "customer_id", "allowed"),
    [
        ("customer_service", frozenset(), 5, True),  # every customer
        ("admin", frozenset(), 5, True),
        ("sales_agent", frozenset({5}), 5, True),  # an own customer
        ("sales_agent", frozenset({5}), 6, False),  # another agent's customer
        ("sales_agent", frozenset(), 5, False),
    ],
)
def test_staff_reach_customers_by_assignment(
    role: str, assigned: frozenset[int], customer_id: int, allowed: bool
) -> None:
    staff = actor(role, organisation_id=1, assigned=assigned)
    assert can(staff, P.STAFF_CUSTOMER_READ, a_customer(customer_id)) is allowed


def test_customer_roles_never_reach_customers_as_staff() -> None:
    superuser = actor("superuser", organisation_id=5, assigned=frozenset({5}))
    assert can(superuser, P.STAFF_CUSTOMER_READ, a_customer(5)) is False
    assert can(superuser, P.ASSIST_IMPERSONATE, a_customer(5)) is False


def test_the_internal_roles_grant_only_internal_rights_or_none_a_customer_can_hand_out() -> None:
    for role in ("customer_service", "sales_agent", "admin"):
        assert all(is_internal(right) for right in DEFAULT_ROLES[role])
        assert not assignable(
            actor("superuser"), a_role(role, "internal", sorted(DEFAULT_ROLES[role]))
        )


def test_approving_needs_an_order_as_target() -> None:
    superuser = actor("superuser")
    colleague_budget = Budget(id=3, organisation_id=10, user_id=2)
    assert can(superuser, P.ORDER_APPROVE, an_order(organisation_id=10, user_id=2))
    assert not can(superuser, P.ORDER_APPROVE, colleague_budget)


def test_a_customer_side_right_reaches_the_active_customer_only() -> None:
    superuser = actor("superuser", organisation_id=10)
    assert can(superuser, P.ACCOUNT_ORGANISATION_WRITE, a_customer(10))
    assert not can(superuser, P.ACCOUNT_ORGANISATION_WRITE, a_customer(11))
    with pytest.raises(NotFound):
        require(superuser, P.ACCOUNT_ORGANISATION_WRITE, a_customer(11))


def test_another_agents_customer_is_not_found_for_require() -> None:
    agent = actor("sales_agent", organisation_id=1, assigned=frozenset({5}))
    require(agent, P.STAFF_CUSTOMER_READ, a_customer(5))
    with pytest.raises(NotFound):
        require(agent, P.STAFF_CUSTOMER_READ, a_customer(6))
    with pytest.raises(PermissionDenied):  # a right the agent lacks, on an own customer
        require(agent, P.STAFF_CUSTOMER_CREATE, a_customer(5))


def test_a_role_is_no_customers_object() -> None:
    superuser = actor("superuser", organisation_id=10)
    viewer = a_role("viewer", "customer", sorted(DEFAULT_ROLES["viewer"]))
    require(superuser, P.ACCOUNT_USER_WRITE, viewer)  # neither foreign nor refused
    with pytest.raises(PermissionDenied):
        require(superuser, P.CART_WRITE, viewer)


def test_another_customers_role_is_not_found_and_templates_are_the_admins() -> None:
    superuser = actor("superuser", organisation_id=10)
    own = a_role("Inkoper", "customer", sorted(DEFAULT_ROLES["buyer"]))
    foreign_role = a_role("Inkoper", "customer", sorted(DEFAULT_ROLES["buyer"]), 11)
    template = a_role("buyer", "customer", sorted(DEFAULT_ROLES["buyer"]), None)
    assert can(superuser, P.ACCOUNT_ROLE_WRITE, own)
    assert can(superuser, P.ACCOUNT_USER_WRITE, own)
    for permission in (P.ACCOUNT_ROLE_WRITE, P.ACCOUNT_USER_WRITE):
        assert not can(superuser, permission, foreign_role)
        with pytest.raises(NotFound):
            require(superuser, permission, foreign_role)
        assert not can(superuser, permission, template)  # a template is nobody's to hold
        with pytest.raises(PermissionDenied):
            require(superuser, permission, template)
    assert not can(superuser, P.ADMIN_ROLE_WRITE, template)
    admin = actor("admin", organisation_id=1)
    assert can(admin, P.ADMIN_ROLE_WRITE, template)
    assert not can(admin, P.ADMIN_ROLE_WRITE, own)  # a customer's copy is the customer's
    staff_role = a_role("admin", "internal", sorted(DEFAULT_ROLES["admin"]), None)
    assert not can(admin, P.ADMIN_ROLE_WRITE, staff_role)
