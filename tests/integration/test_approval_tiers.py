"""A-4: approval tiers per customer; A-2, A-3, A-5 and A-6 hold within them."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gateway.auth.permissions import DEFAULT_ROLES, Permission
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import (
    ApprovalDecision,
    ApprovalGroup,
    ApprovalTier,
    Order,
    OutboxMessage,
    Role,
)
from gateway.services.purchasing import approval_tiers, approvals
from gateway.services.purchasing.approval_tiers import GroupSpec, TierSpec
from tests import shop
from tests.factories import actor_of, customer, make_user, user_named
from tests.integration.test_approvals import _client, _decide, _fill_cart, _pending_order, _place
from tests.mail import is_confirmation

APPROVER_RIGHTS = sorted(DEFAULT_ROLES["buyer"] | {Permission.ORDER_APPROVE})


@pytest.fixture
def staff(db_session: Session) -> None:
    """A finance and a manager role of customer 1001 and one holder each."""
    for name in ("finance", "manager"):
        db_session.add(
            Role(
                name=name,
                permissions=list(APPROVER_RIGHTS),
                organisation_id=customer(db_session).id,
            )
        )
    db_session.flush()
    make_user(db_session, "fin@1001.test", role="finance")
    make_user(db_session, "man@1001.test", role="manager")
    db_session.commit()


def _define(session: Session, *tiers: TierSpec) -> None:
    superuser = actor_of(session, user_named(session, "superuser@1001.demo"))
    approval_tiers.define(session, actor=superuser, tiers=tiers)
    session.commit()


FINANCE_AND_MANAGER = TierSpec(
    name="Spend",
    groups=(GroupSpec(roles=("finance",)), GroupSpec(roles=("manager", "superuser"))),
)


def _status(session: Session, order: Order) -> str:
    session.refresh(order)
    return order.status


def _mails_to(session: Session, email: str) -> int:
    session.expire_all()
    return sum(
        1
        for message in session.scalars(select(OutboxMessage))
        if email.encode() in message.body and not is_confirmation(message)
    )


@pytest.mark.usefixtures("staff")
def test_finance_and_manager_or_superuser_one_approval_leaves_it_pending_both_release_it(
    app: Flask, db_session: Session
) -> None:
    _define(db_session, FINANCE_AND_MANAGER)
    order = _pending_order(app, db_session)
    manager, finance = _client(app, "man@1001.test"), _client(app, "fin@1001.test")
    assert f'data-order-id="{order.id}"' in manager.get("/approvals").text
    assert f'data-order-id="{order.id}"' in finance.get("/approvals").text

    assert _decide(manager, order, "approve").status_code == 302
    assert _status(db_session, order) == "pending_approval"
    assert [change.status for change in order.history] == ["pending_approval"]
    # The manager's group has approved: the manager neither sees nor decides it again.
    assert f'data-order-id="{order.id}"' not in manager.get("/approvals").text
    again = _decide(manager, order, "approve")
    assert again.status_code == 400
    assert "awaits another approver" in again.text
    superuser = _client(app, "superuser@1001.demo")  # same group as the manager: already covered
    assert _decide(superuser, order, "approve").status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ApprovalDecision)) == 1
    assert _mails_to(db_session, "requester@1001.demo") == 0  # nothing decided yet

    assert _decide(finance, order, "approve").status_code == 302
    assert _status(db_session, order) == "placed"
    assert [change.status for change in order.history] == ["pending_approval", "placed"]
    groups = [d.group_id for d in approvals.decisions(db_session, order_id=order.id)]
    assert len(set(groups)) == 2
    assert _mails_to(db_session, "requester@1001.demo") == 1


@pytest.mark.usefixtures("staff")
def test_tiers_are_passed_in_order_and_the_next_tier_is_told(
    app: Flask, db_session: Session
) -> None:
    _define(
        db_session,
        TierSpec(groups=(GroupSpec(roles=("finance",)),)),
        TierSpec(groups=(GroupSpec(users=("man@1001.test",)),)),
    )
    order = _pending_order(app, db_session)
    assert _mails_to(db_session, "fin@1001.test") == 1
    assert _mails_to(db_session, "man@1001.test") == 0
    manager, finance = _client(app, "man@1001.test"), _client(app, "fin@1001.test")
    assert f'data-order-id="{order.id}"' not in manager.get("/approvals").text
    early = _decide(manager, order, "approve")
    assert early.status_code == 400
    assert db_session.scalar(select(func.count()).select_from(ApprovalDecision)) == 0

    assert _decide(finance, order, "approve").status_code == 302
    assert _status(db_session, order) == "pending_approval"
    assert _mails_to(db_session, "man@1001.test") == 1
    assert _decide(manager, order, "approve").status_code == 302
    assert _status(db_session, order) == "placed"


@pytest.mark.usefixtures("staff")
def test_one_rejection_in_a_tier_ends_it(app: Flask, db_session: Session) -> None:
    _define(db_session, FINANCE_AND_MANAGER)
    order = _pending_order(app, db_session)
    assert _decide(_client(app, "man@1001.test"), order, "approve").status_code == 302
    finance = _client(app, "fin@1001.test")
    assert _decide(finance, order, "reject", comment="No budget").status_code == 302
    assert _status(db_session, order) == "rejected"
    assert _decide(finance, order, "approve").status_code == 400
    assert _status(db_session, order) == "rejected"


@pytest.mark.usefixtures("staff")
def test_nobody_outside_the_chain_decides_and_nobody_approves_their_own(
    app: Flask, db_session: Session
) -> None:
    _define(db_session, TierSpec(groups=(GroupSpec(roles=("finance",)),)))
    db_session.execute(update(Role).where(Role.name == "manager").values(requires_approval=True))
    db_session.commit()
    order = _pending_order(app, db_session, email="man@1001.test")  # the manager orders
    outsider = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    with pytest.raises(NotFound):
        approvals.decidable(db_session, actor=outsider, order_id=order.id)
    requester = actor_of(db_session, user_named(db_session, "man@1001.test"))
    with pytest.raises(PermissionDenied):
        approvals.decidable(db_session, actor=requester, order_id=order.id)
    assert _decide(_client(app, "superuser@1001.demo"), order, "approve").status_code == 404
    assert _status(db_session, order) == "pending_approval"


@pytest.mark.usefixtures("staff")
def test_a_group_nobody_can_approve_refuses_the_order(app: Flask, db_session: Session) -> None:
    # The only finance holder is the requester: never eligible, so placement is refused.
    _define(db_session, TierSpec(groups=(GroupSpec(users=("requester@1001.demo",)),)))
    client = _client(app, "requester@1001.demo")
    _fill_cart(client, ("DEMO-0081", "1"))
    response = _place(client)
    assert response.status_code == 400
    assert "nobody who may approve" in response.text
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0


@pytest.mark.usefixtures("staff")
def test_a_stale_version_loses(app: Flask, db_session: Session) -> None:
    _define(db_session, FINANCE_AND_MANAGER)
    order = _pending_order(app, db_session)
    finance = actor_of(db_session, user_named(db_session, "fin@1001.test"))
    loaded = approvals.decidable(db_session, actor=finance, order_id=order.id)
    db_session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(approval_version=Order.approval_version + 1),
        execution_options={"synchronize_session": False},
    )
    assert loaded.approval_version == 0
    with pytest.raises(InvalidInput, match="same moment"):
        approvals.approve(db_session, actor=finance, order_id=order.id, now=order.placed_at)
    assert approvals.decisions(db_session, order_id=order.id) == []


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (TierSpec(groups=()), "at least one group"),
        (TierSpec(groups=(GroupSpec(),)), "needs a role, a user or supervisors"),
        (TierSpec(groups=(GroupSpec(roles=("nosuchrole",)),)), "No customer role"),
        (TierSpec(groups=(GroupSpec(roles=("buyer",)),)), "may not approve"),
        (TierSpec(groups=(GroupSpec(users=("buyer@1002.demo",)),)), "No user"),
    ],
)
@pytest.mark.usefixtures("staff")
def test_bad_tier_definitions_change_nothing(
    db_session: Session, spec: TierSpec, message: str
) -> None:
    _define(db_session, FINANCE_AND_MANAGER)
    superuser = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    with pytest.raises(InvalidInput, match=message):
        approval_tiers.define(db_session, actor=superuser, tiers=[spec])
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ApprovalTier)) == 1
    assert db_session.scalar(select(func.count()).select_from(ApprovalGroup)) == 2


def test_only_a_superuser_defines_tiers(db_session: Session) -> None:
    buyer = actor_of(db_session, user_named(db_session, "buyer@1001.demo"))
    with pytest.raises(PermissionDenied):
        approval_tiers.define(db_session, actor=buyer, tiers=[FINANCE_AND_MANAGER])
    assert db_session.scalar(select(func.count()).select_from(ApprovalTier)) == 0


@pytest.mark.usefixtures("staff")
def test_tiers_cannot_change_under_an_order_halfway_through(
    app: Flask, db_session: Session
) -> None:
    _define(db_session, FINANCE_AND_MANAGER)
    order = _pending_order(app, db_session)
    assert _decide(_client(app, "fin@1001.test"), order, "approve").status_code == 302
    superuser = actor_of(db_session, user_named(db_session, "superuser@1001.demo"))
    with pytest.raises(InvalidInput, match="halfway"):
        approval_tiers.define(db_session, actor=superuser, tiers=[])
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(ApprovalTier)) == 1


def test_parse_reads_groups_and_members() -> None:
    (tier,) = approval_tiers.parse(
        "finance AND manager or superuser or a@b.test or supervisors\n\n"
    )
    assert tier.groups == (
        GroupSpec(roles=("finance",)),
        GroupSpec(roles=("manager", "superuser"), users=("a@b.test",), supervisors=True),
    )
    with pytest.raises(InvalidInput, match="missing around AND or OR"):
        approval_tiers.parse("finance AND")


@pytest.mark.usefixtures("staff")
def test_a_superuser_defines_tiers_on_the_account_page(app: Flask, db_session: Session) -> None:
    superuser = _client(app, "superuser@1001.demo")
    page = superuser.get("/account/approval-tiers")
    assert page.status_code == 200
    assert "data-default-chain" in page.text
    saved = shop.post(
        superuser,
        "/account/approval-tiers",
        {"tiers": "finance AND manager OR superuser\nman@1001.test"},
        via="/account/approval-tiers",
    )
    assert saved.status_code == 302
    page = superuser.get("/account/approval-tiers").text
    assert 'data-tier="1"' in page
    assert 'data-tier="2"' in page
    tiers = approval_tiers.chain(db_session, organisation_id=customer(db_session).id)
    assert approval_tiers.describe(tiers) == "finance AND manager OR superuser\nman@1001.test"


@pytest.mark.usefixtures("staff")
def test_the_tiers_page_refuses_bad_input_and_outsiders(app: Flask, db_session: Session) -> None:
    _define(db_session, FINANCE_AND_MANAGER)
    superuser = _client(app, "superuser@1001.demo")
    bad = shop.post(
        superuser,
        "/account/approval-tiers",
        {"tiers": "finance AND buyer@1002.demo"},
        via="/account/approval-tiers",
    )
    assert bad.status_code == 400
    assert "No user" in bad.text
    for email in ("buyer@1001.demo", "requester@1001.demo"):
        other = _client(app, email)
        assert other.get("/account/approval-tiers").status_code == 403
        posted = shop.post(other, "/account/approval-tiers", {"tiers": ""}, via="/catalog")
        assert posted.status_code == 403
    # Another customer's superuser only ever changes their own customer's chain.
    foreign = _client(app, "superuser@1002.demo")
    assert (
        shop.post(
            foreign, "/account/approval-tiers", {"tiers": ""}, via="/account/approval-tiers"
        ).status_code
        == 302
    )
    tiers = approval_tiers.chain(db_session, organisation_id=customer(db_session).id)
    assert approval_tiers.describe(tiers) == "finance AND manager OR superuser"
    assert db_session.scalar(select(func.count()).select_from(ApprovalTier)) == 1
