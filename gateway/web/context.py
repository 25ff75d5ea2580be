"""Who is shopping: the shop session behind the browser's cookie, resolved once per request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, g, request, session

from gateway.auth.policy import Actor
from gateway.db import utcnow
from gateway.models import Cart, Invitation, Organisation, PunchOutSession, ShopSession, User
from gateway.services.audit import Client
from gateway.services.catalog import pricing
from gateway.services.ordering import carts
from gateway.services.people import impersonation, invitations, shop_sessions
from gateway.web.cookies import PUNCHOUT_KEY
from gateway.web.database import get_session, keep_changes

SESSION_KEY = "shop"
GUEST_CART_KEY = "guest_cart"  # the guest cart in the browser session (gateway.shop.guest)


class LoginRequired(Exception):
    """The page needs a shop session and there is none."""


@dataclass(frozen=True, slots=True)
class Shopper:
    """The live shop session with its user, customer, rights and punchout (if any)."""

    shop_session: ShopSession
    actor: Actor

    @property
    def user(self) -> User:
        return self.shop_session.user

    @property
    def organisation(self) -> Organisation:
        return self.shop_session.organisation

    @property
    def acting_staff(self) -> User | None:
        """The staff member shopping as this customer (None: the user themself)."""
        return self.shop_session.acting_staff

    @property
    def punchout(self) -> PunchOutSession | None:
        return self.shop_session.punchout

    def customers(self) -> list[Organisation]:
        """The customers this user may switch to (for the header's switcher)."""
        if self.punchout is not None:
            return [self.organisation]
        return shop_sessions.customers_of(get_session(), user_id=self.user.id)

    def invitations(self) -> list[Invitation]:
        """The invitations the user may answer (for the header's notice): none in a punchout
        or while a staff member shops as the user."""
        if self.punchout is not None or self.actor.assisting:
            return []
        return invitations.pending(get_session(), user_id=self.user.id, now=utcnow())


def current_shopper() -> Shopper | None:
    """The shopper of this request, or None for an anonymous visitor."""
    if "shopper" not in g:
        token = session.get(SESSION_KEY)
        db = get_session()
        shop_session = shop_sessions.resolve(db, token=token, now=utcnow()) if token else None
        if shop_session is not None and shop_session.acting_staff_id is not None:
            shop_session = _assisted(shop_session)
        g.shopper = (
            Shopper(shop_session, shop_sessions.actor_for(db, shop_session))
            if shop_session is not None
            else None
        )
    shopper: Shopper | None = g.shopper
    return shopper


def _assisted(shop_session: ShopSession) -> ShopSession | None:
    """A staff member's session of shopping as a customer, unless past its time limits."""
    config = current_app.config
    alive = impersonation.still_valid(
        get_session(),
        shop_session=shop_session,
        client=client(),
        now=utcnow(),
        idle_seconds=config["GATEWAY_IMPERSONATION_IDLE_TIMEOUT"],
        max_age_seconds=config["GATEWAY_IMPERSONATION_MAX_AGE"],
    )
    if not alive:
        keep_changes()  # the timeout's audit row stays, whatever the page answers
        session.clear()
    return shop_session if alive else None


def client() -> Client:
    """The requesting browser, for the audit log."""
    return Client(
        address=request.remote_addr or "", user_agent=request.headers.get("User-Agent", "")
    )


def require_shopper() -> Shopper:
    """The shopper of this request, or LoginRequired."""
    shopper = current_shopper()
    if shopper is None:
        raise LoginRequired
    return shopper


def begin(token: str, *, punchout: bool = False) -> None:
    """Bind the browser to a new shop session: everything from before is dropped (no fixation).

    A punchout session's cookie may be sent inside the buyer's frame (`gateway.web.cookies`).
    """
    session.clear()
    session[SESSION_KEY] = token
    if punchout:
        session[PUNCHOUT_KEY] = True
    session.permanent = True
    g.pop("shopper", None)


def finish() -> None:
    """Forget the shop session in the browser."""
    session.clear()
    g.pop("shopper", None)


def cart_for(shopper: Shopper, *, create: bool = True) -> Cart:
    """The shopper's open cart for the active customer (the punchout's own cart in a punchout);
    without `create`, an unsaved empty one when there is none yet."""
    shop_session = shopper.shop_session
    return carts.open_cart(
        get_session(),
        actor=shopper.actor,
        punchout_session_id=shop_session.punchout_session_id,
        assisted_session_id=shop_session.id if shop_session.fresh_cart else None,
        create=create,
    )


def today() -> date:
    """Today's date in the shop's time zone: the date prices and delivery dates go by."""
    return pricing.price_date(utcnow(), current_app.config["GATEWAY_TIMEZONE"])


def cart_line_count() -> int | None:
    """The number of lines in the viewer's cart for the header's badge (a guest's browser cart
    too); None when the viewer has no cart to show."""
    shopper = current_shopper()
    if shopper is None:
        if current_app.config["GATEWAY_SHOP_LOGIN_REQUIRED"]:
            return None
        items = session.get(GUEST_CART_KEY, {})
        return len(items) if isinstance(items, dict) else 0
    shop_session = shopper.shop_session
    return carts.line_count(
        get_session(),
        actor=shopper.actor,
        punchout_session_id=shop_session.punchout_session_id,
        assisted_session_id=shop_session.id if shop_session.fresh_cart else None,
    )
