"""Users, roles and the memberships that link users to customers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import PRICE, Catalog
from gateway.models.organisation import Organisation


class RoleKind(StrEnum):
    """Who may hold a role (`Role.kind`)."""

    CUSTOMER = "customer"  # held by customers' users
    INTERNAL = "internal"  # our staff; never assignable by customers


role_approval_catalog = Table(
    "role_approval_catalog",
    Base.metadata,
    Column("role_id", ForeignKey("role.id", ondelete="CASCADE"), primary_key=True),
    Column("catalog_id", ForeignKey("catalog.id", ondelete="CASCADE"), primary_key=True),
)
"""A role's "by catalog" approval rule: an order with a product of one of these catalogs waits
for approval (b2b-rules A-1)."""


class Role(Base):
    """A named set of permissions; every holder gets a change at once.

    A customer's role belongs to that customer (`organisation_id`) and its name is unique there;
    the customer's superuser edits it. Roles without a customer are the built-in templates (the
    supplier's admin edits them; a new customer starts with copies) and the staff roles.
    """

    __tablename__ = "role"
    __table_args__ = (
        UniqueConstraint("organisation_id", "name"),
        Index(
            "uq_role_template_name",
            "name",
            unique=True,
            sqlite_where=text("organisation_id IS NULL"),
            postgresql_where=text("organisation_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Settings that apply to every holder (b2b-rules O-2, O-3). "May place orders", "may see
    # colleagues' orders" and "show prices" are the permissions shop:order:place,
    # shop:order:read_all and shop:price:read.
    kind: Mapped[str] = mapped_column(
        String(16), default=RoleKind.CUSTOMER, server_default=RoleKind.CUSTOMER
    )
    min_order_value: Mapped[Decimal | None] = mapped_column(PRICE)  # hard limits; None: none
    max_order_value: Mapped[Decimal | None] = mapped_column(PRICE)
    requires_approval: Mapped[bool] = mapped_column(default=False, server_default=false())

    approval_catalogs: Mapped[list[Catalog]] = relationship(
        secondary=role_approval_catalog, order_by=Catalog.name
    )


class User(Base):
    """A person: a shop login, or a punchout user created on first use."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locale: Mapped[str | None] = mapped_column(String(5))  # None: from the browser
    # An IANA zone name (`Europe/Amsterdam`); None: the shop's default zone.
    time_zone: Mapped[str | None] = mapped_column(String(64))


class PasswordReset(Base):
    """A password-reset link: only the token's digest is stored; valid once, until it expires."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Membership(Base):
    """A user's link to one customer, with the role they hold there."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    role_id: Mapped[int] = mapped_column(ForeignKey("role.id"))
    # Deactivated by the customer's superuser: this link only, the user's other links stay.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()
    role: Mapped[Role] = relationship()


class Supervision(Base):
    """A supervisor a superuser assigned to a user of one customer: approves that user's orders."""

    __tablename__ = "supervision"
    __table_args__ = (UniqueConstraint("organisation_id", "supervisor_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))


class InvitationState(StrEnum):
    """Where an invitation stands (`Invitation.state`); a pending one past `expires_at` is
    expired."""

    PENDING = "pending"
    ACCEPTED = "accepted"  # the membership exists
    REFUSED = "refused"  # by its holder


class Invitation(Base):
    """An invitation to a customer: a new user accepts it by choosing a password through a
    single-use link (only its digest is stored), an existing account while logged in."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)  # None: no link
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The role the membership gets on acceptance (None: the membership was made with the
    # invitation, as for staff and a new customer's first superuser), and who invited.
    role_id: Mapped[int | None] = mapped_column(ForeignKey("role.id"))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    state: Mapped[str] = mapped_column(
        String(16), default=InvitationState.PENDING, server_default=InvitationState.PENDING
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
    role: Mapped[Role | None] = relationship()


class AuditEntry(Base):
    """An append-only record of a change a customer made to its own account data."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(100), default="")
    changes: Mapped[dict[str, list[str | None]]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    # Staff (issue 5): the customer user a staff member acted for, and where the request came from.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    client_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))


class AgentAssignment(Base):
    """A customer a sales agent looks after (their "own" customer)."""

    __tablename__ = "agent_assignment"
    __table_args__ = (UniqueConstraint("agent_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
