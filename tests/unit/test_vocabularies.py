"""The closed vocabularies (StrEnums) hold exactly the values the database holds.

The columns stay plain strings: a member is its value, so rows written before the enums
existed still match. Renaming a value would orphan every stored row (and break templates,
URLs and partners' settings that spell it), so each family's values are pinned here, and the
migrations, the seed and the models' defaults are checked to write nothing outside them.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path

import pytest
from sqlalchemy import Column, Engine, inspect, select
from sqlalchemy.orm import Session

import gateway.migrations
from gateway.cxml import CartEncoding, Operation, OrderRequestType
from gateway.models import (
    AcceptedDeploymentMode,
    AddressKind,
    ApprovalAction,
    BudgetPeriod,
    BudgetPolicy,
    CartStatus,
    DeploymentMode,
    MessageDirection,
    OrderPricePolicy,
    OrderSource,
    OrderStatus,
    OrganisationStatus,
    OutboxStatus,
    PartnerProtocol,
    ProblemKind,
    PunchOutStatus,
    RoleKind,
)
from gateway.models.approval import ApprovalDecision
from gateway.models.budget import Budget
from gateway.models.cart import Cart
from gateway.models.message_log import MessageLogEntry
from gateway.models.order import Order, OrderStatusChange
from gateway.models.organisation import Address, Organisation
from gateway.models.outbox import OutboxMessage
from gateway.models.punchout import PunchOutSession, TradingPartner
from gateway.models.purchase_order import (
    BuyerOrderVersion,
    OrderProblem,
    PartnerOrderSettings,
)
from gateway.models.user import Role
from gateway.services.message_log import StatusFilter
from gateway.services.outbox import AttemptResult
from gateway.services.punchout.oci_mapping import MatgroupSource
from gateway.services.purchasing.budgets import BudgetLimit, BudgetOutcome

PINNED: dict[type[StrEnum], set[str]] = {
    # stored in columns
    OrderStatus: {
        "received",
        "on_hold",
        "pending_approval",
        "placed",
        "confirmed",
        "partially_shipped",
        "shipped",
        "invoiced",
        "cancelled",
        "rejected",
    },
    OrderSource: {"shop", "cxml"},
    DeploymentMode: {"production", "test"},
    AcceptedDeploymentMode: {"production", "test", "both"},
    OrderPricePolicy: {"hold", "reject", "accept"},
    ProblemKind: {"price", "not_in_assortment", "unknown_product", "total"},
    CartStatus: {"open", "ordered", "transferred"},
    OutboxStatus: {"pending", "sent", "dead"},
    OrganisationStatus: {"active", "prospect"},
    AddressKind: {"billing", "delivery"},
    BudgetPeriod: {"none", "week", "month", "quarter", "year", "fiscal_year"},
    BudgetPolicy: {"require_approval", "block"},
    PunchOutStatus: {"pending", "active", "transferred", "cancelled"},
    PartnerProtocol: {"cxml", "oci"},
    MessageDirection: {"in", "out"},
    RoleKind: {"customer", "internal"},
    ApprovalAction: {"approve", "take_over", "reject"},
    # stored in JSON (TradingPartner.settings) and in message-log texts ("sent: ...")
    MatgroupSource: {"unspsc", "eclass", "none"},
    AttemptResult: {"sent", "retry", "dead"},
    # spelled by pages, URLs and tests (data-budget-outcome, ?status=ok)
    BudgetOutcome: {"ok", "require_approval", "block"},
    BudgetLimit: {"order", "period", "currency"},
    StatusFilter: {"ok", "error"},
}

#: every column that holds a closed vocabulary, with it (the cXML ones are the protocol's own)
COLUMNS: dict[Column[str], type[StrEnum]] = {
    Order.__table__.c.status: OrderStatus,
    OrderStatusChange.__table__.c.status: OrderStatus,
    Order.__table__.c.source: OrderSource,
    Order.__table__.c.deployment_mode: DeploymentMode,
    Cart.__table__.c.status: CartStatus,
    OutboxMessage.__table__.c.status: OutboxStatus,
    Organisation.__table__.c.status: OrganisationStatus,
    Address.__table__.c.kind: AddressKind,
    Budget.__table__.c.period: BudgetPeriod,
    Budget.__table__.c.policy: BudgetPolicy,
    PunchOutSession.__table__.c.status: PunchOutStatus,
    PunchOutSession.__table__.c.operation: Operation,
    PunchOutSession.__table__.c.deployment_mode: DeploymentMode,
    TradingPartner.__table__.c.protocol: PartnerProtocol,
    TradingPartner.__table__.c.cart_encoding: CartEncoding,
    TradingPartner.__table__.c.operation_allowed: Operation,
    TradingPartner.__table__.c.accepted_deployment_mode: AcceptedDeploymentMode,
    MessageLogEntry.__table__.c.protocol: PartnerProtocol,
    MessageLogEntry.__table__.c.direction: MessageDirection,
    Role.__table__.c.kind: RoleKind,
    ApprovalDecision.__table__.c.decision: ApprovalAction,
    BuyerOrderVersion.__table__.c.request_type: OrderRequestType,
    PartnerOrderSettings.__table__.c.order_price_policy: OrderPricePolicy,
    OrderProblem.__table__.c.kind: ProblemKind,
}

MIGRATIONS = Path(gateway.migrations.__file__).parent / "versions"


def _name(column: Column[str]) -> str:
    return f"{column.table.name}.{column.name}"


def _members(vocabulary: type[StrEnum]) -> frozenset[str]:
    return frozenset(vocabulary)


@pytest.mark.parametrize("vocabulary", PINNED, ids=lambda vocabulary: vocabulary.__name__)
def test_a_vocabulary_keeps_the_values_the_database_holds(vocabulary: type[StrEnum]) -> None:
    assert {member.value for member in vocabulary} == PINNED[vocabulary]
    for member in vocabulary:  # written, compared and rendered as the plain value
        assert member == member.value
        assert str(member) == f"{member}" == member.value
        assert hash(member) == hash(member.value)


def test_every_stored_vocabulary_has_its_columns() -> None:
    stored = {
        vocabulary
        for vocabulary in PINNED
        if vocabulary
        not in {MatgroupSource, AttemptResult, BudgetOutcome, BudgetLimit, StatusFilter}
    }
    assert stored <= set(COLUMNS.values())


@pytest.mark.parametrize("column", COLUMNS, ids=_name)
def test_a_column_keeps_plain_strings_and_defaults_to_a_member(column: Column[str]) -> None:
    vocabulary = COLUMNS[column]
    assert column.type.python_type is str  # no Enum type: no migration, old rows stay valid
    assert column.type.length >= max(len(member) for member in vocabulary)
    if column.default is not None:
        assert column.default.arg in _members(vocabulary)
    if column.server_default is not None:
        assert column.server_default.arg in _members(vocabulary)


def _migration_writes() -> Iterator[tuple[str, str, str]]:
    """(file, column, value) for every literal a migration writes with `.values(column=...)`."""
    for path in sorted(MIGRATIONS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "values"
            ):
                for keyword in node.keywords:
                    if isinstance(keyword.value, ast.Constant) and isinstance(
                        keyword.value.value, str
                    ):
                        yield path.name, keyword.arg or "", keyword.value.value


def test_what_the_migrations_write_is_a_member() -> None:
    by_name: dict[str, set[str]] = {}
    for column, vocabulary in COLUMNS.items():
        by_name.setdefault(column.name, set()).update(_members(vocabulary))
    writes = [(name, column, value) for name, column, value in _migration_writes()]
    assert ("0008_staff_roles_impersonation_agents_audit.py", "kind", "internal") in writes
    for name, column, value in writes:
        if column in by_name:
            assert value in by_name[column], f"{name} writes {column}={value!r}"


@pytest.mark.parametrize("column", COLUMNS, ids=_name)
def test_the_migrations_server_defaults_are_members(engine: Engine, column: Column[str]) -> None:
    found = {c["name"]: c for c in inspect(engine).get_columns(column.table.name)}
    default = found[column.name]["default"]
    if default is not None:  # 'active' on SQLite, 'active'::character varying on PostgreSQL
        literal = re.fullmatch(r"\(?'([^']*)'(::[a-z ]+)?\)?", default)
        assert literal is not None, default
        assert literal.group(1) in _members(COLUMNS[column])


@pytest.mark.parametrize("column", COLUMNS, ids=_name)
def test_what_the_seed_stores_is_a_member(db_session: Session, column: Column[str]) -> None:
    stored = set(db_session.scalars(select(column).distinct()))
    assert stored <= _members(COLUMNS[column])


def test_the_seed_writes_both_role_kinds_address_kinds_and_protocols(db_session: Session) -> None:
    for column, values in (
        (Role.__table__.c.kind, {RoleKind.CUSTOMER, RoleKind.INTERNAL}),
        (Address.__table__.c.kind, {AddressKind.BILLING, AddressKind.DELIVERY}),
        (TradingPartner.__table__.c.protocol, {PartnerProtocol.CXML, PartnerProtocol.OCI}),
        (Budget.__table__.c.policy, {BudgetPolicy.BLOCK}),
    ):
        assert set(db_session.scalars(select(column).distinct())) == values
