"""Migration 0013 turns the punchout users of before into partner identities (their history
stays theirs and their next punchout finds them again), gives captured shop accounts, invited
users and staff no identity, and repairs partner default roles that were staff roles."""

from __future__ import annotations

import json
import logging
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from gateway import cxml
from gateway.cxml import Contact, Operation, PunchOutSetupRequest
from gateway.engines import make_engine
from gateway.migrate import upgrade_to
from gateway.models import TradingPartner, User
from gateway.services.punchout import identities

WHEN = "2026-06-01 10:00:00"
_tokens = count()


def insert(connection: Connection, table: str, **values: Any) -> int:
    names = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)  # noqa: S608 - test data
    return int(connection.execute(text("SELECT last_insert_rowid()")).scalar_one())


def role(connection: Connection, name: str, kind: str, rights: list[str]) -> int:
    return insert(connection, "role", name=name, kind=kind, permissions=json.dumps(rights))


def customer(connection: Connection, number: str) -> int:
    return insert(
        connection, "organisation", number=number, name=number, currency="EUR", active=1,
        created_at=WHEN,
    )  # fmt: skip


def user(connection: Connection, email: str, password: str | None = None) -> int:
    return insert(
        connection, "user_account", email=email, name=email, password_hash=password, active=1,
        created_at=WHEN,
    )  # fmt: skip


def partner(connection: Connection, name: str, organisation: int, default_role: str) -> int:
    return insert(
        connection, "trading_partner", name=name, protocol="cxml", organisation_id=organisation,
        secret_digest="x", allowed_url_prefixes="[]", cart_encoding="base64",
        operation_allowed="edit", default_role=default_role, replay_protection=1, active=1,
        created_at=WHEN,
    )  # fmt: skip


def punchout(connection: Connection, partner_id: int, organisation: int, user_id: int) -> None:
    session_id = insert(
        connection, "punchout_session", partner_id=partner_id, organisation_id=organisation,
        user_id=user_id, operation="create", buyer_cookie="c", return_url="https://b.example/",
        payload_id="p", buyer_credentials="[]", token_digest=f"token-{next(_tokens)}",
        token_expires_at=WHEN, status="transferred", created_at=WHEN,
    )  # fmt: skip
    insert(
        connection, "cart", organisation_id=organisation, user_id=user_id,
        punchout_session_id=session_id, status="transferred", created_at=WHEN,
    )  # fmt: skip


def test_punchout_users_become_identities_and_staff_default_roles_are_repaired(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade_to(engine, "0012")
    with engine.begin() as connection:
        punchout_role = role(connection, "punchout", "customer", ["punchout:cart:transfer"])
        role(connection, "buyer", "customer", ["shop:order:place"])
        staff_role = role(connection, "admin", "internal", ["admin:partner:write"])
        role(connection, "sneaky", "customer", ["shop:catalog:read", "staff:customer:read"])
        first, second, supplier = (customer(connection, n) for n in ("1001", "1002", "SUPPLIER"))
        acme = partner(connection, "Acme SRM", first, "admin")
        other = partner(connection, "Other buyer", second, "sneaky")
        partner(connection, "Kept", first, "buyer")
        jane = user(connection, "jane@acme-srm.punchout.invalid")  # a UniqueName/Contact user
        pete = user(connection, "pete@buyer.example")  # a punchout user named by e-mail
        shop_account = user(connection, "bea@1001.test", password="hash")  # captured by e-mail
        invited = user(connection, "new@1001.test")  # invited, no password yet
        staff = user(connection, "service@supplier.test")  # a staff account, not yet accepted
        insert(
            connection, "invitation", user_id=invited, organisation_id=first, token_digest="i",
            created_at=WHEN, expires_at=WHEN,
        )  # fmt: skip
        insert(
            connection, "membership", user_id=staff, organisation_id=supplier, role_id=staff_role
        )
        for member in (jane, pete, shop_account, invited, staff):
            insert(
                connection, "membership", user_id=member, organisation_id=first,
                role_id=punchout_role,
            )  # fmt: skip
        insert(
            connection, "membership", user_id=pete, organisation_id=second, role_id=punchout_role
        )
        for person in (jane, jane, pete, shop_account, invited, staff):
            punchout(connection, acme, first, person)
        punchout(connection, other, second, pete)

    with caplog.at_level(logging.WARNING, logger="alembic.runtime.migration"):
        upgrade_to(engine, "0013")
    warnings = "\n".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    for told in (
        "'Acme SRM': default role 'admin' is a staff role; set to the customer role 'punchout'",
        "'Other buyer': default role 'sneaky' is a staff role",
        "the existing account 'bea@1001.test'",
        "the existing account 'new@1001.test'",
        "the existing account 'service@supplier.test'",
    ):
        assert told in warnings
    assert "jane@" not in warnings

    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT partner_id, key, user_id, shop_account FROM punchout_identity")
        ).all()
        roles = dict(
            connection.execute(text("SELECT name, default_role FROM trading_partner")).all()
        )
        matching = set(
            connection.execute(text("SELECT match_shop_accounts FROM trading_partner")).scalars()
        )
        carts = connection.execute(text("SELECT user_id FROM cart ORDER BY id")).scalars().all()
    assert sorted(tuple(row) for row in rows) == sorted(
        [
            (acme, "legacy:jane@acme-srm.punchout.invalid", jane, False),
            (acme, "legacy:pete@buyer.example", pete, False),
            (other, "legacy:pete@buyer.example", pete, False),
        ]
    )
    assert roles == {"Acme SRM": "punchout", "Other buyer": "punchout", "Kept": "buyer"}
    assert matching == {False}
    assert carts == [jane, jane, pete, shop_account, invited, staff, pete]  # history kept

    # Their next punchout finds them again (the Contact's name, as before, or UniqueName), with
    # the code of today: the later revisions first.
    upgrade_to(engine, "head")
    with Session(engine) as session:
        acme_partner = session.get_one(TradingPartner, acme)
        jane_again = punchout_user(
            session, acme_partner, contacts=(Contact(name="Jane", email=None, role="endUser"),)
        )
        assert jane_again.id == jane
        pete_again = punchout_user(
            session,
            acme_partner,
            extrinsics=(
                cxml.Extrinsic(name="UniqueName", value="pete"),
                cxml.Extrinsic(name="UserEmail", value="pete@buyer.example"),
            ),
        )
        assert pete_again.id == pete
        bea = punchout_user(
            session,
            acme_partner,
            extrinsics=(cxml.Extrinsic(name="UserEmail", value="bea@1001.test"),),
        )
        assert bea.id not in (shop_account, invited, staff)
        session.rollback()
    engine.dispose()


def punchout_user(session: Session, partner: TradingPartner, **parts: Any) -> User:
    """The user a create request of `partner` with these parts acts as."""
    request = PunchOutSetupRequest(
        operation=Operation.CREATE, buyer_cookie="c", browser_form_post_url="https://b/", **parts
    )
    claim = identities.cxml_claim(request, partner_name=partner.name)
    return identities.punchout_user(session, partner=partner, claim=claim)
