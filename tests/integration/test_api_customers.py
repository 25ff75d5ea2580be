"""`/api/v1/customers`: list and get the customers a token reaches; register prospects."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from gateway.models import AgentAssignment, ApiToken, AuditEntry, Organisation
from tests.api import bearer, make_token
from tests.statements import counted

PROSPECT = {
    "name": "Initech",
    "coc_number": "55512345",
    "street": "Side Street 2",
    "postcode": "3511 AA",
    "city": "Utrecht",
    "contact_name": "Peter",
    "contact_email": "peter@initech.test",
}


def call(client: FlaskClient, method: str, path: str, token: str, body: object = None) -> Any:
    answer = client.open(path, method=method, headers=bearer(token), json=body)
    return answer.status_code, answer.json


def test_list_and_get_the_reachable_customers(client: FlaskClient, db_session: Session) -> None:
    everyone = make_token(db_session, "customers:read", name="all")
    limited = make_token(db_session, "customers:read", name="acme", customers=["1001"])
    status, listed = call(client, "GET", "/api/v1/customers", everyone)
    assert status == 200
    numbers = [item["number"] for item in listed["items"]]
    assert {"1001", "1002"} <= set(numbers)
    assert "SUPPLIER" not in numbers
    assert [
        item["number"] for item in call(client, "GET", "/api/v1/customers", limited)[1]["items"]
    ] == ["1001"]
    status, acme = call(client, "GET", "/api/v1/customers/1001", everyone)
    assert (status, acme["name"], acme["status"]) == (200, "Acme Municipality", "active")
    assert {address["kind"] for address in acme["addresses"]} >= {"billing"}
    assert call(client, "GET", "/api/v1/customers/1002", limited)[0] == 404
    assert call(client, "GET", "/api/v1/customers/SUPPLIER", everyone)[0] == 404
    _, found = call(client, "GET", "/api/v1/customers?q=globex", everyone)
    assert [item["number"] for item in found["items"]] == ["1002"]


def test_register_a_prospect_assigned_to_the_token(
    client: FlaskClient, db_session: Session
) -> None:
    token = make_token(db_session, "customers:read", "customers:write")
    status, created = call(client, "POST", "/api/v1/customers", token, PROSPECT)
    assert status == 201, created
    assert (created["status"], created["active"], created["coc_number"]) == (
        "prospect",
        False,
        "55512345",
    )
    organisation = db_session.scalars(
        select(Organisation).where(Organisation.number == created["number"])
    ).one()
    token_user = db_session.scalars(select(ApiToken.user_id)).one()
    assert db_session.scalars(
        select(AgentAssignment.agent_id).where(AgentAssignment.organisation_id == organisation.id)
    ).all() == [token_user]
    assert db_session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.actor_id == token_user, AuditEntry.subject == created["number"]
        )
    ).all() == ["customer.register"]
    status, problem = call(client, "POST", "/api/v1/customers", token, PROSPECT)
    assert status == 409
    assert "55512345" in problem["detail"]


def test_prospect_refusals(client: FlaskClient, db_session: Session) -> None:
    reader = make_token(db_session, "customers:read", name="reader")
    writer = make_token(db_session, "customers:write", name="writer")
    assert call(client, "POST", "/api/v1/customers", reader, PROSPECT)[0] == 403
    status, problem = call(
        client, "POST", "/api/v1/customers", writer, {**PROSPECT, "coc_number": "123"}
    )
    assert status == 422
    assert [error["field"] for error in problem["errors"]] == ["coc_number"]
    assert call(client, "GET", "/api/v1/customers", writer)[0] == 403


@pytest.mark.parametrize("name", ["Ini\x00tech", "Initech \ud800"])
def test_text_a_database_cannot_hold_is_a_422(
    client: FlaskClient, db_session: Session, name: str
) -> None:
    token = make_token(db_session, "customers:write")
    answer = client.post(
        "/api/v1/customers",
        headers={**bearer(token), "Content-Type": "application/json"},
        data=json.dumps({"name": name, "contact_email": "peter@initech.example"}),
    )
    assert answer.status_code == 422
    assert "name: no NUL characters or unpaired surrogates" in answer.json["errors"][0]["message"]


def test_the_list_reads_every_customers_addresses_in_one_query(
    client: FlaskClient, db_session: Session, connection: Connection
) -> None:
    token = make_token(db_session, "customers:read")
    for number in ("1001", "1002"):
        one = call(client, "GET", f"/api/v1/customers/{number}", token)[1]
        listed = next(
            item
            for item in call(client, "GET", "/api/v1/customers", token)[1]["items"]
            if item["number"] == number
        )
        assert listed["addresses"] == one["addresses"]
    with counted(connection) as one_customer:
        assert len(call(client, "GET", "/api/v1/customers?q=globex", token)[1]["items"]) == 1
    with counted(connection) as every_customer:
        assert len(call(client, "GET", "/api/v1/customers", token)[1]["items"]) >= 2
    assert len(every_customer) == len(one_customer)
