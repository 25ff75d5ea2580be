"""Stored approval reasons read back and worded for the reader, amounts the reader's way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gateway.services.mail_texts import Letter
from gateway.services.ordering.checkout import catalog_reason
from gateway.services.purchasing import approval_reasons, budgets
from gateway.services.purchasing.approval_reasons import ReasonKind, read, words

BUDGET = budgets.BudgetHit(
    budget_id=1,
    budget_name="Kantoor 'Noord'",
    limit=budgets.BudgetLimit.ORDER,
    amount=Decimal("100"),
    remaining=Decimal("100"),
    shortfall=Decimal("23.5"),
    policy="require_approval",
).message("EUR")


def _dutch(text: str, *, requester: bool) -> str:
    letter = Letter("nl")
    return words(read(text), _=letter._, money=letter.money, requester=requester)


@pytest.mark.parametrize(
    ("stored", "kind", "requester", "approver"),
    [
        (
            budgets.ROLE_NEEDS_APPROVAL,
            ReasonKind.ROLE,
            "Uw rol vereist goedkeuring voor elke bestelling.",
            "De rol van de aanvrager vereist goedkeuring voor elke bestelling.",
        ),
        (
            catalog_reason("1001 specials"),
            ReasonKind.CATALOG,
            "Uw rol vereist goedkeuring voor producten uit de catalogus “1001 specials”.",
            "De rol van de aanvrager vereist goedkeuring voor producten uit de catalogus "
            "“1001 specials”.",
        ),
        (
            BUDGET,
            ReasonKind.BUDGET_ORDER,
            "Budget “Kantoor 'Noord'” staat €\xa0100,00 per bestelling toe; deze bestelling gaat "
            "daar €\xa023,50 overheen.",
            None,
        ),
    ],
)
def test_reasons_in_dutch(stored: str, kind: str, requester: str, approver: str | None) -> None:
    assert read(stored).kind == kind
    assert _dutch(stored, requester=True) == requester
    assert _dutch(stored, requester=False) == (approver or requester)


def test_a_reason_no_rule_knows_stays_as_stored() -> None:
    text = "Something a later version wrote."
    assert read(text).kind == approval_reasons.ReasonKind.OTHER
    assert _dutch(text, requester=True) == text
