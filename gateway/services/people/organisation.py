"""The customer's own data, kept by its superuser: organisation details, the billing address,
the delivery addresses and whether staff may shop on its behalf (O-4: always the active
customer's, never another's).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth import scope
from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, foreign, require, require_in_person
from gateway.errors import InvalidInput
from gateway.models import Address, AddressKind, Organisation
from gateway.services import audit
from gateway.services.people.members import MAX_NAME_LENGTH


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganisationData:
    """The organisation fields a superuser may change, with the billing address."""

    name: str
    vat_number: str
    street: str
    postcode: str
    city: str
    country: str


def edit_organisation(
    session: Session, *, actor: Actor, data: OrganisationData, now: datetime
) -> Organisation:
    """Change the organisation's name, VAT number and billing address, with an audit row."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    if not data.name.strip():
        raise InvalidInput("The organisation needs a name.")
    if len(data.name) > MAX_NAME_LENGTH or len(data.vat_number) > 20:  # noqa: PLR2004
        raise InvalidInput("Name or VAT number too long.")
    _check_lengths({"street": data.street, "postcode": data.postcode, "city": data.city})
    organisation = session.get_one(Organisation, actor.organisation_id)
    billing = session.scalar(
        select(Address).where(
            Address.organisation_id == organisation.id, Address.kind == AddressKind.BILLING
        )
    )
    if billing is None:
        billing = Address(
            organisation_id=organisation.id,
            kind=AddressKind.BILLING,
            name=data.name,
            street="",
            postcode="",
            city="",
            is_default=True,
        )
        session.add(billing)
    changes: dict[str, list[str | None]] = {}
    for target, field, value in (
        (organisation, "name", data.name.strip()),
        (organisation, "vat_number", data.vat_number.strip() or None),
        (billing, "street", data.street.strip()),
        (billing, "postcode", data.postcode.strip()),
        (billing, "city", data.city.strip()),
        (billing, "country", data.country.strip().upper()[:2] or "NL"),
    ):
        if getattr(target, field) != value:
            changes[field] = [getattr(target, field), value]
            setattr(target, field, value)
    audit.record_change(
        session,
        actor=actor,
        action="organisation.edit",
        subject=organisation.number,
        changes=changes,
        now=now,
    )
    session.flush()
    return organisation


def set_staff_access(session: Session, *, actor: Actor, allow: bool, now: datetime) -> Organisation:
    """Allow or forbid the supplier's staff to shop on the customer's behalf (b2b-rules I-7);
    audited when the setting changes. Only the superuser in person gives or withdraws that
    consent, never staff shopping as the customer (I-6)."""
    require_in_person(actor)
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    organisation = session.get_one(Organisation, actor.organisation_id)
    if organisation.allow_impersonation != allow:
        audit.record_change(
            session,
            actor=actor,
            action="customer.staff_access",
            subject=organisation.number,
            changes={"allow_impersonation": [str(organisation.allow_impersonation), str(allow)]},
            now=now,
        )
        organisation.allow_impersonation = allow
    session.flush()
    return organisation


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressData:
    """A delivery address as the superuser enters it."""

    name: str
    street: str
    postcode: str
    city: str
    country: str


def delivery_addresses(session: Session, *, actor: Actor) -> list[Address]:
    """The active customer's delivery addresses, the default first."""
    return list(
        session.scalars(
            select(Address)
            .where(
                Address.organisation_id == actor.organisation_id,
                Address.kind == AddressKind.DELIVERY,
            )
            .order_by(Address.is_default.desc(), Address.id)
        )
    )


def save_delivery_address(
    session: Session, *, actor: Actor, address_id: int | None, data: AddressData, now: datetime
) -> Address:
    """Add (`address_id` None) or change a delivery address of the active customer, audited.
    Orders keep the copy they were placed with."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    values = {
        "name": data.name.strip(),
        "street": data.street.strip(),
        "postcode": data.postcode.strip(),
        "city": data.city.strip(),
        "country": data.country.strip().upper(),
    }
    if not all(values.values()):
        raise InvalidInput("Fill in name, street, postcode, city and country.")
    if len(values["country"]) != 2 or not values["country"].isalpha():  # noqa: PLR2004
        raise InvalidInput("The country is a two-letter code such as NL.")
    _check_lengths(values)
    if address_id is None:
        address = Address(
            organisation_id=actor.organisation_id, kind=AddressKind.DELIVERY, is_default=False
        )
        session.add(address)
        before: dict[str, str | None] = dict.fromkeys(values)
    else:
        address = scope.load(session, Address, address_id, actor=actor)
        if address.kind != AddressKind.DELIVERY:  # billing: edited with the organisation
            raise foreign(actor, "address", address_id)
        before = {field: getattr(address, field) for field in values}
    for field, value in values.items():
        setattr(address, field, value)
    session.flush()
    audit.record_change(
        session,
        actor=actor,
        action="address.create" if address_id is None else "address.edit",
        subject=f"address {address.id}",
        changes={f: [before[f], values[f]] for f in values if before[f] != values[f]},
        now=now,
    )
    session.flush()
    return address


def billing_address(session: Session, *, actor: Actor) -> Address | None:
    """The active customer's billing address."""
    return session.scalar(
        select(Address).where(
            Address.organisation_id == actor.organisation_id, Address.kind == AddressKind.BILLING
        )
    )


_ADDRESS_LIMITS = {"name": 200, "street": 200, "postcode": 16, "city": 100}  # the columns


def _check_lengths(values: Mapping[str, str]) -> None:
    """Refuse address text longer than its column holds (PostgreSQL would fail the write)."""
    for field, limit in _ADDRESS_LIMITS.items():
        if len(values.get(field, "").strip()) > limit:
            raise InvalidInput(
                "The %(field)s may be at most %(limit)s characters.", field=field, limit=limit
            )
