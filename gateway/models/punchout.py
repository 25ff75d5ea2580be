"""Trading partners (buyers' procurement systems) and their punchout sessions."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.cxml import CartEncoding, Operation
from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import PRICE
from gateway.models.order import DeploymentMode
from gateway.models.organisation import Organisation


class PartnerProtocol(StrEnum):
    """How a partner punches out and what a logged document is (`TradingPartner.protocol`,
    `MessageLogEntry.protocol`)."""

    CXML = "cxml"
    OCI = "oci"


class PunchOutStatus(StrEnum):
    """Where a punchout stands (`PunchOutSession.status`)."""

    PENDING = "pending"  # set up; the StartPage URL has not been opened yet
    ACTIVE = "active"  # the user is shopping
    TRANSFERRED = "transferred"  # the cart went back to the buyer
    CANCELLED = "cancelled"  # the user cancelled: an empty cart (or "no change") went back


class AcceptedDeploymentMode(StrEnum):
    """Which cXML `deploymentMode` a partner may send (`TradingPartner.accepted_deployment_mode`);
    setup requests and OrderRequests in the other mode are refused."""

    PRODUCTION = "production"
    TEST = "test"
    BOTH = "both"

    def accepts(self, mode: str) -> bool:
        """True if a document in `mode` (a `DeploymentMode`) may pass."""
        return self is AcceptedDeploymentMode.BOTH or self.value == mode


class TradingPartner(Base):
    """A buyer's procurement system, bound to one customer."""

    __tablename__ = "trading_partner"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    protocol: Mapped[str] = mapped_column(String(8), default=PartnerProtocol.CXML)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    secret_digest: Mapped[str] = mapped_column(String(128))
    allowed_url_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    cart_encoding: Mapped[str] = mapped_column(String(16), default=CartEncoding.BASE64)
    operation_allowed: Mapped[str] = mapped_column(String(8), default=Operation.EDIT)
    default_role: Mapped[str] = mapped_column(String(64), default="punchout")
    replay_protection: Mapped[bool] = mapped_column(default=True)
    # Budgets and approvals block the cart transfer only when the partner asks for it.
    enforce_budgets: Mapped[bool] = mapped_column(default=False, server_default=false())
    accepted_deployment_mode: Mapped[str] = mapped_column(
        String(10), default=AcceptedDeploymentMode.BOTH, server_default=AcceptedDeploymentMode.BOTH
    )
    # The customer's superuser lets this partner's punchouts act as the customer's own active
    # shop accounts, matched by the e-mail address the buyer sends (off: punchout users only).
    match_shop_accounts: Mapped[bool] = mapped_column(default=False, server_default=false())
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # OCI partners: the login user, its slow password hash, and the profile (`PartnerOptions` of
    # gateway.services.punchout.oci_mapping)
    login_name: Mapped[str | None] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    organisation: Mapped[Organisation] = relationship()
    identities: Mapped[list[PartnerIdentity]] = relationship(
        back_populates="partner", cascade="all, delete-orphan"
    )


class PartnerIdentity(Base):
    """A credential (domain, identity) that names a partner in From or Sender."""

    __tablename__ = "partner_identity"
    __table_args__ = (UniqueConstraint("domain", "identity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"))
    domain: Mapped[str] = mapped_column(String(64))  # stored case-folded
    identity: Mapped[str] = mapped_column(String(200))

    partner: Mapped[TradingPartner] = relationship(back_populates="identities")


class PunchOutIdentity(Base):
    """The user a partner's punchouts act as for one person, keyed by what the partner sends.

    `key` is "<kind>:<value>": `uniquename:`, `email:`, `contact:`, `login:`, `partner` (nobody
    named), or `legacy:<address>` for a user from before identities existed. `shop_account`
    marks an existing shop account matched by e-mail under the customer's switch
    (`match_shop_accounts`).
    """

    __tablename__ = "punchout_identity"
    __table_args__ = (UniqueConstraint("partner_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"))
    key: Mapped[str] = mapped_column(String(300))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    shop_account: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PunchOutSession(Base):
    """One punchout: from the setup request to the cart's return."""

    __tablename__ = "punchout_session"
    # The punchout funnel reads a partner's sessions by setup time.
    __table_args__ = (Index("ix_punchout_session_partner_created", "partner_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    operation: Mapped[str] = mapped_column(String(8))  # a cXML Operation (OCI: create)
    buyer_cookie: Mapped[str] = mapped_column(Text)
    return_url: Mapped[str] = mapped_column(Text)
    payload_id: Mapped[str] = mapped_column(String(250), index=True)
    buyer_credentials: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    redeemed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default=PunchOutStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # OCI: ~-parameters, returntarget and charset, kept server-side
    oci_parameters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Where the shop opens: {"product": sku}, or {"search": text} (OCI DETAIL and SOURCING, a
    # cXML level-2 punchout's SelectedItem; "selected" names an item it could not open);
    # None: the catalog.
    landing: Mapped[dict[str, str] | None] = mapped_column(JSON)
    # The setup request's deploymentMode (OCI: production); its cart goes back in that mode.
    deployment_mode: Mapped[str] = mapped_column(
        String(10), default=DeploymentMode.PRODUCTION, server_default=DeploymentMode.PRODUCTION
    )
    # The returned cart's value (its Total, in the customer's currency) when items went back to
    # the buyer; None for a cancelled, inspected or earlier punchout.
    cart_value: Mapped[Decimal | None] = mapped_column(PRICE)
    # How many lines went back to the buyer; None when none did (cancel, empty cart, inspect).
    cart_lines: Mapped[int | None]

    partner: Mapped[TradingPartner] = relationship()
    organisation: Mapped[Organisation] = relationship()
