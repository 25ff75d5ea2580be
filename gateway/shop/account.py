"""Self-service under /account for the active customer: budgets, users, organisation data.

Thin adapters over `gateway.services.people` (members, organisation, invitations) and
`gateway.services.purchasing` (budgets, approval tiers). Each view reads only the form fields it
names (an allow-list: posted `is_admin`, `organisation_id` or `budget_limit` are never read), and
the services look every object up within the session's active customer (O-4, O-5).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_babel import get_locale, gettext
from werkzeug.wrappers import Response

from gateway.auth.permissions import Permission
from gateway.auth.policy import can, require
from gateway.db import utcnow
from gateway.errors import InvalidInput, PermissionDenied
from gateway.models import Budget, BudgetPeriod, BudgetPolicy
from gateway.services import audit
from gateway.services.people import invitations, members, organisation, roles
from gateway.services.people import users as people
from gateway.services.punchout import connections
from gateway.services.purchasing import approval_tiers, budget_admin, budget_history, budgets
from gateway.shop import forms, password_links
from gateway.web import context, i18n
from gateway.web.access import NOT_IN_A_PUNCHOUT, in_person, requires
from gateway.web.database import get_session

blueprint = Blueprint("account", __name__)


# Budgets ----------------------------------------------------------------------------------------


@blueprint.get("/account/budgets")
def budgets_page() -> str:
    """The user's budgets as bars; a superuser sees (and manages) every budget of the customer."""
    return _budgets_page(context.require_shopper())


@blueprint.post("/account/budgets")
@requires(Permission.ACCOUNT_BUDGET_WRITE, in_punchout=False)
def create_budget(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Create a budget (fields below, `user`: a user id or empty for the whole customer)."""
    return _save_budget(shopper, None)


@blueprint.post("/account/budgets/<int:budget_id>")
@requires(Permission.ACCOUNT_BUDGET_WRITE, in_punchout=False)
def edit_budget(shopper: context.Shopper, budget_id: int) -> Response | tuple[str, int]:
    """Change a budget of the active customer."""
    return _save_budget(shopper, budget_id)


def _save_budget(shopper: context.Shopper, budget_id: int | None) -> Response | tuple[str, int]:
    try:
        budget_admin.save_budget(
            get_session(),
            actor=shopper.actor,
            budget_id=budget_id,
            **forms.BudgetForm.read(request.form).arguments(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _budgets_page(shopper, error=i18n.error_text(exc), error_budget=budget_id), 400
    return redirect(url_for("account.budgets_page"))


def _budgets_page(
    shopper: context.Shopper, *, error: str = "", error_budget: int | None = None
) -> str:
    require(shopper.actor, Permission.BUDGET_READ)
    db = get_session()
    manage = can(shopper.actor, Permission.ACCOUNT_BUDGET_WRITE)
    shown: list[Budget] = (
        budgets.of_customer(db, organisation_id=shopper.organisation.id)
        if manage
        else budgets.applicable(
            db, organisation_id=shopper.organisation.id, user_id=shopper.user.id
        )
    )
    zone = current_app.config["GATEWAY_TIMEZONE"]
    now = utcnow()
    return render_template(
        "shop/budgets.html",
        states=[budgets.state(db, budget=budget, now=now, zone=zone) for budget in shown],
        histories={  # the chart of the last periods, for budgets that have a period amount
            budget.id: budget_history.history(db, budget=budget, now=now, zone=zone)
            if budget.period_amount
            else None
            for budget in shown
        },
        manage=manage,
        members=members.members(db, actor=shopper.actor)
        if can(shopper.actor, Permission.ACCOUNT_USER_WRITE)
        else [],
        periods=list(BudgetPeriod),
        policies=list(BudgetPolicy),
        error=error,
        error_budget=error_budget,
    )


# Users ------------------------------------------------------------------------------------------


@blueprint.get("/account/users")
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def users(shopper: context.Shopper) -> str:
    """The customer's users, and the form to invite one (`email`, `name`, `role`)."""
    return _users_page(shopper)


@blueprint.post("/account/users")
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def invite_user(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Invite a person with a role: they are mailed, and become a user when they accept (a new
    address by choosing a password through a single-use link). The answer is the same for every
    address but staff's and the customer's own users'."""
    try:
        members.invite(
            get_session(),
            actor=shopper.actor,
            email=request.form.get("email", ""),
            name=request.form.get("name", ""),
            role_name=request.form.get("role", ""),
            now=utcnow(),
            ttl_seconds=current_app.config["GATEWAY_INVITATION_TTL"],
            mail_key=current_app.config["GATEWAY_MAIL_KEY"],
            locale=str(get_locale()),
        )
    except InvalidInput as exc:
        return _users_page(shopper, error=_refusal(exc)), 400
    return redirect(url_for("account.users", sent=1))


@blueprint.get("/account/users/<int:user_id>")
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def user_page(shopper: context.Shopper, user_id: int) -> str:
    """One user: their role, catalogs, supervisors, (de)activation."""
    return _user_page(shopper, user_id)


@blueprint.post("/account/users/<int:user_id>")
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def edit_user(shopper: context.Shopper, user_id: int) -> Response | tuple[str, int]:
    """Change the user's `role`; a posted `name`, `email` or `password` is refused (theirs)."""
    return _change_user(
        shopper,
        user_id,
        lambda: members.edit_member(
            get_session(),
            actor=shopper.actor,
            user_id=user_id,
            role_name=request.form.get("role", ""),
            now=utcnow(),
            personal={field: request.form.get(field, "") for field in members.PERSONAL_FIELDS},
        ),
    )


@blueprint.post("/account/users/<int:user_id>/catalogs")
@requires(Permission.ACCOUNT_CATALOG_ASSIGN, in_punchout=False)
def user_catalogs(shopper: context.Shopper, user_id: int) -> Response | tuple[str, int]:
    """Narrow the user's assortment to the checked catalogs (field `catalog`, repeated)."""
    return _change_user(
        shopper,
        user_id,
        lambda: members.set_catalogs(
            get_session(),
            actor=shopper.actor,
            user_id=user_id,
            catalog_ids=forms.CatalogsForm.read(request.form).catalog.data,
            now=utcnow(),
        ),
    )


@blueprint.post("/account/users/<int:user_id>/supervisors")
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def user_supervisors(shopper: context.Shopper, user_id: int) -> Response | tuple[str, int]:
    """Choose who approves this user's orders (field `supervisor`, repeated user ids)."""
    return _change_user(
        shopper,
        user_id,
        lambda: members.set_supervisors(
            get_session(),
            actor=shopper.actor,
            user_id=user_id,
            supervisor_ids=forms.SupervisorsForm.read(request.form).supervisor.data,
            now=utcnow(),
        ),
    )


@blueprint.post("/account/users/<int:user_id>/deactivate")
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def deactivate_user(shopper: context.Shopper, user_id: int) -> Response | tuple[str, int]:
    """Deactivate the user for this customer only."""
    return _change_user(
        shopper,
        user_id,
        lambda: members.set_active(
            get_session(), actor=shopper.actor, user_id=user_id, active=False, now=utcnow()
        ),
    )


@blueprint.post("/account/users/<int:user_id>/reactivate")
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def reactivate_user(shopper: context.Shopper, user_id: int) -> Response | tuple[str, int]:
    """Reactivate the user for this customer."""
    return _change_user(
        shopper,
        user_id,
        lambda: members.set_active(
            get_session(), actor=shopper.actor, user_id=user_id, active=True, now=utcnow()
        ),
    )


def _change_user(
    shopper: context.Shopper, user_id: int, change: Callable[[], object]
) -> Response | tuple[str, int]:
    """Make a change on the user's page: back to the page, or the page with the refusal (400)."""
    try:
        change()
    except InvalidInput as exc:
        return _user_page(shopper, user_id, error=_refusal(exc)), 400
    return redirect(url_for("account.user_page", user_id=user_id))


def _refusal(exc: InvalidInput) -> str:
    """A service's refusal in the user's language, where the shop has it translated."""
    message = i18n.error_text(exc)
    translated = {
        invitations.STAFF_NOT_INVITED: gettext("Staff accounts cannot be invited to a customer."),
        invitations.NOT_PENDING: gettext("This invitation was already answered or has expired."),
        members.PERSONAL_DATA_REFUSED: gettext(
            "A person's name, e-mail address and password are theirs to change; here you change "
            "their role, catalogs, supervisors and access at this customer."
        ),
    }
    return str(translated.get(message, message))


def _users_page(shopper: context.Shopper, *, error: str = "") -> str:
    db = get_session()
    return render_template(
        "account/users.html",
        members=members.members(db, actor=shopper.actor),
        roles=members.assignable_roles(db, actor=shopper.actor),
        invitations=members.sent_invitations(db, actor=shopper.actor),
        now=utcnow(),
        sent=request.method == "GET" and "sent" in request.args,
        error=error,
        form=request.form if request.method == "POST" else {},
    )


def _user_page(shopper: context.Shopper, user_id: int, *, error: str = "") -> str:
    db = get_session()
    link = members.member(db, actor=shopper.actor, user_id=user_id)
    return render_template(
        "account/user.html",
        link=link,
        roles=members.assignable_roles(db, actor=shopper.actor),
        catalogs=members.customer_catalogs(db, actor=shopper.actor),
        chosen=members.user_catalogs(db, link=link),
        colleagues=[m for m in members.members(db, actor=shopper.actor) if m.user_id != user_id],
        supervisors=members.supervisors_of(db, actor=shopper.actor, user_id=user_id),
        error=error,
    )


# Roles ------------------------------------------------------------------------------------------


@blueprint.get("/account/roles")
@requires(Permission.ACCOUNT_ROLE_WRITE, in_punchout=False)
def roles_page(shopper: context.Shopper) -> str:
    """The customer's own roles with their holders, and the form for a new one."""
    return _roles_page(shopper)


@blueprint.post("/account/roles")
@requires(Permission.ACCOUNT_ROLE_WRITE, in_punchout=False)
def create_role(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Create a role (fields `name`, `permission`, `min_order_value`, `max_order_value`,
    `needs_approval`, `approval_catalogs`)."""
    try:
        role = roles.save_role(
            get_session(),
            actor=shopper.actor,
            role_id=None,
            data=forms.RoleForm.read(request.form).role_data(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _roles_page(shopper, error=_role_refusal(exc)), 400
    return redirect(url_for("account.role_page", role_id=role.id, saved=1))


@blueprint.get("/account/roles/<int:role_id>")
@requires(Permission.ACCOUNT_ROLE_WRITE, in_punchout=False)
def role_page(shopper: context.Shopper, role_id: int) -> str:
    """One of the customer's roles to change (another customer's role is 404)."""
    return _role_page(shopper, role_id)


@blueprint.post("/account/roles/<int:role_id>")
@requires(Permission.ACCOUNT_ROLE_WRITE, in_punchout=False)
def edit_role(shopper: context.Shopper, role_id: int) -> Response | tuple[str, int]:
    """Change a role: every holder has the change at their next request."""
    try:
        roles.save_role(
            get_session(),
            actor=shopper.actor,
            role_id=role_id,
            data=forms.RoleForm.read(request.form).role_data(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _role_page(shopper, role_id, error=_role_refusal(exc)), 400
    return redirect(url_for("account.role_page", role_id=role_id, saved=1))


@blueprint.post("/account/roles/<int:role_id>/delete")
@requires(Permission.ACCOUNT_ROLE_WRITE, in_punchout=False)
def delete_role(shopper: context.Shopper, role_id: int) -> Response | tuple[str, int]:
    """Delete a role nobody holds."""
    try:
        roles.delete_role(get_session(), actor=shopper.actor, role_id=role_id, now=utcnow())
    except InvalidInput as exc:
        return _role_page(shopper, role_id, error=_role_refusal(exc)), 400
    return redirect(url_for("account.roles_page"))


def _role_refusal(exc: InvalidInput) -> str:
    message = str(exc)
    if message == roles.LOCKOUT_REFUSED:
        return str(
            gettext(
                "You hold this role yourself: keep the rights to manage users and roles, or ask "
                "another superuser."
            )
        )
    return message


def _roles_page(shopper: context.Shopper, *, error: str = "") -> str:
    db = get_session()
    return render_template(
        "account/roles.html",
        rows=roles.customer_roles(db, actor=shopper.actor),
        rights=roles.CUSTOMER_RIGHTS,
        catalogs=members.customer_catalogs(db, actor=shopper.actor),
        form=request.form if request.method == "POST" else None,
        error=error,
    )


def _role_page(shopper: context.Shopper, role_id: int, *, error: str = "") -> str:
    db = get_session()
    role = roles.customer_role_by_id(db, actor=shopper.actor, role_id=role_id)
    holders = next(
        row.holders
        for row in roles.customer_roles(db, actor=shopper.actor)
        if row.role.id == role.id
    )
    return render_template(
        "account/role.html",
        role=role,
        holders=holders,
        rights=roles.CUSTOMER_RIGHTS,
        catalogs=members.customer_catalogs(db, actor=shopper.actor),
        form=request.form if request.method == "POST" else None,
        saved=request.method == "GET" and "saved" in request.args,
        error=error,
    )


# Organisation -----------------------------------------------------------------------------------


@blueprint.route("/account/organisation", methods=["GET", "POST"], endpoint="organisation")
@requires(Permission.ACCOUNT_ORGANISATION_WRITE, in_punchout=False)
def organisation_page(shopper: context.Shopper) -> Response | str | tuple[str, int]:
    """The organisation's name, VAT number and billing address; every change is audited."""
    if request.method == "GET":
        return _organisation_page(shopper)
    try:
        organisation.edit_organisation(
            get_session(),
            actor=shopper.actor,
            data=forms.OrganisationForm.read(request.form).organisation_data(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _organisation_page(shopper, error=i18n.error_text(exc)), 400
    return redirect(url_for("account.organisation"))


@blueprint.post("/account/addresses")
@requires(Permission.ACCOUNT_ORGANISATION_WRITE, in_punchout=False)
def add_address(shopper: context.Shopper) -> Response | tuple[str, int]:
    """Add a delivery address (fields `name`, `street`, `postcode`, `city`, `country`)."""
    return _save_address(shopper, None)


@blueprint.post("/account/addresses/<int:address_id>")
@requires(Permission.ACCOUNT_ORGANISATION_WRITE, in_punchout=False)
def edit_address(shopper: context.Shopper, address_id: int) -> Response | tuple[str, int]:
    """Change a delivery address of the active customer."""
    return _save_address(shopper, address_id)


def _save_address(shopper: context.Shopper, address_id: int | None) -> Response | tuple[str, int]:
    try:
        organisation.save_delivery_address(
            get_session(),
            actor=shopper.actor,
            address_id=address_id,
            data=forms.DeliveryAddressForm.read(request.form).address_data(),
            now=utcnow(),
        )
    except InvalidInput as exc:
        return _organisation_page(shopper, error=i18n.error_text(exc)), 400
    return redirect(url_for("account.organisation"))


def _organisation_page(shopper: context.Shopper, *, error: str = "") -> str:
    db = get_session()
    return render_template(
        "account/organisation.html",
        organisation=shopper.organisation,
        billing=organisation.billing_address(db, actor=shopper.actor),
        addresses=organisation.delivery_addresses(db, actor=shopper.actor),
        trail=audit.audit_trail(db, actor=shopper.actor),
        error=error,
    )


# Punchout connections ---------------------------------------------------------------------------


@blueprint.get("/account/punchout")
@requires(Permission.ACCOUNT_ORGANISATION_WRITE, in_punchout=False)
def punchout_connections(shopper: context.Shopper) -> str:
    """The customer's punchout connections and, per partner, whether it may act as the
    customer's own shop accounts."""
    return render_template(
        "account/punchout.html",
        connections=connections.connections(get_session(), actor=shopper.actor),
    )


@blueprint.post("/account/punchout/<int:partner_id>")
@in_person
@requires(Permission.ACCOUNT_ORGANISATION_WRITE, in_punchout=False)
def punchout_matching(shopper: context.Shopper, partner_id: int) -> Response:
    """Switch matching of shop accounts by e-mail on (`match_shop_accounts=yes`) or off."""
    connections.set_shop_account_matching(
        get_session(),
        actor=shopper.actor,
        partner_id=partner_id,
        match=request.form.get("match_shop_accounts") == "yes",
        now=utcnow(),
    )
    return redirect(url_for("account.punchout_connections"))


# Invitations ------------------------------------------------------------------------------------


@blueprint.route("/invitation/<token>", methods=["GET", "POST"])
@in_person
def invitation(token: str) -> Response | str | tuple[str, int]:
    """Choose a password through an invitation (fields `password`, `password_confirm`)."""
    return password_links.choose_password(
        token=token,
        template="account/invitation.html",
        check=invitations.check,
        accept=invitations.accept,
    )


@blueprint.get("/account/invitations")
@in_person
def invitations_page() -> str:
    """The invitations to other customers the logged-in user may accept or refuse."""
    shopper = _in_own_shop()
    return render_template(
        "account/invitations.html",
        invitations=invitations.pending(get_session(), user_id=shopper.user.id, now=utcnow()),
        answered=request.args.get("answered", ""),
    )


@blueprint.post("/account/invitations/<int:invitation_id>/accept")
@in_person
def accept_invitation(invitation_id: int) -> Response | tuple[str, int]:
    """Accept an invitation: a user of that customer with the offered role, to switch to."""
    return _answer(invitation_id, invitations.accept_pending, "accepted")


@blueprint.post("/account/invitations/<int:invitation_id>/refuse")
@in_person
def refuse_invitation(invitation_id: int) -> Response | tuple[str, int]:
    """Refuse an invitation: the account stays as it was."""
    return _answer(invitation_id, invitations.refuse, "refused")


def _answer(
    invitation_id: int, decide: Callable[..., None], answered: str
) -> Response | tuple[str, int]:
    shopper = _in_own_shop()
    db = get_session()
    now = utcnow()
    try:
        decide(db, actor=shopper.actor, invitation_id=invitation_id, now=now)
    except InvalidInput as exc:
        page = render_template(
            "account/invitations.html",
            invitations=invitations.pending(db, user_id=shopper.user.id, now=now),
            answered="",
            error=_refusal(exc),
        )
        return page, 400
    return redirect(url_for("account.invitations_page", answered=answered))


def _in_own_shop() -> context.Shopper:
    """The logged-in user outside a punchout (a punchout session joins no customer)."""
    shopper = context.require_shopper()
    if shopper.punchout is not None:
        raise PermissionDenied(NOT_IN_A_PUNCHOUT)
    return shopper


# Approval tiers ---------------------------------------------------------------------------------


@blueprint.route("/account/approval-tiers", methods=["GET", "POST"])
@requires(Permission.ACCOUNT_USER_WRITE, in_punchout=False)
def approval_tiers_page(shopper: context.Shopper) -> Response | str | tuple[str, int]:
    """The customer's approval chain as text (field `tiers`): one tier a line, groups joined by
    AND, members by OR; empty restores the default (A-4)."""
    db = get_session()
    error, text = "", None
    if request.method == "POST":
        text = request.form.get("tiers", "")
        try:
            approval_tiers.define(db, actor=shopper.actor, tiers=approval_tiers.parse(text))
        except InvalidInput as exc:
            db.rollback()
            error = i18n.error_text(exc)
        else:
            return redirect(url_for("account.approval_tiers_page"))
    current = approval_tiers.chain(db, organisation_id=shopper.organisation.id)
    page = render_template(
        "account/approval_tiers.html",
        tiers=current,
        text=approval_tiers.describe(current) if text is None else text,
        error=error,
    )
    return (page, 400) if error else page


# The person's own settings --------------------------------------------------------------------


@blueprint.route("/account/settings", methods=["GET", "POST"])
@in_person
def settings_page() -> Response | str | tuple[str, int]:
    """Your own display name, language and time zone (fields `name`, `locale`, `time_zone`).
    Not in a punchout (the buyer's system speaks for that user) and never by staff acting as you.
    """
    shopper = context.require_shopper()
    if shopper.punchout is not None:
        raise PermissionDenied(NOT_IN_A_PUNCHOUT)
    user = shopper.user
    if request.method == "GET":
        return render_template("account/settings.html", user=user, zones=i18n.time_zones())
    try:
        people.save_settings(
            user,
            name=request.form.get("name", ""),
            locale=request.form.get("locale", ""),
            time_zone=request.form.get("time_zone", ""),
        )
    except InvalidInput as exc:
        page = render_template(
            "account/settings.html", user=user, zones=i18n.time_zones(), error=i18n.error_text(exc)
        )
        return page, 400
    session.pop(i18n.SESSION_KEY, None)
    return redirect(url_for("account.settings_page", saved=1))
