"""Audit pages name what happened in words (Dutch or English), keeping the code in
`data-audit-action`."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.services import audit
from tests import shop, staff
from tests.factories import customer, user_named


@pytest.mark.parametrize(
    ("locale", "shown"), [("nl", "Gebruiker uitgenodigd"), ("en", "User invited")]
)
def test_the_staff_audit_log_shows_actions_as_words(
    client: FlaskClient, db_session: Session, locale: str, shown: str
) -> None:
    audit.record(
        db_session,
        organisation_id=customer(db_session).id,
        actor_id=user_named(db_session, "superuser@1001.demo").id,
        action="user.invite",
        subject="new@1001.demo",
        now=utcnow(),
    )
    db_session.commit()
    staff.log_in(client)
    page = client.get("/staff/audit?action=user.", headers={"Accept-Language": locale}).text
    assert 'data-audit-action="user.invite"' in page
    assert f"<td>{shown}</td>" in page
    assert "<td>user.invite</td>" not in page


def test_the_customers_own_trail_shows_actions_as_words(
    client: FlaskClient, db_session: Session
) -> None:
    shop.login(client, "superuser@1001.demo")
    shop.post(client, "/locale", {"locale": "nl"})
    audit.record(
        db_session,
        organisation_id=customer(db_session).id,
        actor_id=user_named(db_session, "superuser@1001.demo").id,
        action="organisation.edit",
        now=utcnow(),
    )
    db_session.commit()
    page = client.get("/account/organisation").text
    assert 'data-audit-action="organisation.edit"' in page
    assert "Bedrijfsgegevens gewijzigd" in page
    assert ", organisation.edit" not in page
