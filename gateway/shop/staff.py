"""Staff pages under /staff: customers, shopping as a customer, prospects, staff accounts, audit.

Thin adapters over `gateway.services.people` (`customers`, `staff`, `impersonation`). While a staff
member shops as a customer the policy refuses every staff page but the end of that session
(b2b-rules I-6, audited by `gateway.web.access`), and the hook here audits every change made.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.auth.policy import can
from gateway.db import utcnow
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.punchout.settings import punchout_settings
from gateway.services import audit
from gateway.services.catalog import exports
from gateway.services.ordering import holds
from gateway.services.ordering.price_check import problems_of
from gateway.services.people import customers, impersonation, shop_sessions, staff
from gateway.services.people.organisation import set_staff_access
from gateway.shop import forms
from gateway.web import context, i18n
from gateway.web.access import in_person, requires
from gateway.web.database import get_session, keep_changes

blueprint = Blueprint("staff", __name__)

MAX_REASON = 500  # a rejection's reason, told to the buyer


@blueprint.after_app_request
def _audit_assisted_change(response: Response) -> Response:
    shopper = g.get("shopper")
    if (  # the cheap checks first: an error answer must not touch the database again
        request.method == "POST"
        and response.status_code < HTTPStatus.BAD_REQUEST
        and shopper is not None
        and shopper.actor.assisting
        and shopper.shop_session.ended_at is None
    ):
        impersonation.record_change(
            get_session(),
            shop_session=shopper.shop_session,
            what=f"{request.endpoint} {request.path}",
            client=context.client(),
            now=utcnow(),
        )
    return response


@blueprint.errorhandler(NotFound)
def _not_found(exc: NotFound) -> tuple[str, int]:
    keep_changes()  # a staff lookup outside their reach is audited (staff.denied)
    return render_template(
        "message.html", title=gettext("Not found"), message=i18n.error_text(exc)
    ), 404


@blueprint.get("/staff/customers", endpoint="customers")
@requires(Permission.STAFF_CUSTOMER_READ)
def customers_page(shopper: context.Shopper) -> str:
    """Find a customer by name, number or a user's e-mail address (field `q`)."""
    return _customers_page(shopper, query=request.args.get("q", ""))


def _customers_page(shopper: context.Shopper, *, query: str = "", error: str = "") -> str:
    """The search and its hits, and the new-customer form with what was posted (if anything)."""
    return render_template(
        "staff/customers.html",
        found=customers.find_customers(get_session(), actor=shopper.actor, query=query),
        q=query,
        form=request.form,
        error=error,
        actor=shopper.actor,
    )


@blueprint.get("/staff/customers/<number>")
@requires(Permission.STAFF_CUSTOMER_READ)
def customer(shopper: context.Shopper, number: str) -> str:
    """A customer as staff see it: prices, assortment, users, budgets, orders."""
    return _customer_page(shopper, number)


def _customer_page(shopper: context.Shopper, number: str, *, error: str = "") -> str:
    db = get_session()
    organisation = customers.customer(db, actor=shopper.actor, number=number)
    view = customers.customer_view(db, organisation=organisation, on=context.today())
    return render_template(
        "staff/customer.html",
        view=view,
        error=error,
        actor=shopper.actor,
        may_impersonate=can(shopper.actor, Permission.ASSIST_IMPERSONATE, organisation),
        is_staff=lambda user_id: staff.is_staff(db, user_id=user_id),
        problems=problems_of(db, (order.id for order in view.orders)),
        may_decide=can(shopper.actor, Permission.STAFF_ORDER_DECIDE, organisation),
        catalog_exports=exports.recent(db, organisation_id=organisation.id),
    )


@blueprint.post("/staff/customers/<number>/impersonate")
@requires(Permission.ASSIST_IMPERSONATE)
def impersonate(shopper: context.Shopper, number: str) -> Response | tuple[str, int]:
    """Shop as the customer: fields `on_behalf_of` (a user id; empty: the customer directly),
    `reason` (required) and `cart` (`saved` loads the user's saved cart; else a fresh one)."""
    db = get_session()
    config = current_app.config
    try:
        _, token = impersonation.start(
            db,
            actor=shopper.actor,
            staff_session=shopper.shop_session,
            number=number,
            on_behalf_of=request.form.get("on_behalf_of", ""),
            reason=request.form.get("reason", ""),
            saved_cart=request.form.get("cart") == "saved",
            client=context.client(),
            now=utcnow(),
            max_age_seconds=config["GATEWAY_IMPERSONATION_MAX_AGE"],
        )
    except InvalidInput as exc:
        return _customer_page(shopper, number, error=i18n.error_text(exc)), 400
    except PermissionDenied:
        keep_changes()  # the refusal's audit row
        raise
    context.begin(token)
    return redirect(url_for("shop.catalog"))


@blueprint.post("/staff/session/end")
def end_session() -> Response:
    """End shopping as a customer and return to the staff pages with a new staff session."""
    shopper = context.require_shopper()
    db = get_session()
    now = utcnow()
    user = impersonation.end(
        db, shop_session=shopper.shop_session, client=context.client(), now=now
    )
    number = shopper.organisation.number
    _, token = shop_sessions.open_session(
        db,
        user=user,
        organisation=impersonation.staff_home(db, user=user),
        now=now,
        ttl_seconds=current_app.config["GATEWAY_SHOP_SESSION_TTL"],
    )
    context.begin(token)
    return redirect(url_for("staff.customer", number=number))


@blueprint.post("/staff/customers")
@requires(Permission.STAFF_CUSTOMER_CREATE)
def create_customer(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Create an active customer with its first superuser, who is invited by e-mail."""
    return _new_customer(shopper, prospect=False)


@blueprint.post("/staff/prospects")
@requires(Permission.STAFF_CUSTOMER_REGISTER)
def register_prospect(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Register a prospect (a sales agent's own customer); it orders once activated."""
    return _new_customer(shopper, prospect=True)


def _new_customer(shopper: context.Shopper, *, prospect: bool) -> Response | tuple[str, int]:
    config = current_app.config
    try:
        organisation = customers.create_customer(
            get_session(),
            actor=shopper.actor,
            data=forms.NewCustomerForm.read(request.form).customer_data(),
            now=utcnow(),
            allow_impersonation=config["GATEWAY_IMPERSONATION_DEFAULT"],
            invitation_ttl=config["GATEWAY_INVITATION_TTL"],
            mail_key=config["GATEWAY_MAIL_KEY"],
            prospect=prospect,
        )
    except InvalidInput as exc:
        return _customers_page(shopper, error=i18n.error_text(exc)), 400
    return redirect(url_for("staff.customer", number=organisation.number))


@blueprint.post("/staff/customers/<number>/activate")
@requires(Permission.STAFF_CUSTOMER_REGISTER)
def activate(shopper: context.Shopper, number: str) -> Response | tuple[str, int]:
    """Activate a signed prospect: it may order, and its first superuser is invited."""
    try:
        organisation = customers.activate(
            get_session(),
            actor=shopper.actor,
            number=number,
            now=utcnow(),
            invitation_ttl=current_app.config["GATEWAY_INVITATION_TTL"],
            mail_key=current_app.config["GATEWAY_MAIL_KEY"],
        )
    except InvalidInput as exc:
        return _customer_page(shopper, number, error=i18n.error_text(exc)), 400
    return redirect(url_for("staff.customer", number=organisation.number))


@blueprint.post("/staff/customers/<number>/agents")
@requires(Permission.ADMIN_ASSIGNMENT_WRITE)
def assign_agent(shopper: context.Shopper, number: str) -> Response | tuple[str, int]:
    """Make the customer one of a sales agent's own customers (field `agent`: an e-mail)."""
    try:
        customers.assign(
            get_session(),
            actor=shopper.actor,
            agent_email=request.form.get("agent", ""),
            number=number,
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _customer_page(shopper, number, error=i18n.error_text(exc)), 400
    return redirect(url_for("staff.customer", number=number))


@blueprint.route("/staff/accounts", methods=["GET", "POST"])
@requires(Permission.ADMIN_STAFF_WRITE)
def accounts(shopper: context.Shopper) -> Response | str | tuple[str, int]:
    """Staff accounts and their roles; post `email`, `name`, `role` to add one or change a role."""
    db = get_session()
    error = ""
    if request.method == "POST":
        try:
            staff.save_staff(
                db,
                actor=shopper.actor,
                email=request.form.get("email", ""),
                name=request.form.get("name", ""),
                role_name=request.form.get("role", ""),
                now=utcnow(),
                invitation_ttl=current_app.config["GATEWAY_INVITATION_TTL"],
                mail_key=current_app.config["GATEWAY_MAIL_KEY"],
            )
        except InvalidInput as exc:
            error = i18n.error_text(exc)
        else:
            return redirect(url_for("staff.accounts"))
    page = render_template(
        "staff/accounts.html",
        members=staff.staff_members(db, actor=shopper.actor),
        roles=staff.internal_roles(db),
        error=error,
    )
    return (page, 400) if error else page


@blueprint.get("/staff/audit", endpoint="audit")
@requires(Permission.ADMIN_AUDIT_READ)
def audit_page(shopper: context.Shopper) -> str:
    """The audit log, newest first; filter by `action` (prefix), `customer`, `actor` (e-mail)."""
    where = audit.AuditFilter(
        action=request.args.get("action", "").strip(),
        customer=request.args.get("customer", "").strip(),
        actor_email=request.args.get("actor", "").strip(),
    )
    rows = audit.audit_log(get_session(), actor=shopper.actor, where=where)
    return render_template("staff/audit.html", rows=rows, where=where)


@blueprint.post("/account/staff-access")
@in_person
@requires(Permission.ACCOUNT_ORGANISATION_WRITE)
def staff_access(shopper: context.Shopper) -> Response:
    """A customer's superuser allows (`allow=yes`) or forbids staff to shop on its behalf."""
    set_staff_access(
        get_session(), actor=shopper.actor, allow=request.form.get("allow") == "yes", now=utcnow()
    )
    return redirect(url_for("account.organisation"))


@blueprint.post("/staff/customers/<number>/orders/<int:order_id>/release")
@requires(Permission.STAFF_ORDER_DECIDE)
def release_order(
    shopper: context.Shopper, number: str, order_id: int
) -> Response | tuple[str, int]:
    """Release an order on hold: its problems are accepted, it becomes a received order."""
    return _decide(
        shopper,
        number,
        lambda: holds.release(
            get_session(),
            actor=shopper.actor,
            reference=str(order_id),
            now=utcnow(),
            client=context.client(),
        ),
    )


@blueprint.post("/staff/customers/<number>/orders/<int:order_id>/reject")
@requires(Permission.STAFF_ORDER_DECIDE)
def reject_order(
    shopper: context.Shopper, number: str, order_id: int
) -> Response | tuple[str, int]:
    """Reject an order on hold (field `reason`, required: it goes to the buyer)."""
    return _decide(
        shopper,
        number,
        lambda: holds.reject(
            get_session(),
            actor=shopper.actor,
            reference=str(order_id),
            reason=request.form.get("reason", "")[:MAX_REASON],
            settings=punchout_settings(current_app.config),
            now=utcnow(),
            client=context.client(),
        ),
    )


def _decide(
    shopper: context.Shopper, number: str, decision: Callable[[], object]
) -> Response | tuple[str, int]:
    """Run a decision on a held order: back to the customer page, or the page again with the
    reason it was refused."""
    try:
        decision()
    except InvalidInput as exc:
        return _customer_page(shopper, number, error=i18n.error_text(exc)), 400
    return redirect(url_for("staff.customer", number=number))
