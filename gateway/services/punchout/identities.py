"""Who a punchout acts as: the partner's own punchout users, never another account by accident.

A buyer's system vouches only for the people of its own customer, and only as punchout users.
Each person is a `PunchOutIdentity` of the partner, keyed by what the partner sends (cXML:
UniqueName, else the e-mail address, else the Contact's name; OCI: the login). A new key gets a
new punchout user, a member of the partner's customer with the partner's default role. Nothing
here creates or changes a membership, name or address of any other account.

Only where the customer's superuser switched it on for the partner (`match_shop_accounts`) is an
existing shop account matched by e-mail: an active user with an active membership of the same
customer, never staff. An identity whose user or membership was deactivated refuses the punchout.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.cxml import PunchOutSetupRequest
from gateway.errors import GatewayError, InvalidInput
from gateway.models import Membership, PunchOutIdentity, TradingPartner, User
from gateway.services.partners.registry import punchout_role
from gateway.services.people import roles
from gateway.services.people.staff import is_staff
from gateway.services.people.users import MAX_EMAIL_LENGTH

MAX_KEY_VALUE = 254
SHARED_KEY = "partner"  # the partner names nobody: one shared punchout user
_NOT_LOCAL = re.compile(r"[^a-z0-9._-]+")


class PunchOutUserRefused(GatewayError):
    """The person the partner names may not punch out (deactivated by the customer)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """Whom a setup request names: the identity keys to try (the first is the one stored for a
    new person), the e-mail address it sent (for matching shop accounts) and a display name."""

    keys: tuple[str, ...]
    email: str | None = None
    name: str = ""


def cxml_claim(request: PunchOutSetupRequest, *, partner_name: str) -> Claim:
    """The person a cXML setup request names: UniqueName, else e-mail, else the Contact's name.

    The address a user had before identities existed is tried next, so people who punched out
    before keep their user and history.
    """
    unique_name = (request.extrinsic("UniqueName") or "").strip()
    raw_email = (request.user_email or "").strip().lower()
    email = raw_email if "@" in raw_email else None
    name = (request.user_name or "").strip()
    if unique_name:
        key = _key("uniquename", unique_name.casefold(), "UniqueName")
    elif email:
        key = _key("email", email, "The user's e-mail address")
    elif name:
        key = _key("contact", name.casefold(), "The Contact's name")
    else:
        key = SHARED_KEY
    legacy = f"legacy:{email or _legacy_address(partner_name, name)}"
    return Claim(keys=(key, legacy), email=email, name=name or (email or ""))


def oci_claim(username: str, *, partner_name: str) -> Claim:
    """The person an OCI login names: the login itself (SAP sends no user of its own)."""
    login = username.strip()
    keys = (
        _key("login", login.casefold(), "The login"),
        f"legacy:{_legacy_address(partner_name, login)}",
    )
    return Claim(keys=keys, name=login)


def punchout_user(session: Session, *, partner: TradingPartner, claim: Claim) -> User:
    """The user the punchout acts as: the partner's identity for the claim, a matched shop
    account where the customer allows it, or a new punchout user.

    Raises PunchOutUserRefused when the identity's user or membership is deactivated.
    """
    identity = _identity(session, partner=partner, keys=claim.keys)
    if identity is not None:
        user = session.get_one(User, identity.user_id)
        _check_usable(session, partner=partner, user=user)
        if identity.key == claim.keys[0]:
            return user
        # found under an older key (an address from before identities): remember the current one
        return _remember(
            session,
            partner=partner,
            key=claim.keys[0],
            user_of=lambda: user,
            shop_account=identity.shop_account,
        )
    account = _shop_account(session, partner=partner, email=claim.email)
    if account is not None:
        return _remember(
            session, partner=partner, key=claim.keys[0], user_of=lambda: account, shop_account=True
        )
    punchout_role(session, partner.default_role)  # never a staff role
    role = roles.customer_role(
        session, organisation_id=partner.organisation_id, name=partner.default_role
    )

    def new_user() -> User:
        user = User(email=_new_address(partner, claim), name=claim.name[:200], password_hash=None)
        session.add(user)
        session.flush()
        session.add(Membership(user=user, organisation_id=partner.organisation_id, role=role))
        return user

    return _remember(session, partner=partner, key=claim.keys[0], user_of=new_user)


def _identity(
    session: Session, *, partner: TradingPartner, keys: tuple[str, ...]
) -> PunchOutIdentity | None:
    found = {
        identity.key: identity
        for identity in session.scalars(
            select(PunchOutIdentity).where(
                PunchOutIdentity.partner_id == partner.id, PunchOutIdentity.key.in_(keys)
            )
        )
    }
    return next((found[key] for key in keys if key in found), None)


def _remember(
    session: Session,
    *,
    partner: TradingPartner,
    key: str,
    user_of: Callable[[], User],
    shop_account: bool = False,
) -> User:
    """Store the identity of `key` for the user `user_of` gives (or creates); when a concurrent
    first punchout of the same person stored it first, that one's user (nothing else is kept)."""
    try:
        with session.begin_nested():
            user = user_of()
            session.add(
                PunchOutIdentity(
                    partner_id=partner.id, key=key, user_id=user.id, shop_account=shop_account
                )
            )
    except IntegrityError:
        winner = _identity(session, partner=partner, keys=(key,))
        if winner is None:
            raise
        return session.get_one(User, winner.user_id)
    return user


def _check_usable(session: Session, *, partner: TradingPartner, user: User) -> None:
    link = _active_link(session, partner=partner, user=user)
    if link is None or is_staff(session, user_id=user.id):
        raise PunchOutUserRefused(
            "This user's access has been deactivated by the customer; "
            "ask the customer's superuser to reactivate it."
        )


def _shop_account(session: Session, *, partner: TradingPartner, email: str | None) -> User | None:
    if not partner.match_shop_accounts or email is None:
        return None
    user = session.scalar(select(User).where(User.email == email, User.active))
    if (
        user is None
        or _active_link(session, partner=partner, user=user) is None
        or is_staff(session, user_id=user.id)
    ):
        return None
    return user


def _active_link(session: Session, *, partner: TradingPartner, user: User) -> Membership | None:
    if not user.active:
        return None
    return session.scalar(
        select(Membership).where(
            Membership.user_id == user.id,
            Membership.organisation_id == partner.organisation_id,
            Membership.active,
        )
    )


def _key(kind: str, value: str, what: str) -> str:
    if len(value) > MAX_KEY_VALUE:
        raise InvalidInput(f"{what} is longer than {MAX_KEY_VALUE} characters.")
    return f"{kind}:{value}"


def _slug(text: str, fallback: str) -> str:
    return _NOT_LOCAL.sub("-", text.strip().lower()).strip("-") or fallback


def _legacy_address(partner_name: str, name: str) -> str:
    """The address punchout users without an e-mail address got before identities existed."""
    local = _slug(name or "punchout", "punchout")[:64]
    return f"{local}@{_slug(partner_name, 'partner')}.punchout.invalid"


def _new_address(partner: TradingPartner, claim: Claim) -> str:
    """A unique address under `.invalid` (RFC 2606) that no real account can have; the user
    never logs in with it and it only tells the customer's superuser whose account it is."""
    local = _slug(claim.name.partition("@")[0], "punchout")[:40]
    address = f"{local}.{secrets.token_hex(4)}@p{partner.id}.punchout.invalid"
    return address[:MAX_EMAIL_LENGTH]
