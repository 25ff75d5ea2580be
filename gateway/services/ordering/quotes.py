"""Quotes: a buyer turns the cart into a quote request, staff price it, the buyer accepts it.

An accepted quote's lines go into the buyer's cart at the quoted prices, marked with the quote
(`CartLine.quote_line_id`): the cart, checkout and punchout transfer price them as quoted, the
returned punchout cart carries the quote reference, and an OrderRequest's price check accepts
them. An answered quote can be accepted until its validity date (in the shop's time zone);
after it, it has expired. Every step is in the audit log; the buyer hears of the answer by
e-mail.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.auth.permissions import Permission
from gateway.auth.policy import Actor, foreign, require
from gateway.errors import InvalidInput, NotFound
from gateway.models import Cart, CartLine, Organisation, Quote, QuoteLine, QuoteStatus, User
from gateway.services import audit, outbox
from gateway.services.outbox import BASE_URL_MARKER

MAX_NOTE = 2000
AUX_ID = re.compile(r"Q(\d{6,9})-(\d{1,4})")
MAX_PRICE = Decimal("1000000000")


def request_quote(
    session: Session,
    *,
    actor: Actor,
    cart: Cart,
    organisation: Organisation,
    note: str,
    now: datetime,
) -> Quote:
    """Turn the cart's lines (those not already quoted) into a quote request; they leave the
    cart."""
    require(actor, Permission.CART_WRITE, cart)
    lines = [line for line in cart.lines if line.quote_line_id is None]
    if not lines:
        raise InvalidInput("The cart has nothing to ask a quote for.")
    quote = Quote(
        organisation_id=organisation.id,
        user_id=actor.user_id,
        placed_by_id=actor.acting_staff_id or actor.user_id,
        status=QuoteStatus.REQUESTED,
        note=note.strip()[:MAX_NOTE],
        answer_note="",
        currency=organisation.currency,
        lines=[
            QuoteLine(position=position, product=line.product, quantity=line.quantity)
            for position, line in enumerate(lines, start=1)
        ],
    )
    session.add(quote)
    for line in lines:
        cart.lines.remove(line)
    session.flush()
    _audit(session, actor=actor, quote=quote, action="quote.request", now=now, note=quote.note)
    return quote


def accepted_lines(
    session: Session, *, organisation_id: int, aux_ids: Collection[str]
) -> dict[str, QuoteLine]:
    """The lines of the customer's accepted quotes that the SupplierPartAuxiliaryIDs name
    (`Q000042-1`), by that ID: a punchout `edit` keeps the quoted price of a line it returns."""
    wanted: dict[tuple[int, int], str] = {}
    for aux_id in aux_ids:
        match = AUX_ID.fullmatch(aux_id)
        if match:
            wanted[int(match[1]), int(match[2])] = aux_id
    if not wanted:
        return {}
    found = session.scalars(
        select(QuoteLine)
        .join(Quote, Quote.id == QuoteLine.quote_id)
        .where(
            Quote.organisation_id == organisation_id,
            Quote.status == QuoteStatus.ACCEPTED,
            Quote.id.in_({quote_id for quote_id, _ in wanted}),
        )
    )
    return {
        wanted[line.quote_id, line.position]: line
        for line in found
        if (line.quote_id, line.position) in wanted
    }


def own_quotes(session: Session, *, actor: Actor) -> list[Quote]:
    """The actor's quotes for the active customer, newest first."""
    require(actor, Permission.CART_WRITE)
    return list(
        session.scalars(
            select(Quote)
            .where(Quote.organisation_id == actor.organisation_id, Quote.user_id == actor.user_id)
            .order_by(Quote.id.desc())
        )
    )


def own_quote(session: Session, *, actor: Actor, quote_id: int) -> Quote:
    """One of the actor's quotes; anyone else's is NotFound."""
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("No such quote.")
    require(actor, Permission.CART_WRITE, quote)
    if quote.user_id != actor.user_id:
        raise foreign(actor, "quote", quote_id, "No such quote.")
    return quote


def accept(
    session: Session, *, actor: Actor, quote_id: int, cart: Cart, today: date, now: datetime
) -> Quote:
    """Accept an answered quote before it expires: its lines go into the cart at the quoted
    prices, marked as quoted (SupplierPartAuxiliaryID `<reference>-<line>`)."""
    quote = own_quote(session, actor=actor, quote_id=quote_id)
    require(actor, Permission.CART_WRITE, cart)
    status = quote.status_on(today)
    if status is QuoteStatus.EXPIRED:
        raise InvalidInput(
            f"Quote {quote.reference} expired on {quote.valid_until}: ask for a new one."
        )
    if status is not QuoteStatus.ANSWERED:
        raise InvalidInput(f"Quote {quote.reference} is {status.value}: it cannot be accepted.")
    for line in quote.lines:
        cart.lines.append(
            CartLine(
                product=line.product,
                quantity=line.quantity,
                aux_id=line.aux_id,
                quote_line=line,
            )
        )
    quote.status = QuoteStatus.ACCEPTED
    quote.decided_at = now
    session.flush()
    _audit(session, actor=actor, quote=quote, action="quote.accept", now=now)
    return quote


def decline(session: Session, *, actor: Actor, quote_id: int, today: date, now: datetime) -> Quote:
    """Decline a quote that is requested or answered (also once expired)."""
    quote = own_quote(session, actor=actor, quote_id=quote_id)
    if quote.status not in (QuoteStatus.REQUESTED, QuoteStatus.ANSWERED):
        status = quote.status_on(today).value
        raise InvalidInput(f"Quote {quote.reference} is {status}: it cannot be declined.")
    quote.status = QuoteStatus.DECLINED
    quote.decided_at = now
    session.flush()
    _audit(session, actor=actor, quote=quote, action="quote.decline", now=now)
    return quote


def staff_quotes(session: Session, *, actor: Actor) -> list[tuple[Quote, Organisation]]:
    """The quotes of the customers the staff member reaches, open requests first."""
    require(actor, Permission.STAFF_QUOTE_ANSWER)
    query = select(Quote, Organisation).join(Organisation, Organisation.id == Quote.organisation_id)
    if Permission.STAFF_CUSTOMER_READ_ALL not in actor.permissions:
        query = query.where(Quote.organisation_id.in_(actor.assigned))
    rows = [
        (quote, organisation)
        for quote, organisation in session.execute(query.order_by(Quote.id.desc()))
    ]
    return sorted(rows, key=lambda row: row[0].status != QuoteStatus.REQUESTED)


def staff_quote(session: Session, *, actor: Actor, quote_id: int) -> tuple[Quote, Organisation]:
    """One quote of a customer the staff member reaches (else NotFound)."""
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("No such quote.")
    organisation = session.get_one(Organisation, quote.organisation_id)
    require(actor, Permission.STAFF_QUOTE_ANSWER, organisation)
    return quote, organisation


def answer(
    session: Session,
    *,
    actor: Actor,
    quote_id: int,
    prices: Mapping[int, str],
    valid_until: str,
    note: str,
    today: date,
    now: datetime,
) -> Quote:
    """Price every line (`prices`: typed text per quote line id) and set the last day the quote
    may be accepted; the buyer gets an e-mail. A requested or answered (not yet accepted) quote
    may be answered again."""
    quote, _ = staff_quote(session, actor=actor, quote_id=quote_id)
    if quote.status not in (QuoteStatus.REQUESTED, QuoteStatus.ANSWERED):
        raise InvalidInput(f"Quote {quote.reference} is {quote.status}: it cannot be answered.")
    until = _date(valid_until)
    if until < today:
        raise InvalidInput("The validity date is in the past.")
    priced = {line.id: _price(prices.get(line.id, ""), line) for line in quote.lines}
    for line in quote.lines:
        line.unit_price = priced[line.id]
    quote.valid_until = until
    quote.answer_note = note.strip()[:MAX_NOTE]
    quote.status = QuoteStatus.ANSWERED
    quote.answered_by_id = actor.user_id
    quote.answered_at = now
    session.flush()
    _audit(
        session,
        actor=actor,
        quote=quote,
        action="quote.answer",
        now=now,
        note=f"valid until {until.isoformat()}",
    )
    _tell_buyer(session, quote=quote, now=now)
    return quote


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput("Give the validity date as YYYY-MM-DD.") from exc


def _price(text: str, line: QuoteLine) -> Decimal:
    where = f"Line {line.position} ({line.product.sku})"
    try:
        price = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise InvalidInput(f"{where}: give a price such as 12.50.") from exc
    exponent = price.as_tuple().exponent
    if (
        not price.is_finite()
        or price < 0
        or price >= MAX_PRICE
        or not isinstance(exponent, int)
        or exponent < -4  # noqa: PLR2004 - prices keep four decimals
    ):
        raise InvalidInput(f"{where}: a price is 0 or more, with at most 4 decimals.")
    return price


def _tell_buyer(session: Session, *, quote: Quote, now: datetime) -> None:
    buyer = session.get_one(User, quote.user_id)
    lines = "\n".join(
        f"- {line.product.sku} {line.product.name}: {line.quantity.normalize():f} at "
        f"{quote.currency} {line.unit_price:.2f}"
        for line in quote.lines
    )
    outbox.enqueue_mail(
        session,
        to=buyer.email,
        subject=f"Quote {quote.reference} answered",
        body=(
            f"Your quote request {quote.reference} has been answered.\n\n{lines}\n\n"
            + (f"Note: {quote.answer_note}\n" if quote.answer_note else "")
            + f"Valid until {quote.valid_until}. Accept it here: "
            f"{BASE_URL_MARKER}/quotes/{quote.id}\n"
        ),
        order_id=None,
        now=now,
    )


def _audit(
    session: Session, *, actor: Actor, quote: Quote, action: str, now: datetime, note: str = ""
) -> None:
    audit.record(
        session,
        organisation_id=quote.organisation_id,
        actor_id=actor.acting_staff_id or actor.user_id,
        on_behalf_of_id=actor.user_id if actor.assisting else None,
        action=action,
        subject=quote.reference,
        note=note,
        now=now,
    )
