"""Why an order waits for approval (b2b-rules A-1), in the reader's language.

Checkout stores each reason as an English sentence (`Order.approval_reasons`, the words of
`budgets` and `checkout`). Pages and mails read them back into their parts (`read`) and word
them again for their reader (`words`): the requester reads "your role", an approver "the
requester's role", and amounts are written the reader's way. A sentence no rule recognises is
shown as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from gateway.services.purchasing import budgets

#: `_(message, **values)`: the reader's translation (Flask-Babel's gettext or a mail's Letter)
Translate = Callable[..., str]
#: `money(amount, currency)`: an amount in the reader's locale
Money = Callable[[Decimal, str], str]


class ReasonKind(StrEnum):
    """What a stored approval reason says (`Reason.kind`), so pages can word it in any language."""

    ROLE = "role"  # the requester's role needs approval for every order
    CATALOG = "catalog"  # the role needs approval for products of one catalog
    BUDGET_ORDER = "budget_order"  # a budget's amount per order is exceeded
    BUDGET_PERIOD = "budget_period"  # what is left of a budget's period amount is exceeded
    BUDGET_CURRENCY = "budget_currency"  # a budget kept in another currency, without a rate
    OTHER = "other"  # any other reason, shown as stored


@dataclass(frozen=True, slots=True, kw_only=True)
class Reason:
    """One stored approval reason, read back into its parts."""

    kind: str  # a ReasonKind
    text: str  # as stored
    budget: str = ""  # a budget's name, or the catalog's (CATALOG)
    limit: str = ""  # e.g. "EUR 100.00"
    shortfall: str = ""


_QUOTED = r"(?P<q>['\"])(?P<name>.*)(?P=q)"  # a name as Python's repr() wrote it
_BUDGET_REASON = re.compile(
    rf"Budget {_QUOTED} allows (?P<limit>[A-Z]{{3}} [0-9.]+) "
    r"(?P<what>per order|for this period); this order exceeds it by "
    r"(?P<shortfall>[A-Z]{3} [0-9.]+)\.",
    re.DOTALL,
)
_CURRENCY_REASON = re.compile(
    rf"Budget {_QUOTED} is kept in another currency; no rate is set\.", re.DOTALL
)
_CATALOG_REASON = re.compile(
    rf"Your role needs approval for products of the catalog {_QUOTED}\.", re.DOTALL
)


def catalog_reason(name: str) -> str:
    """The stored reason for the role's "by catalog" rule (read back by `read`)."""
    return f"Your role needs approval for products of the catalog {name!r}."


def read(text: str) -> Reason:
    """One stored reason, read back into its parts."""
    if text == budgets.ROLE_NEEDS_APPROVAL:
        return Reason(kind=ReasonKind.ROLE, text=text)
    if match := _CATALOG_REASON.fullmatch(text):
        return Reason(kind=ReasonKind.CATALOG, text=text, budget=match["name"])
    if match := _CURRENCY_REASON.fullmatch(text):
        return Reason(kind=ReasonKind.BUDGET_CURRENCY, text=text, budget=match["name"])
    if match := _BUDGET_REASON.fullmatch(text):
        return Reason(
            kind=ReasonKind.BUDGET_ORDER
            if match["what"] == "per order"
            else ReasonKind.BUDGET_PERIOD,
            text=text,
            budget=match["name"],
            limit=match["limit"],
            shortfall=match["shortfall"],
        )
    return Reason(kind=ReasonKind.OTHER, text=text)


def _amount(stored: str, money: Money) -> str:
    """ "EUR 12.50" the reader's way; as stored when it is not an amount."""
    currency, _, figure = stored.partition(" ")
    try:
        return money(Decimal(figure), currency)
    except InvalidOperation:
        return stored


def words(reason: Reason, *, _: Translate, money: Money, requester: bool) -> str:
    """The reason in the reader's language: for the `requester` ("your role") or an approver."""
    if reason.kind in (ReasonKind.ROLE, ReasonKind.CATALOG):
        return _role_words(reason, _=_, requester=requester)
    if reason.kind == ReasonKind.BUDGET_CURRENCY:
        return _(
            "Budget “%(budget)s” is kept in another currency; no rate is set.",
            budget=reason.budget,
        )
    if reason.kind in (ReasonKind.BUDGET_ORDER, ReasonKind.BUDGET_PERIOD):
        values = {
            "budget": reason.budget,
            "limit": _amount(reason.limit, money),
            "shortfall": _amount(reason.shortfall, money),
        }
        if reason.kind == ReasonKind.BUDGET_ORDER:
            return _(
                "Budget “%(budget)s” allows %(limit)s per order; "
                "this order exceeds it by %(shortfall)s.",
                **values,
            )
        return _(
            "Budget “%(budget)s” allows %(limit)s for this period; "
            "this order exceeds it by %(shortfall)s.",
            **values,
        )
    return reason.text


def _role_words(reason: Reason, *, _: Translate, requester: bool) -> str:
    if reason.kind == ReasonKind.ROLE:
        if requester:
            return _("Your role needs approval for every order.")
        return _("The requester's role needs approval for every order.")
    if requester:
        return _(
            "Your role needs approval for products of the catalog “%(catalog)s”.",
            catalog=reason.budget,
        )
    return _(
        "The requester's role needs approval for products of the catalog “%(catalog)s”.",
        catalog=reason.budget,
    )
