"""Words, not codes: every code the shop shows has a label in Dutch and English."""

from __future__ import annotations

import re

import pytest
from flask import Flask, render_template_string

from gateway.auth.permissions import DEFAULT_ROLES
from gateway.models import (
    AcceptedDeploymentMode,
    ApprovalAction,
    BudgetPeriod,
    BudgetPolicy,
    DeploymentMode,
    InvitationState,
    MessageDirection,
    OrderPricePolicy,
    OrderSource,
    OrderStatus,
    OrganisationStatus,
    PunchOutStatus,
    User,
)
from gateway.services.ordering.desk import Source
from gateway.web.labels import LABELS, display_name, label
from tests.paths import PROJECT_ROOT

#: how the services spell an audit action (`AuditEntry.action`): `<subject>.<what>`
AUDIT_ACTION = re.compile(
    r'"((?:address|approval|budget|customer|impersonation|invitation|list|order|organisation'
    r'|punchout|quote|role|staff|user)\.[a-z_]+)"'
)


def _audit_actions() -> list[str]:
    """Every audit action the services write (they write them as literals)."""
    found = set()
    for path in (PROJECT_ROOT / "gateway" / "services").rglob("*.py"):
        found |= set(AUDIT_ACTION.findall(path.read_text(encoding="utf-8")))
    return sorted(found)


CODES: dict[str, list[str]] = {
    "order_status": list(OrderStatus),
    "order_source": [*OrderSource, *Source.ALL],
    "deployment_mode": [*DeploymentMode, *AcceptedDeploymentMode],
    "budget_period": list(BudgetPeriod),
    "budget_policy": list(BudgetPolicy),
    "price_policy": list(OrderPricePolicy),
    "role": list(DEFAULT_ROLES),
    "customer_status": list(OrganisationStatus),
    "invitation_state": [*InvitationState, "expired"],
    "punchout_status": list(PunchOutStatus),
    "punchout_operation": ["create", "edit", "inspect"],
    "approval_decision": list(ApprovalAction),
    "direction": list(MessageDirection),
    "audit_action": _audit_actions(),
}


@pytest.mark.parametrize("kind", sorted(CODES))
def test_every_code_has_a_label_in_both_languages(app: Flask, kind: str) -> None:
    codes = [str(code) for code in CODES[kind]]
    assert set(codes) <= set(LABELS[kind])
    for language in ("en", "nl"):
        with app.test_request_context(headers={"Accept-Language": language}):
            for code in codes:
                shown = label(code, kind)
                assert shown, (kind, code)
                assert "_" not in shown, (kind, code, shown)  # never the raw code
                assert shown != code, (kind, code)


@pytest.mark.parametrize(
    ("kind", "code", "dutch", "english"),
    [
        ("order_status", "pending_approval", "Wacht op goedkeuring", "Awaiting approval"),
        ("order_status", "on_hold", "Aangehouden", "On hold"),
        ("budget_policy", "require_approval", "Goedkeuring nodig", "Needs approval"),
        ("budget_period", "fiscal_year", "Boekjaar", "Fiscal year"),
        ("role", "customer_service", "Klantenservice", "Customer service"),
        ("document_type", "OrderRequest", "Inkooporder (OrderRequest)", None),
        ("audit_action", "user.invite", "Gebruiker uitgenodigd", "User invited"),
        ("audit_action", "impersonation.start", "Medewerker begon te winkelen voor de klant", None),
        ("order_source", "staff", "Geplaatst door medewerker", "Placed by staff"),
    ],
)
def test_labels_follow_the_language(
    app: Flask, kind: str, code: str, dutch: str, english: str | None
) -> None:
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert label(code, kind) == dutch
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert label(code, kind) == (english or label(code, kind))


def test_a_code_without_a_label_shows_itself(app: Flask) -> None:
    """A role a superuser named, a document type new to the table: shown as they are."""
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert label("Inkoop Noord", "role") == "Inkoop Noord"
        assert label("OCI weird", "document_type") == "OCI weird"
        assert label(None, "order_status") == ""
    with pytest.raises(KeyError):
        label("placed", "no_such_kind")


def test_templates_show_labels_and_keep_codes_in_attributes(app: Flask) -> None:
    source = "<td data-order-status=\"{{ s }}\">{{ s|label('order_status') }}</td>"
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        shown = render_template_string(source, s=OrderStatus.PENDING_APPROVAL)
    assert shown == '<td data-order-status="pending_approval">Wacht op goedkeuring</td>'


@pytest.mark.parametrize(
    ("name", "email", "shown"),
    [
        ("Anna de Vries", "anna@1001.demo", "Anna de Vries"),
        ("", "anna@1001.demo", "anna@1001.demo"),
        ("  ", "jdoe.0a1b2c3d@p4.punchout.invalid", "Punchoutgebruiker"),
    ],
)
def test_display_names(app: Flask, name: str, email: str, shown: str) -> None:
    """People by the name they go by, never an address the gateway made up."""
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        assert display_name(User(name=name, email=email)) == shown
