"""What cXML and OCI punchouts share: the settings, the single-use start link, the shop session
it opens, the punchout's own cart, and the ending once the cart is on its way to the buyer.

Every function takes the database session and an explicit clock; none reads Flask globals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.auth.credentials import new_token, token_digest
from gateway.db import affected_rows
from gateway.errors import GatewayError
from gateway.models import (
    Cart,
    CartLine,
    CartStatus,
    DeploymentMode,
    PunchOutSession,
    PunchOutStatus,
    ShopSession,
    TradingPartner,
    User,
)
from gateway.services.catalog.pricing import DEFAULT_VAT_RATES
from gateway.services.people import shop_sessions


class StartTokenRefused(GatewayError):
    """A StartPage link that is unknown, already used or expired."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PunchOutSettings:
    """The configuration the punchout needs, gathered once from the app settings."""

    base_url: str
    digest_key: str
    start_token_ttl: int
    clock_skew: int
    shop_session_ttl: int
    supplier_domain: str
    supplier_identity: str
    user_agent: str
    hostname: str
    dtd_dir: Path | None
    encryption_key: str | None = None
    signing_key: bytes | None = None  # PEM; with the certificate, outbound documents are signed
    signing_certificate: bytes | None = None
    timezone: str = "Europe/Amsterdam"  # the shop's: the day an order's prices are valid on
    vat_rates: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_VAT_RATES))


@dataclass(frozen=True, slots=True, kw_only=True)
class CartReturn:
    """What the browser posts back to the buyer: the URL, the hidden fields and how to post.

    cXML sends one hidden field holding `document`; OCI sends `NEW_ITEM-*` fields in the
    buyer's charset (`notice` says when characters it cannot carry were replaced).
    """

    url: str
    fields: tuple[tuple[str, str], ...]
    document: bytes = b""
    target: str = "_top"
    charset: str = "UTF-8"
    autosubmit: bool = True
    notice: str = ""


def open_punchout(
    session: Session,
    *,
    partner: TradingPartner,
    user: User,
    operation: str,
    buyer_cookie: str,
    return_url: str,
    payload_id: str,
    buyer_credentials: list[dict[str, str]],
    lines: list[CartLine],
    settings: PunchOutSettings,
    now: datetime,
    oci_parameters: dict[str, Any] | None = None,
    deployment_mode: str = DeploymentMode.PRODUCTION,
    landing: dict[str, str] | None = None,
) -> tuple[PunchOutSession, str]:
    """A pending punchout with its cart, and the single-use start URL (cXML and OCI alike).

    `landing` is where the shop opens (see `PunchOutSession.landing`); None: the catalog.
    """
    token, digest = new_token()
    punchout = PunchOutSession(
        partner=partner,
        organisation=partner.organisation,
        user_id=user.id,
        operation=operation,
        buyer_cookie=buyer_cookie,
        return_url=return_url,
        payload_id=payload_id,
        buyer_credentials=buyer_credentials,
        token_digest=digest,
        token_expires_at=now + timedelta(seconds=settings.start_token_ttl),
        created_at=now,
        oci_parameters=oci_parameters,
        deployment_mode=deployment_mode,
        landing=landing,
    )
    session.add(punchout)
    session.flush()
    session.add(
        Cart(
            organisation_id=partner.organisation_id,
            user_id=user.id,
            punchout_session_id=punchout.id,
            lines=lines,
        )
    )
    session.flush()
    return punchout, f"{settings.base_url}/punchout/start/{token}"


def redeem(
    session: Session, *, token: str, settings: PunchOutSettings, now: datetime
) -> tuple[ShopSession, str]:
    """Consume a StartPage token (once, before it expires) and open a fresh shop session."""
    consumed = session.execute(
        update(PunchOutSession)
        .where(
            PunchOutSession.token_digest == token_digest(token),
            PunchOutSession.redeemed_at.is_(None),
            PunchOutSession.token_expires_at > now,
        )
        .values(redeemed_at=now, status=PunchOutStatus.ACTIVE)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(consumed) != 1:
        raise StartTokenRefused(
            "This punchout link has been used already or has expired. "
            "Please start the punchout again from your procurement system."
        )
    punchout = session.scalars(
        select(PunchOutSession)
        .where(PunchOutSession.token_digest == token_digest(token))
        .execution_options(populate_existing=True)
    ).one()
    return shop_sessions.open_session(
        session,
        user=session.get_one(User, punchout.user_id),
        organisation=punchout.organisation,
        punchout=punchout,
        now=now,
        ttl_seconds=settings.shop_session_ttl,
    )


def punchout_cart(session: Session, shop_session: ShopSession) -> Cart:
    """The cart that belongs to a punchout shop session."""
    cart = session.scalar(
        select(Cart).where(Cart.punchout_session_id == shop_session.punchout_session_id)
    )
    if cart is None:
        raise LookupError("punchout session without a cart")
    return cart


def finish(
    session: Session,
    *,
    shop_session: ShopSession,
    cart: Cart,
    cancel: bool,
    now: datetime,
    cart_value: Decimal | None = None,
    cart_lines: int = 0,
) -> None:
    """End a punchout once its cart (or the cancellation) is on its way back to the buyer.

    `cart_value` is the Total of the `cart_lines` items that went back, kept for the punchout
    funnel (None when none did)."""
    punchout = shop_session.punchout
    assert punchout is not None  # noqa: S101 - callers check
    punchout.status = PunchOutStatus.CANCELLED if cancel else PunchOutStatus.TRANSFERRED
    punchout.ended_at = now
    returned = not cancel and cart_lines > 0
    punchout.cart_value = cart_value if returned else None
    punchout.cart_lines = cart_lines if returned else None
    cart.status = CartStatus.TRANSFERRED
    shop_sessions.end(shop_session, now=now)
    session.flush()
