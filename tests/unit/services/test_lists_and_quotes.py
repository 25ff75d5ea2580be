"""Requisition lists and quotes as services (no Flask request): CSV import, ownership,
quote rules and expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.errors import InvalidInput, NotFound, PermissionDenied
from gateway.models import AuditEntry, Quote, QuoteStatus
from gateway.services.ordering import carts, quotes
from gateway.services.ordering import requisition_lists as lists
from tests.factories import actor_of, customer, make_user, user_named

TODAY = date(2026, 12, 3)


def test_quote_status_turns_expired_after_its_validity_date() -> None:
    quote = Quote(status=QuoteStatus.ANSWERED, valid_until=TODAY)
    assert quote.status_on(TODAY) is QuoteStatus.ANSWERED  # the whole last day counts
    assert quote.status_on(TODAY + timedelta(days=1)) is QuoteStatus.EXPIRED
    accepted = Quote(status=QuoteStatus.ACCEPTED, valid_until=TODAY)
    assert accepted.status_on(TODAY + timedelta(days=9)) is QuoteStatus.ACCEPTED


def test_csv_import_reads_a_header_semicolons_and_merges_repeated_skus(
    db_session: Session,
) -> None:
    actor = actor_of(db_session, user_named(db_session, "buyer@1001.demo"))
    owner = lists.Owner(user_id=actor.user_id)
    outcome = lists.import_csv(
        db_session,
        actor=actor,
        owner=owner,
        name="  Monthly   stock ",
        data=b"sku;quantity\nDEMO-0001;2\nDEMO-0001;3\n",
        now=utcnow(),
    )
    assert outcome.rejected == ()
    assert outcome.requisition_list is not None
    assert outcome.requisition_list.name == "Monthly stock"
    [line] = outcome.requisition_list.lines
    assert (line.product.sku, line.quantity) == ("DEMO-0001", Decimal(5))


def test_csv_import_refuses_an_empty_file_and_a_product_outside_the_assortment(
    db_session: Session,
) -> None:
    actor = actor_of(db_session, user_named(db_session, "buyer@1002.demo"), "1002")
    owner = lists.Owner(user_id=actor.user_id)
    with pytest.raises(InvalidInput, match="no lines"):
        lists.import_csv(db_session, actor=actor, owner=owner, name="x", data=b"\n\n", now=utcnow())
    outcome = lists.import_csv(
        db_session, actor=actor, owner=owner, name="x", data=b"ACME-0001,1\n", now=utcnow()
    )  # ACME-0001 is only in customer 1001's assortment
    assert outcome.requisition_list is None
    [rejected] = outcome.rejected
    assert (rejected.number, rejected.reason) == (1, "No product 'ACME-0001'.")


def test_only_the_owner_changes_a_list_and_punchout_identities_keep_their_own(
    db_session: Session,
) -> None:
    user = make_user(db_session, "owner@1001.demo")
    actor = actor_of(db_session, user)
    shop_owner = lists.Owner(user_id=user.id)
    created = lists.create(db_session, actor=actor, owner=shop_owner, name="A", now=utcnow())
    lists.add_item(
        db_session,
        actor=actor,
        owner=shop_owner,
        list_id=created.id,
        sku="DEMO-0001",
        quantity=Decimal(1),
    )
    other_identity = lists.Owner(user_id=user.id, punchout_identity_id=999_999)
    with pytest.raises(NotFound):
        lists.get(db_session, actor=actor, owner=other_identity, list_id=created.id)
    assert created in lists.visible(db_session, actor=actor, owner=shop_owner)
    assert created not in lists.visible(db_session, actor=actor, owner=other_identity)
    lists.set_shared(
        db_session, actor=actor, owner=shop_owner, list_id=created.id, shared=True, now=utcnow()
    )
    assert lists.get(db_session, actor=actor, owner=other_identity, list_id=created.id) is created
    with pytest.raises(PermissionDenied):
        lists.add_item(
            db_session,
            actor=actor,
            owner=other_identity,
            list_id=created.id,
            sku="DEMO-0002",
            quantity=Decimal(1),
        )


def test_a_quote_needs_a_cart_with_lines_and_only_open_quotes_are_answered(
    db_session: Session,
) -> None:
    user = user_named(db_session, "buyer@1001.demo")
    actor = actor_of(db_session, user)
    organisation = customer(db_session)
    cart = carts.open_cart(db_session, actor=actor)
    with pytest.raises(InvalidInput, match="nothing to ask"):
        quotes.request_quote(
            db_session, actor=actor, cart=cart, organisation=organisation, note="", now=utcnow()
        )
    carts.add_item(db_session, actor=actor, cart=cart, sku="DEMO-0003", quantity=Decimal(2))
    quote = quotes.request_quote(
        db_session, actor=actor, cart=cart, organisation=organisation, note="hi", now=utcnow()
    )
    assert cart.lines == []
    assert [(line.position, line.product.sku) for line in quote.lines] == [(1, "DEMO-0003")]
    with pytest.raises(InvalidInput, match="is requested: it cannot be accepted"):
        quotes.accept(
            db_session, actor=actor, quote_id=quote.id, cart=cart, today=TODAY, now=utcnow()
        )
    quotes.decline(db_session, actor=actor, quote_id=quote.id, today=TODAY, now=utcnow())
    desk = actor_of(db_session, user_named(db_session, "service@supplier.demo"), "SUPPLIER")
    with pytest.raises(InvalidInput, match="is declined: it cannot be answered"):
        quotes.answer(
            db_session,
            actor=desk,
            quote_id=quote.id,
            prices={quote.lines[0].id: "1.00"},
            valid_until="2099-01-01",
            note="",
            today=TODAY,
            now=utcnow(),
        )


def test_a_quote_asked_by_staff_shopping_as_the_user_names_the_staff_member(
    db_session: Session,
) -> None:
    user = user_named(db_session, "buyer@1001.demo")
    desk = user_named(db_session, "service@supplier.demo")
    actor = replace(actor_of(db_session, user), acting_staff_id=desk.id)
    cart = carts.open_cart(db_session, actor=actor)
    carts.add_item(db_session, actor=actor, cart=cart, sku="DEMO-0003", quantity=Decimal(2))
    quote = quotes.request_quote(
        db_session, actor=actor, cart=cart, organisation=customer(db_session), note="", now=utcnow()
    )
    assert (quote.user_id, quote.placed_by_id) == (user.id, desk.id)
    [entry] = db_session.scalars(
        select(AuditEntry).where(AuditEntry.subject == quote.reference)
    ).all()
    assert (entry.action, entry.actor_id, entry.on_behalf_of_id) == (
        "quote.request",
        desk.id,
        user.id,
    )
