"""API tokens: `gateway api token create|list|revoke`, stored as keyed digests, and the 401s of
a missing, wrong, expired or revoked token."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.auth.credentials import secret_digest
from gateway.auth.permissions import Permission
from gateway.cli.api import api_group
from gateway.db import utcnow
from gateway.errors import InvalidInput
from gateway.models import ApiToken, User
from gateway.services import api_tokens
from tests.api import bearer, make_token
from tests.conftest import DIGEST_KEY


def test_create_prints_the_token_once_and_stores_only_its_keyed_digest(
    app: Flask, db_session: Session
) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        api_group,
        [
            *("token", "create", "--name", "sap", "--scope", "orders:read"),
            *("--scope", "orders:write", "--customer", "1001", "--expires", "30"),
        ],
    )
    assert created.exit_code == 0, created.output
    value = created.output.strip().splitlines()[-1]
    token = db_session.scalars(select(ApiToken).where(ApiToken.name == "sap")).one()
    assert token.digest == secret_digest(value, DIGEST_KEY)
    assert value not in token.digest
    assert token.scopes == ["orders:read", "orders:write"]
    assert [customer.number for customer in token.customers] == ["1001"]
    assert token.expires_at is not None
    service_user = db_session.get_one(User, token.user_id)
    assert not service_user.active
    assert service_user.password_hash is None

    listed = runner.invoke(api_group, ["token", "list"])
    assert listed.exit_code == 0
    assert "sap\tactive\torders:read,orders:write\t1001" in listed.output
    assert value not in listed.output

    assert runner.invoke(api_group, ["token", "revoke", "sap"]).exit_code == 0
    assert "sap\trevoked" in runner.invoke(api_group, ["token", "list"]).output
    unknown = runner.invoke(api_group, ["token", "revoke", "nobody"])
    assert unknown.exit_code == 2
    assert "There is no token named nobody." in unknown.output


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        (["--name", "Bad name", "--scope", "orders:read"], "lower-case letters"),
        (["--name", "x", "--scope", "orders:delete"], "Invalid value for '--scope'"),
        (["--name", "x", "--scope", "orders:read", "--customer", "0000"], "no customer 0000"),
        (["--name", "x", "--scope", "orders:read", "--expires", "0"], "1 to 3650 days"),
    ],
)
def test_create_refuses_wrong_input(app: Flask, arguments: list[str], reason: str) -> None:
    result = app.test_cli_runner().invoke(api_group, ["token", "create", *arguments])
    assert result.exit_code == 2
    assert reason in result.output


def test_a_name_is_taken_once(db_session: Session) -> None:
    make_token(db_session, "orders:read", name="twice")
    with pytest.raises(InvalidInput, match="exists already"):
        make_token(db_session, "orders:read", name="twice")


def test_an_actor_reaches_the_token_customers_only_or_all(db_session: Session) -> None:
    make_token(db_session, "orders:read", name="limited", customers=["1001"])
    make_token(db_session, "orders:write", name="all")
    limited = db_session.scalars(select(ApiToken).where(ApiToken.name == "limited")).one()
    everyone = db_session.scalars(select(ApiToken).where(ApiToken.name == "all")).one()
    limited_actor = api_tokens.token_actor(db_session, limited)
    all_actor = api_tokens.token_actor(db_session, everyone)
    assert limited_actor.assigned == {limited.customers[0].id}
    assert Permission.STAFF_CUSTOMER_READ_ALL not in limited_actor.permissions
    assert Permission.API_ORDERS_READ in limited_actor.permissions
    assert Permission.API_ORDERS_WRITE not in limited_actor.permissions
    assert Permission.STAFF_CUSTOMER_READ_ALL in all_actor.permissions
    assert {Permission.STAFF_ORDER_FULFIL, Permission.STAFF_ORDER_DECIDE} <= all_actor.permissions


def refused(client: FlaskClient, headers: dict[str, str]) -> None:
    answer = client.get("/api/v1/orders", headers=headers)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.json is not None
    assert answer.json["status"] == 401


def test_missing_wrong_expired_and_revoked_tokens_get_401(
    client: FlaskClient, db_session: Session
) -> None:
    value = make_token(db_session, "orders:read", name="soon", expires_days=1)
    assert client.get("/api/v1/orders", headers=bearer(value)).status_code == 200
    refused(client, {})
    refused(client, {"Authorization": "Basic dXNlcjpwYXNz"})
    refused(client, bearer(value[:-2] + "xx"))
    refused(client, bearer("not-even-a-token"))
    db_session.execute(
        update(ApiToken)
        .where(ApiToken.name == "soon")
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db_session.commit()
    refused(client, bearer(value))

    other = make_token(db_session, "orders:read", name="revoked")
    api_tokens.revoke_token(db_session, name="revoked", now=utcnow())
    db_session.commit()
    refused(client, bearer(other))
