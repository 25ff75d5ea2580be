"""The approvals inbox: orders awaiting the signed-in user's decision, and the approver's
absences with their stand-ins. Thin adapters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import Order, User
from gateway.numbers import NumberError, read_whole
from gateway.services.ordering import quantities
from gateway.services.purchasing import approval_reminders, approvals, stand_ins
from gateway.shop import account
from gateway.web import context, i18n
from gateway.web.access import in_person, requires
from gateway.web.database import get_session
from gateway.web.labels import approval_reason

blueprint = Blueprint("approvals", __name__)
MAX_LINE_DIGITS = 6  # order lines are numbered 1, 2, …; longer is no line of ours


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One waiting order as the inbox shows it."""

    order: Order
    requester: User | None
    reasons: list[str]
    effects: list[approvals.BudgetEffect]
    on_behalf_of: User | None


@blueprint.get("/approvals")
@requires(Permission.ORDER_APPROVE)
def inbox(shopper: context.Shopper) -> str:
    """The orders the user may decide (query `requester`: one colleague's only), each with who
    placed it, when, why it waits and its budget effect, and the decision forms."""
    return _inbox(shopper)


def _inbox(
    shopper: context.Shopper,
    *,
    error: str = "",
    error_order: int | None = None,
    refused: tuple[tuple[int, str], ...] = (),
) -> str:
    db = get_session()
    now = utcnow()
    requester_id = _requester_filter()
    orders = approvals.inbox(db, actor=shopper.actor, now=now, requester_id=requester_id)
    entries = []
    for order in orders:
        granted = approvals.authority(db, actor=shopper.actor, order=order, now=now)
        on_behalf_of = (
            db.get(User, granted.on_behalf_of_id)
            if granted is not None and granted.on_behalf_of_id is not None
            else None
        )
        entries.append(
            Entry(
                order=order,
                requester=order.user,
                reasons=[
                    approval_reason(reason, requester=False) for reason in approvals.reasons(order)
                ],
                effects=approvals.budget_effects(db, order=order),
                on_behalf_of=on_behalf_of,
            )
        )
    return render_template(
        "shop/approvals.html",
        entries=entries,
        orders=orders,
        requesters=approvals.requesters(db, actor=shopper.actor, now=now),
        requester_id=requester_id,
        error=error,
        error_order=error_order,
        refused=refused,
    )


def _requester_filter() -> int | None:
    """The `requester` query parameter: a user id, or None (empty or unreadable: everyone)."""
    try:
        return read_whole(request.args.get("requester", ""))
    except NumberError:
        return None


@blueprint.post("/approvals/<int:order_id>/approve")
@in_person  # refused while assisting before the order is looked up (I-6)
def approve(order_id: int) -> Response | tuple[str, int]:
    """Accept an order (optional field `comment`)."""
    shopper = context.require_shopper()
    return _decided(
        shopper,
        order_id,
        lambda: approvals.approve(
            get_session(),
            actor=shopper.actor,
            order_id=order_id,
            now=utcnow(),
            comment=request.form.get("comment", ""),
        ),
    )


@blueprint.post("/approvals/bulk-approve")
@in_person
def bulk_approve() -> Response | tuple[str, int]:
    """Approve every ticked order (fields `order_id`, one checkbox per order; optional
    `comment`); an order that cannot be approved is reported, the others are approved."""
    shopper = context.require_shopper()
    ids = []
    for value in request.form.getlist("order_id"):
        try:
            ids.append(read_whole(value))
        except NumberError:
            continue
    db = get_session()
    try:
        result = approvals.approve_many(
            db,
            actor=shopper.actor,
            order_ids=ids,
            now=utcnow(),
            comment=request.form.get("comment", ""),
        )
    except InvalidInput as exc:
        db.rollback()
        return _inbox(shopper, error=i18n.error_text(exc)), 400
    if result.refused:
        return _inbox(shopper, refused=result.refused), 200 if result.approved else 400
    return redirect(
        url_for("approvals.inbox", decided=",".join(str(order.id) for order in result.approved))
    )


@blueprint.post("/approvals/<int:order_id>/reject")
@in_person
def reject(order_id: int) -> Response | tuple[str, int]:
    """Reject an order; field `comment` (the reason) is required."""
    shopper = context.require_shopper()
    return _decided(
        shopper,
        order_id,
        lambda: approvals.reject(
            get_session(),
            actor=shopper.actor,
            order_id=order_id,
            now=utcnow(),
            comment=request.form.get("comment", ""),
        ),
    )


@blueprint.post("/approvals/<int:order_id>/take-over")
@in_person
def take_over(order_id: int) -> Response | tuple[str, int]:
    """Change quantities (fields `quantity_<line number>`; 0 removes the line), add lines (fields
    `add_sku` and `add_quantity`, repeated), then accept (optional `comment`)."""
    shopper = context.require_shopper()

    def run() -> Order:
        return approvals.take_over(
            get_session(),
            actor=shopper.actor,
            order_id=order_id,
            quantities=_quantities(),
            additions=_additions(),
            now=utcnow(),
            comment=request.form.get("comment", ""),
            on=context.today(),
            vat_rates=current_app.config["GATEWAY_VAT_RATES"],
        )

    return _decided(shopper, order_id, run)


def _quantities() -> dict[int, Decimal]:
    """Fields `quantity_<line number>` read by the quantity rule (0 drops a line)."""
    found = {}
    for key, value in request.form.items():
        if not key.startswith("quantity_"):
            continue
        number = key.removeprefix("quantity_")
        try:
            line_number = read_whole(number, digits=MAX_LINE_DIGITS)
        except NumberError:
            raise InvalidInput("No such order line.") from None
        try:
            found[line_number] = quantities.parse(value, allow_zero=True)
        except InvalidInput as exc:
            raise InvalidInput(f"Line {line_number}: {exc}") from None
    return found


def _additions() -> list[approvals.Addition]:
    """Pairs of fields `add_sku` / `add_quantity`; a pair left empty adds nothing."""
    skus = request.form.getlist("add_sku")
    amounts = request.form.getlist("add_quantity")
    found = []
    for index, sku in enumerate(skus):
        amount = amounts[index] if index < len(amounts) else ""
        if not sku.strip() and not amount.strip():
            continue
        if not sku.strip():
            raise InvalidInput("New line: which product (SKU)?")
        try:
            quantity = quantities.parse(amount)
        except InvalidInput as exc:
            raise InvalidInput(f"New line {sku.strip()[:64]}: {exc}") from None
        found.append(approvals.Addition(sku=sku[:64], quantity=quantity))
    return found


def _decided(
    shopper: context.Shopper, order_id: int, decide: Callable[[], Order]
) -> Response | tuple[str, int]:
    """Run a decision; a refusal undoes whatever it began and shows the inbox with the reason."""
    db = get_session()
    try:
        order = decide()
    except InvalidInput as exc:
        db.rollback()
        return _inbox(shopper, error=i18n.error_text(exc), error_order=order_id), 400
    return redirect(url_for("approvals.inbox", decided=order.id))


# Absences and stand-ins ---------------------------------------------------------------------------


@blueprint.get("/approvals/absence")
@requires(Permission.ORDER_APPROVE, in_punchout=False)
def absence_page(shopper: context.Shopper) -> str:
    """The approver's absences with their stand-ins, those the approver stands in for, and the
    form to add one (fields `starts_on`, `ends_on`, `stand_in`)."""
    return _absence_page(shopper)


@blueprint.post("/approvals/absence")
@in_person
@requires(Permission.ORDER_APPROVE, in_punchout=False)
def set_absence(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Record an absence from `starts_on` to `ends_on` (ISO dates, both days included) with the
    colleague `stand_in` (a user id) standing in."""
    db = get_session()
    try:
        stand_ins.set_absence(
            db,
            actor=shopper.actor,
            starts_on=_date("starts_on"),
            ends_on=_date("ends_on"),
            stand_in_id=_stand_in(),
            now=utcnow(),
            zone=current_app.config["GATEWAY_TIMEZONE"],
        )
    except InvalidInput as exc:
        db.rollback()
        return _absence_page(shopper, error=_absence_refusal(exc)), 400
    return redirect(url_for("approvals.absence_page", saved=1))


@blueprint.post("/approvals/absence/<int:absence_id>/end")
@in_person
@requires(Permission.ORDER_APPROVE, in_punchout=False)
def end_absence(shopper: context.Shopper, absence_id: int) -> Response | tuple[str, int]:
    """End one of the approver's absences now."""
    db = get_session()
    try:
        stand_ins.end_absence(db, actor=shopper.actor, absence_id=absence_id, now=utcnow())
    except InvalidInput as exc:
        db.rollback()
        return _absence_page(shopper, error=_absence_refusal(exc)), 400
    return redirect(url_for("approvals.absence_page"))


def _date(field: str) -> date:
    text = request.form.get(field, "").strip()
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidInput(ABSENCE_DATES) from None


def _stand_in() -> int:
    try:
        return read_whole(request.form.get("stand_in", ""))
    except NumberError:
        raise InvalidInput(stand_ins.NOT_A_COLLEAGUE) from None


ABSENCE_DATES = "Please give the first and the last day of the absence as dates."


def _absence_refusal(exc: InvalidInput) -> str:
    """A refusal of the absence form in the user's language."""
    message = str(exc)
    translated = {
        ABSENCE_DATES: gettext("Please give the first and the last day of the absence as dates."),
        stand_ins.END_BEFORE_START: gettext("The absence cannot end before it starts."),
        stand_ins.TOO_LONG: gettext(
            "An absence lasts at most %(days)s days.", days=stand_ins.MAX_ABSENCE_DAYS
        ),
        stand_ins.ALREADY_OVER: gettext("That absence is already over."),
        stand_ins.NOT_YOURSELF: gettext("You cannot stand in for yourself; choose a colleague."),
        stand_ins.NOT_A_COLLEAGUE: gettext(
            "The stand-in must be an active colleague of your organisation."
        ),
        stand_ins.NO_APPROVAL_RIGHTS: gettext(
            "This colleague may not approve orders, so cannot stand in for you."
        ),
        stand_ins.OVERLAPS: gettext("This absence overlaps another of yours; end that one first."),
    }
    return str(translated.get(message, message))


def _absence_page(shopper: context.Shopper, *, error: str = "") -> str:
    db = get_session()
    return render_template(
        "shop/absence.html",
        absences=stand_ins.absences(db, actor=shopper.actor, now=utcnow()),
        candidates=stand_ins.candidates(db, actor=shopper.actor),
        form=request.form if request.method == "POST" else {},
        error=error,
    )


# The customer's reminder setting ------------------------------------------------------------------


@blueprint.post("/account/organisation/approval-reminders")
@requires(Permission.ACCOUNT_ORGANISATION_WRITE, in_punchout=False)
def reminder_setting(shopper: context.Shopper) -> Response | tuple[str, int]:
    """After how many working days a waiting order reminds its approvers (field
    `approval_reminder_days`, 0 to 30; 0: never)."""
    db = get_session()
    try:
        try:
            days = read_whole(request.form.get("approval_reminder_days", ""), digits=2)
        except NumberError:
            raise InvalidInput("not a whole number of days") from None
        approval_reminders.set_delay(db, actor=shopper.actor, days=days, now=utcnow())
    except InvalidInput:
        db.rollback()
        error = gettext(
            "Remind after 0 to %(days)s working days (0: never).",
            days=approval_reminders.MAX_REMINDER_DAYS,
        )
        return account._organisation_page(shopper, error=str(error)), 400
    return redirect(url_for("account.organisation"))
