"""`/api/v1/customers`: the customers a token reaches, and prospects it registers."""

from __future__ import annotations

from flask import current_app

from gateway.api.access import actor_with
from gateway.api.blueprint import blueprint
from gateway.api.idempotency import idempotent
from gateway.api.schemas import (
    AddressOut,
    CustomerList,
    CustomerOut,
    CustomerQuery,
    Problem,
    ProspectIn,
)
from gateway.api.spec import answers, spec
from gateway.auth.permissions import Permission
from gateway.db import utcnow
from gateway.models import Address, Organisation
from gateway.services.ordering.checkout import addresses_of
from gateway.services.people import customers
from gateway.web.database import get_session

TAGS = ("customers",)


def _out(organisation: Organisation, addresses: list[Address] | None = None) -> CustomerOut:
    """A customer as the API shows it; `addresses` when already read (a list's one query)."""
    if addresses is None:
        addresses = addresses_of(get_session(), [organisation.id])[organisation.id]
    return CustomerOut(
        number=organisation.number,
        name=organisation.name,
        status=organisation.status,
        active=organisation.active,
        coc_number=organisation.coc_number,
        vat_number=organisation.vat_number,
        currency=organisation.currency,
        payment_terms_days=organisation.payment_terms_days,
        created_at=organisation.created_at,
        addresses=[
            AddressOut(
                kind=address.kind,
                name=address.name,
                street=address.street,
                postcode=address.postcode,
                city=address.city,
                country=address.country,
                is_default=address.is_default,
            )
            for address in addresses
        ],
    )


@blueprint.get("/v1/customers", endpoint="customers")
@spec.validate(resp=answers(HTTP_200=CustomerList), tags=TAGS)
def list_customers(query: CustomerQuery) -> tuple[CustomerList, int]:
    """List customers

    The customers the token reaches (at most 100), optionally matching `q`. Needs
    `customers:read`.
    """
    session = get_session()
    found = customers.find_customers(
        session, actor=actor_with(Permission.API_CUSTOMERS_READ), query=query.q or ""
    )
    addresses = addresses_of(session, [organisation.id for organisation in found])
    return CustomerList(
        items=[_out(organisation, addresses[organisation.id]) for organisation in found]
    ), 200


@blueprint.get("/v1/customers/<number>", endpoint="customer")
@spec.validate(resp=answers(HTTP_200=CustomerOut, HTTP_404=Problem), tags=TAGS)
def get_customer(number: str) -> tuple[CustomerOut, int]:
    """Get a customer

    One customer by its number, with its addresses. Needs `customers:read`.
    """
    actor = actor_with(Permission.API_CUSTOMERS_READ)
    found = customers.customer(get_session(), actor=actor, number=number, now=utcnow())
    return _out(found), 200


@blueprint.post("/v1/customers", endpoint="create_prospect")
@idempotent
@spec.validate(resp=answers(HTTP_201=CustomerOut, HTTP_409=Problem), tags=TAGS)
def create_prospect(json: ProspectIn) -> tuple[CustomerOut, int]:
    """Register a prospect

    A new customer that cannot order yet, with its first contact, assigned to the token;
    staff activate it (and so invite the contact). An existing Chamber of Commerce or VAT
    number, or contact address, is a conflict (409). Needs `customers:write`.
    """
    created = customers.create_customer(
        get_session(),
        actor=actor_with(Permission.API_CUSTOMERS_WRITE),
        data=customers.CustomerData(
            name=json.name,
            coc_number=json.coc_number,
            vat_number=json.vat_number or "",
            street=json.street,
            postcode=json.postcode,
            city=json.city,
            country=json.country,
            contact_name=json.contact_name,
            contact_email=json.contact_email,
        ),
        now=utcnow(),
        allow_impersonation=current_app.config["GATEWAY_IMPERSONATION_DEFAULT"],
        invitation_ttl=current_app.config["GATEWAY_INVITATION_TTL"],
        mail_key=current_app.config["GATEWAY_MAIL_KEY"],
        prospect=True,
    )
    return _out(created), 201
