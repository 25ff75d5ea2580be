"""The shop's form classes: posted text → the service's arguments or dataclass."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from werkzeug.datastructures import MultiDict

from gateway.errors import InvalidInput
from gateway.services.ordering import checkout, guests
from gateway.services.people import customers, organisation
from gateway.shop import forms

BUDGET = {
    "user": "12",
    "name": "Quarterly",
    "max_order_amount": "",
    "period_amount": "1250,50",
    "period": "quarter",
    "policy": "block",
    "fiscal_start_month": "4",
}


def test_a_budget_becomes_save_budgets_arguments() -> None:
    assert forms.BudgetForm.read(MultiDict(BUDGET)).arguments() == {
        "user_id": 12,
        "name": "Quarterly",
        "max_order_amount": None,
        "period_amount": Decimal("1250.50"),
        "period": "quarter",
        "policy": "block",
        "fiscal_start_month": 4,
    }


def test_empty_budget_fields_mean_the_whole_customer_no_limit_and_january() -> None:
    empty = dict.fromkeys(BUDGET, "")
    arguments = forms.BudgetForm.read(MultiDict(empty)).arguments()
    assert (arguments["user_id"], arguments["max_order_amount"]) == (None, None)
    assert (arguments["period_amount"], arguments["fiscal_start_month"]) == (None, 1)
    assert arguments["policy"] == ""  # posted empty: the service refuses it


def test_an_absent_policy_requires_approval() -> None:
    assert forms.BudgetForm.read(MultiDict({"period": "month"})).arguments()["policy"] == (
        "require_approval"
    )


def test_budget_amounts_take_a_point_too() -> None:
    form = forms.BudgetForm.read(MultiDict({**BUDGET, "max_order_amount": "99.95"}))
    assert form.arguments()["max_order_amount"] == Decimal("99.95")


def test_the_service_judges_what_the_form_could_read() -> None:
    odd = {**BUDGET, "period_amount": "-5", "period": "fortnight", "fiscal_start_month": "13"}
    arguments = forms.BudgetForm.read(MultiDict(odd)).arguments()
    assert (arguments["period_amount"], arguments["period"]) == (Decimal(-5), "fortnight")
    assert arguments["fiscal_start_month"] == 13


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"user": "other"}, "Choose a user of this customer."),
        ({"max_order_amount": "ten"}, "'ten' is not an amount."),
        ({"period_amount": "1.000,00"}, "'1.000,00' is not an amount."),
        ({"fiscal_start_month": "April"}, "The fiscal year must start in month 1 to 12."),
        ({"user": "x", "period_amount": "y"}, "Choose a user of this customer."),
    ],
)
def test_unreadable_budget_fields_are_refused(changes: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        forms.BudgetForm.read(MultiDict({**BUDGET, **changes}))
    assert str(refused.value) == message


def test_checked_catalogs_and_supervisors_are_sets_of_ids() -> None:
    catalogs = MultiDict([("catalog", "4"), ("catalog", "9")])
    assert forms.CatalogsForm.read(catalogs).catalog.data == {4, 9}
    assert forms.SupervisorsForm.read(MultiDict()).supervisor.data == set()
    with pytest.raises(InvalidInput, match=r"^Choose from the list\.$"):
        forms.SupervisorsForm.read(MultiDict({"supervisor": "boss"}))


ADDRESS = {"street": "Havenweg 3", "postcode": "3500 CC", "city": "Utrecht", "country": "nl"}


def test_the_organisation_form_fills_organisation_data_as_posted() -> None:
    posted = {"name": " Acme ", "vat_number": "NL001234567B02", **ADDRESS, "number": "9999"}
    assert forms.OrganisationForm.read(MultiDict(posted)).organisation_data() == (
        organisation.OrganisationData(
            name=" Acme ",
            vat_number="NL001234567B02",
            street="Havenweg 3",
            postcode="3500 CC",
            city="Utrecht",
            country="nl",
        )
    )


def test_a_delivery_address_reads_only_its_fields_and_absent_ones_are_empty() -> None:
    posted = {"name": "Depot", **ADDRESS, "organisation_id": "2"}
    assert forms.DeliveryAddressForm.read(MultiDict(posted)).address_data() == (
        organisation.AddressData(name="Depot", **ADDRESS)
    )
    assert forms.DeliveryAddressForm.read(MultiDict()).address_data() == (
        organisation.AddressData(name="", street="", postcode="", city="", country="")
    )


def test_a_new_customer_fills_customer_data_and_defaults_to_the_netherlands() -> None:
    posted = {"name": "Initech", "coc_number": "12345678", "contact_email": "Pat@Initech.test"}
    assert forms.NewCustomerForm.read(MultiDict(posted)).customer_data() == customers.CustomerData(
        name="Initech",
        coc_number="12345678",
        vat_number="",
        street="",
        postcode="",
        city="",
        country="NL",
        contact_name="",
        contact_email="Pat@Initech.test",
    )
    blank_country = forms.NewCustomerForm.read(MultiDict({"country": ""}))
    assert blank_country.customer_data().country == ""  # posted empty: the service decides


def test_a_guests_details_are_trimmed_and_the_country_upper_cased() -> None:
    posted = {
        "name": " Gina Guest ",
        "email": "gina@example.test ",
        "street": " Dorpsstraat 1",
        "postcode": "1234 AB ",
        "city": " Utrecht ",
        "country": " be ",
        "phone": " +31 6 1234 5678 ",
    }
    assert forms.GuestCheckoutForm.read(MultiDict(posted)).details() == guests.GuestDetails(
        name="Gina Guest",
        email="gina@example.test",
        street="Dorpsstraat 1",
        postcode="1234 AB",
        city="Utrecht",
        country="BE",
        phone="+31 6 1234 5678",
    )


def test_a_blank_guest_form_is_empty_delivering_to_the_netherlands() -> None:
    details = forms.GuestCheckoutForm.read(MultiDict()).details()
    assert details == guests.GuestDetails(name="", email="", street="", postcode="", city="")
    assert (details.country, details.phone) == ("NL", "")
    assert forms.GuestCheckoutForm.read(MultiDict({"country": ""})).details().country == ""


CHECKOUT = {
    "delivery_address": "7",
    "buyer_reference": " PO-1 ",
    "requested_delivery_date": "2026-12-01",
    "comment": " Back door ",
    "cart_digest": "abc123",
}


def test_a_customer_checkout_becomes_the_services_checkout_form() -> None:
    posted = forms.CustomerCheckoutForm(MultiDict(CHECKOUT))
    assert posted.checkout_form() == checkout.CheckoutForm(
        delivery_address_id=7,
        buyer_reference="PO-1",
        requested_delivery_date=date(2026, 12, 1),
        comment="Back door",
        cart_digest="abc123",
    )
    assert posted.checkout_problems() == ()


def test_an_empty_date_is_no_wish_and_an_unreadable_one_a_problem_beside_the_field() -> None:
    empty = forms.CustomerCheckoutForm(MultiDict({**CHECKOUT, "requested_delivery_date": " "}))
    assert empty.checkout_form().requested_delivery_date is None
    assert empty.checkout_problems() == ()
    odd = forms.CustomerCheckoutForm(MultiDict({**CHECKOUT, "requested_delivery_date": "1-2-27"}))
    assert odd.checkout_form().requested_delivery_date is None
    assert odd.checkout_problems() == (
        checkout.CheckoutProblem(
            field="requested_delivery_date", message="Enter the date as YYYY-MM-DD."
        ),
    )


@pytest.mark.parametrize("address", ["abc", "", "-1"])
def test_an_unreadable_delivery_address_is_none_for_the_service_to_refuse(address: str) -> None:
    posted = forms.CustomerCheckoutForm(MultiDict({**CHECKOUT, "delivery_address": address}))
    assert posted.checkout_form().delivery_address_id is None
