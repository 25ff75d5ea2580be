"""Admins manage API tokens in the browser: create (shown once), list, revoke; audited."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import AuditEntry
from tests import buyer, staff
from tests.api import bearer


def post(client: FlaskClient, path: str, data: dict[str, object]) -> tuple[int, str]:
    page = client.get("/admin/api-tokens")
    answer = client.post(path, data={**data, "csrf_token": buyer.csrf_token(page.text)})
    return answer.status_code, answer.text


def test_an_admin_creates_lists_and_revokes_a_token(
    client: FlaskClient, db_session: Session
) -> None:
    staff.log_in(client)
    page = client.get("/admin/api-tokens")
    assert page.status_code == 200
    assert 'data-nav="api-tokens"' in page.text
    assert "data-no-tokens" in page.text  # says so, rather than an empty table
    status, text = post(
        client,
        "/admin/api-tokens",
        {"name": "exact", "scope": ["orders:read", "catalog:read"], "customers": "1001"},
    )
    assert status == 200
    found = re.search(r"data-secret>([^<]+)<", text)
    assert found is not None
    value = found.group(1)
    assert client.get("/api/v1/orders", headers=bearer(value)).status_code == 200
    listing = client.get("/admin/api-tokens").text
    assert 'data-token="exact" data-state="active"' in listing
    assert value not in listing
    status, _ = post(client, "/admin/api-tokens/exact/revoke", {})
    assert status == 302
    assert 'data-token="exact" data-state="revoked"' in client.get("/admin/api-tokens").text
    assert client.get("/api/v1/orders", headers=bearer(value)).status_code == 401
    actions = db_session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == "exact").order_by(AuditEntry.id)
    ).all()
    assert actions == ["api_token.create", "api_token.revoke"]


def test_wrong_input_is_shown_with_the_form(client: FlaskClient) -> None:
    staff.log_in(client)
    status, text = post(client, "/admin/api-tokens", {"name": "x", "expires_days": "soon"})
    assert status == 400
    assert "A token expires after 1 to 3650 days." in text
    assert 'data-message="error"' in text  # styled as an error, announced as an alert
    status, text = post(client, "/admin/api-tokens", {"name": "x"})
    assert status == 400
    assert "Give one or more scopes of" in text


def test_the_page_speaks_dutch(client: FlaskClient) -> None:
    staff.log_in(client)
    page = client.get("/admin/api-tokens", headers={"Accept-Language": "nl"})
    assert "Nieuw token" in page.text
    assert "Token aanmaken" in page.text


def test_only_admins_manage_tokens(client: FlaskClient, db_session: Session) -> None:
    staff.make_staff(db_session, "service@api.test", "customer_service")
    staff.log_in(client, "service@api.test")
    assert client.get("/admin/api-tokens").status_code == 403
