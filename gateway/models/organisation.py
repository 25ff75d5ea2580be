"""Customer organisations."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, true
from sqlalchemy.orm import Mapped, mapped_column

from gateway.db import Base, UTCDateTime, utcnow


class OrganisationStatus(StrEnum):
    """Whether a customer may order (`Organisation.status`)."""

    ACTIVE = "active"
    PROSPECT = "prospect"  # registered by a sales agent; cannot order until activated


class AddressKind(StrEnum):
    """What an address is for (`Address.kind`)."""

    BILLING = "billing"  # one per customer
    DELIVERY = "delivery"


class Organisation(Base):
    """A customer: the account a buyer's punchout and a shop session act for."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    price_list_id: Mapped[int | None] = mapped_column(ForeignKey("price_list.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    coc_number: Mapped[str | None] = mapped_column(String(20))  # Chamber of Commerce (KvK)
    vat_number: Mapped[str | None] = mapped_column(String(20))
    payment_terms_days: Mapped[int] = mapped_column(default=30, server_default="30")
    # Staff (issue 5): the customer may forbid staff to shop on its behalf (I-7); a prospect a
    # sales agent registered cannot order until it is activated.
    allow_impersonation: Mapped[bool] = mapped_column(default=True, server_default=true())
    status: Mapped[str] = mapped_column(
        String(16), default=OrganisationStatus.ACTIVE, server_default=OrganisationStatus.ACTIVE
    )
    # After this many working days (Mon-Fri) an order still awaiting approval reminds its
    # approvers once; 0 switches reminders off.
    approval_reminder_days: Mapped[int] = mapped_column(default=2, server_default="2")


class Address(Base):
    """A customer's billing address (one) or one of its delivery addresses."""

    __tablename__ = "address"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # an AddressKind
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    postcode: Mapped[str] = mapped_column(String(16))
    city: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="NL")
    is_default: Mapped[bool] = mapped_column(default=False)

    def as_dict(self) -> dict[str, str]:
        """The address as stored on an order (a copy: later edits do not change old orders)."""
        return {
            "name": self.name,
            "street": self.street,
            "postcode": self.postcode,
            "city": self.city,
            "country": self.country,
        }
