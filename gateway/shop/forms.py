"""The shop's form classes: posted text → the arguments or dataclass a service takes.

A form with typed fields (ids, amounts, dates) or one that fills a service's dataclass is
declared here, its fields named as the template's inputs. Every business rule stays in the
service: a form only reports text it cannot convert (`gateway.web.forms`).

The views read `request.form` themselves where a class would only add a layer: posts of one or
two fields (a SKU and quantity, whose reading is `carts.parse_quantity`'s rule; a comment or
reason; a yes/no; a locale; a login or password), the user and staff-account forms whose three
strings go straight to keyword arguments, and the take-over's `quantity_<line number>` fields,
named by line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

from gateway.models import BudgetPolicy
from gateway.services.ordering import checkout, guests
from gateway.services.people import customers, organisation, roles
from gateway.web.forms import (
    STRIP,
    AmountField,
    IdSetField,
    InputForm,
    IsoDateField,
    TextField,
    TextSetField,
    WholeNumberField,
)

CHOOSE_FROM_THE_LIST = "Choose from the list."


class BudgetArguments(TypedDict):
    """`budget_admin.save_budget`'s keyword arguments taken from the budget form."""

    user_id: int | None
    name: str
    max_order_amount: Decimal | None
    period_amount: Decimal | None
    period: str
    policy: str
    fiscal_start_month: int


class BudgetForm(InputForm):
    """A budget at /account/budgets: for a user (`user`; empty: the whole customer), its limits
    per order and per period (empty: none), the period, the policy and the fiscal start month."""

    user = WholeNumberField("Choose a user of this customer.")
    name = TextField()
    max_order_amount = AmountField()
    period_amount = AmountField()
    period = TextField()
    policy = TextField(default=BudgetPolicy.REQUIRE_APPROVAL)
    fiscal_start_month = WholeNumberField("The fiscal year must start in month 1 to 12.")

    def arguments(self) -> BudgetArguments:
        """The budget as `save_budget` takes it."""
        return BudgetArguments(
            user_id=self.user.data,
            name=self.name.data,
            max_order_amount=self.max_order_amount.data,
            period_amount=self.period_amount.data,
            period=self.period.data,
            policy=self.policy.data,
            fiscal_start_month=self.fiscal_start_month.data or 1,  # empty (or 0): January
        )


class RoleForm(InputForm):
    """A role at /account/roles[/<id>] (and a template at /admin/roles/<id>): its `name`, rights
    (`permission`, repeated permission strings), `min_order_value` and `max_order_value` (empty:
    none), `needs_approval` (a checkbox) and `approval_catalogs` (repeated catalog ids)."""

    name = TextField(filters=STRIP)
    permission = TextSetField()
    min_order_value = AmountField()
    max_order_value = AmountField()
    needs_approval = TextField()
    approval_catalogs = IdSetField(CHOOSE_FROM_THE_LIST)

    def role_data(self) -> roles.RoleData:
        """The role as `save_role` takes it."""
        return roles.RoleData(
            name=self.name.data,
            permissions=self.permission.data or frozenset(),
            min_order_value=self.min_order_value.data,
            max_order_value=self.max_order_value.data,
            needs_approval=bool(self.needs_approval.data),
            approval_catalog_ids=frozenset(self.approval_catalogs.data or ()),
        )


class CatalogsForm(InputForm):
    """The catalogs checked on a user's page (`catalog`, repeated catalog ids)."""

    catalog = IdSetField(CHOOSE_FROM_THE_LIST)


class SupervisorsForm(InputForm):
    """The colleagues checked as a user's supervisors (`supervisor`, repeated user ids)."""

    supervisor = IdSetField(CHOOSE_FROM_THE_LIST)


class OrganisationForm(InputForm):
    """The customer's name, VAT number and billing address at /account/organisation."""

    name = TextField()
    vat_number = TextField()
    street = TextField()
    postcode = TextField()
    city = TextField()
    country = TextField()

    def organisation_data(self) -> organisation.OrganisationData:
        """The organisation as `edit_organisation` takes it."""
        return organisation.OrganisationData(**self.data)


class DeliveryAddressForm(InputForm):
    """A delivery address at /account/addresses[/<id>]."""

    name = TextField()
    street = TextField()
    postcode = TextField()
    city = TextField()
    country = TextField()

    def address_data(self) -> organisation.AddressData:
        """The address as `save_delivery_address` takes it."""
        return organisation.AddressData(**self.data)


class NewCustomerForm(InputForm):
    """A new customer or prospect at /staff/customers or /staff/prospects: the organisation,
    its address and its first contact (who becomes its superuser)."""

    name = TextField()
    coc_number = TextField()
    vat_number = TextField()
    street = TextField()
    postcode = TextField()
    city = TextField()
    country = TextField(default="NL")
    contact_name = TextField()
    contact_email = TextField()

    def customer_data(self) -> customers.CustomerData:
        """The customer as `create_customer` takes it."""
        return customers.CustomerData(**self.data)


class GuestCheckoutForm(InputForm):
    """A guest's name, e-mail, delivery address and optional phone at /guest/checkout; the text
    is trimmed and the country code upper-cased, as the guest meant it."""

    name = TextField(filters=STRIP)
    email = TextField(filters=STRIP)
    street = TextField(filters=STRIP)
    postcode = TextField(filters=STRIP)
    city = TextField(filters=STRIP)
    country = TextField(default="NL", filters=(*STRIP, str.upper))
    phone = TextField(filters=STRIP)

    def details(self) -> guests.GuestDetails:
        """The details as `guests.validate` and `place_guest_order` take them."""
        return guests.GuestDetails(**self.data)


class CustomerCheckoutForm(InputForm):
    """A customer's checkout at /checkout: the delivery address (an id), PO reference,
    requested delivery date, comment and the digest of the cart the buyer saw."""

    # unreadable: no id, which the service refuses as an unknown address (404)
    delivery_address = WholeNumberField(checkout.NO_DELIVERY_ADDRESS)
    buyer_reference = TextField(filters=STRIP)
    requested_delivery_date = IsoDateField("Enter the date as YYYY-MM-DD.")
    comment = TextField(filters=STRIP)
    cart_digest = TextField()

    def checkout_form(self) -> checkout.CheckoutForm:
        """The buyer's choices as `place_order` takes them."""
        return checkout.CheckoutForm(
            delivery_address_id=self.delivery_address.data,
            buyer_reference=self.buyer_reference.data,
            requested_delivery_date=self.requested_delivery_date.data,
            comment=self.comment.data,
            cart_digest=self.cart_digest.data,
        )

    def checkout_problems(self) -> tuple[checkout.CheckoutProblem, ...]:
        """The fields whose text could not be read, shown beside the service's problems."""
        return tuple(
            checkout.CheckoutProblem(field=field, message=message)
            for field, message in self.problems().items()
        )
