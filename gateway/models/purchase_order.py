"""Purchase orders received from buyers' systems: dedup keys, the buyer's PO and its versions.

The order itself is an `Order` (shared with the shop); these tables hold what only the cXML
intake needs, so the shared order tables stay unchanged.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gateway.db import Base, UTCDateTime, utcnow
from gateway.models.catalog import PRICE
from gateway.models.order import Order


class OrderPricePolicy(StrEnum):
    """What an OrderRequest with problems (prices, assortment, total) becomes, per partner."""

    HOLD = "hold"  # stored `on_hold` until staff release or reject it; the buyer gets 200
    REJECT = "reject"  # refused with Status 400 naming the first problem; nothing stored
    ACCEPT = "accept"  # stored as received, the problems recorded


class ProblemKind(StrEnum):
    """What is wrong with an order line, or with the order (`OrderProblem.kind`)."""

    PRICE = "price"  # the unit price differs from ours by more than the partner's tolerance
    NOT_IN_ASSORTMENT = "not_in_assortment"  # a product the customer's catalogs do not hold
    UNKNOWN_PRODUCT = "unknown_product"  # no active product with that SupplierPartID
    TOTAL = "total"  # the header Total differs from the sum of the lines


class PartnerOrderSettings(Base):
    """Per-partner options of the order exchange (absent row: the defaults)."""

    __tablename__ = "partner_order_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"), unique=True)
    #: answer OrderRequests 201 Accepted; a StatusUpdateRequest follows once staff decide
    async_acknowledgement: Mapped[bool] = mapped_column(default=False)
    #: the partner authenticates with CredentialMac; its secret, encrypted (Fernet)
    credential_mac_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: where confirmations, ship notices and status updates go, and the allowed URL prefixes
    outbound_url: Mapped[str | None] = mapped_column(Text)
    outbound_url_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: tests and demos only: plain http and loopback/private addresses for outbound documents
    allow_private_network: Mapped[bool] = mapped_column(default=False)
    #: the SharedSecret we present to the partner, encrypted (Fernet)
    outbound_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: inbound documents must carry a cXML signature made with this pinned certificate (PEM)
    require_signature: Mapped[bool] = mapped_column(default=False)
    signature_certificate: Mapped[str | None] = mapped_column(Text)
    #: what an OrderRequest with problems becomes (an `OrderPricePolicy`)
    order_price_policy: Mapped[str] = mapped_column(
        String(8), default=OrderPricePolicy.HOLD, server_default=OrderPricePolicy.HOLD
    )
    #: how far a line's unit price may differ from ours, per unit, in the order's currency
    order_price_tolerance: Mapped[Decimal] = mapped_column(
        PRICE,
        default=Decimal("0.01"),
        server_default="100",  # 0.01, stored scaled by 10^4
    )


class ReceivedDocument(Base):
    """The dedup key of an inbound order document: (partner, payloadID), with its answer.

    Inserted first, in the same transaction that processes the document, so a second copy
    waits for the first and then replays the stored Status (protocol-notes A.8).
    """

    __tablename__ = "received_document"
    __table_args__ = (UniqueConstraint("partner_id", "payload_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"))
    payload_id: Mapped[str] = mapped_column(String(250))
    document_type: Mapped[str] = mapped_column(String(40))
    body_digest: Mapped[str] = mapped_column(String(64))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("customer_order.id"), index=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
    status_text: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BuyerOrder(Base):
    """The buyer's side of an order received by cXML: its orderID, version, extrinsics."""

    __tablename__ = "buyer_order"
    __table_args__ = (UniqueConstraint("partner_id", "buyer_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), unique=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("trading_partner.id"))
    buyer_order_id: Mapped[str] = mapped_column(String(100))
    order_date: Mapped[datetime] = mapped_column(UTCDateTime)
    order_version: Mapped[int] = mapped_column(default=1)
    payload_id: Mapped[str] = mapped_column(String(250))  # the original (type=new) document
    content_digest: Mapped[str] = mapped_column(String(64))
    punchout_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("punchout_session.id"), index=True
    )
    extrinsics: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    comments: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[Order] = relationship()
    versions: Mapped[list[BuyerOrderVersion]] = relationship(
        back_populates="buyer_order",
        cascade="all, delete-orphan",
        order_by="BuyerOrderVersion.id",
    )


class BuyerOrderVersion(Base):
    """One accepted OrderRequest (new, update or delete) of a buyer order, with its content."""

    __tablename__ = "buyer_order_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_order_id: Mapped[int] = mapped_column(ForeignKey("buyer_order.id"), index=True)
    request_type: Mapped[str] = mapped_column(String(8))
    order_version: Mapped[int]
    payload_id: Mapped[str] = mapped_column(String(250))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    buyer_order: Mapped[BuyerOrder] = relationship(back_populates="versions")


class OrderProblem(Base):
    """One problem found in a received order: a line's (`line_number`) or the whole order's
    (`line_number` None), with what we expected and what the buyer sent.

    Rows, not a JSON column on the order: amounts keep their exact decimal type, and staff
    pages and `gateway orders list` read the problems of many orders in one query.
    """

    __tablename__ = "order_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("customer_order.id"), index=True)
    line_number: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(20))  # a ProblemKind
    sku: Mapped[str | None] = mapped_column(String(64))
    expected: Mapped[Decimal | None] = mapped_column(PRICE)  # our unit price (TOTAL: line sum)
    received: Mapped[Decimal | None] = mapped_column(PRICE)  # the buyer's
