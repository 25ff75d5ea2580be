"""A customer's punchout connections as its superuser sees them: the partners buying for the
customer, their punchout users, and whether a partner may act as the customer's own shop
accounts (matched by e-mail; off unless the superuser switches it on, audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, foreign, require, require_in_person
from gateway.models import PunchOutIdentity, TradingPartner
from gateway.services import audit


@dataclass(frozen=True, slots=True, kw_only=True)
class Connection:
    """One partner of the customer with how many people punch out through it."""

    partner: TradingPartner
    people: int
    shop_accounts: int  # of which existing shop accounts matched by e-mail


def connections(session: Session, *, actor: Actor) -> list[Connection]:
    """The active customer's partners, by name."""
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE)
    partners = session.scalars(
        select(TradingPartner)
        .where(TradingPartner.organisation_id == actor.organisation_id)
        .order_by(TradingPartner.name)
    )
    counts = {
        (partner_id, shop_account): people
        for partner_id, shop_account, people in session.execute(
            select(
                PunchOutIdentity.partner_id,
                PunchOutIdentity.shop_account,
                func.count(func.distinct(PunchOutIdentity.user_id)),
            )
            .join(TradingPartner, TradingPartner.id == PunchOutIdentity.partner_id)
            .where(TradingPartner.organisation_id == actor.organisation_id)
            .group_by(PunchOutIdentity.partner_id, PunchOutIdentity.shop_account)
        )
    }
    return [
        Connection(
            partner=partner,
            people=counts.get((partner.id, False), 0) + counts.get((partner.id, True), 0),
            shop_accounts=counts.get((partner.id, True), 0),
        )
        for partner in partners
    ]


def set_shop_account_matching(
    session: Session, *, actor: Actor, partner_id: int, match: bool, now: datetime
) -> TradingPartner:
    """Let the partner's punchouts act as the customer's own active shop accounts named by
    e-mail, or stop it: switching off forgets the accounts matched so far, so their next
    punchout gets a punchout user of its own. Only the superuser in person decides (I-6);
    another customer's partner is NotFound; a change is audited."""
    require_in_person(actor)
    partner = session.get(TradingPartner, partner_id)
    if partner is None:
        raise foreign(actor, "partner", partner_id)
    require(actor, Permission.ACCOUNT_ORGANISATION_WRITE, partner)
    if partner.match_shop_accounts == match:
        return partner
    audit.record_change(
        session,
        actor=actor,
        action="punchout.match_shop_accounts",
        subject=partner.name,
        changes={"match_shop_accounts": [_on_off(partner.match_shop_accounts), _on_off(match)]},
        now=now,
    )
    partner.match_shop_accounts = match
    if not match:
        session.execute(
            delete(PunchOutIdentity).where(
                PunchOutIdentity.partner_id == partner.id, PunchOutIdentity.shop_account
            )
        )
    session.flush()
    return partner


def _on_off(value: bool) -> str:
    return "on" if value else "off"
