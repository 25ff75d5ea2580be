"""Every bad OCI input of issue 6: a clear error page, no punchout, nothing posted anywhere."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.models import MessageLogEntry, PunchOutSession, ShopSession, TradingPartner
from tests.integration.test_oci_punchout import make_partner, product
from tests.oci_buyer import HOOK_URL


def counts(db_session: Session) -> tuple[int, int]:
    return (
        db_session.scalar(select(func.count()).select_from(PunchOutSession)) or 0,
        db_session.scalar(select(func.count()).select_from(ShopSession)) or 0,
    )


def refusals(db_session: Session) -> list[MessageLogEntry]:
    return list(
        db_session.scalars(
            select(MessageLogEntry).where(MessageLogEntry.document_type == "OCI call refused")
        )
    )


def call(client: FlaskClient, method: str, fields: dict[str, str]):
    if method == "GET":
        return client.get("/oci?" + urlencode(fields))
    return client.post("/oci", data=fields)


UNKNOWN_PRODUCT = "PRODUCTID is not in this catalog"
GOOD = {"USERNAME": "demo-oci", "PASSWORD": "demo", "HOOK_URL": HOOK_URL}


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    "fields",
    [
        {**GOOD, "PASSWORD": "wrong-password-1"},
        {**GOOD, "USERNAME": "nobody", "PASSWORD": "wrong-password-1"},
        {"USERNAME": "demo-oci", "HOOK_URL": HOOK_URL},
        {"PASSWORD": "wrong-password-1", "HOOK_URL": HOOK_URL},
        {"HOOK_URL": HOOK_URL},
        {**GOOD, "USERNAME": "DEMO-OCI"},  # user names are exact
    ],
    ids=["wrong-password", "unknown-user", "no-password", "no-user", "no-login", "user-case"],
)
def test_wrong_or_missing_credentials_get_one_clear_401(
    client: FlaskClient, db_session: Session, method: str, fields: dict[str, str]
) -> None:
    before = counts(db_session)
    response = call(client, method, fields)
    assert response.status_code == 401
    assert "Unknown user or wrong password" in response.text
    assert "demo-oci" not in response.text.replace("punchout-gateway", "")
    assert counts(db_session) == before
    (logged,) = refusals(db_session)
    assert logged.protocol == "oci"
    assert logged.status_code == 401
    assert "wrong-password-1" not in logged.body
    assert "PASSWORD" not in logged.body


def test_a_disabled_partner_cannot_log_in(client: FlaskClient, db_session: Session) -> None:
    partner = db_session.scalars(
        select(TradingPartner).where(TradingPartner.name == "demo-oci")
    ).one()
    partner.active = False
    db_session.flush()
    assert call(client, "GET", GOOD).status_code == 401


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(
    ("hook_url", "message"),
    [
        ("", "HOOK_URL is missing"),
        ("https://attacker.example/steal", "not an allowed return address"),
        ("http://127.0.0.1.attacker.example/x", "not an allowed return address"),
        ("javascript:alert(document.cookie)", "not an allowed return address"),
        ("data:text/html,<script>alert(1)</script>", "not an allowed return address"),
        ("SAPEVENT:POST", "not an allowed return address"),
        ("//127.0.0.1/x", "not an allowed return address"),
    ],
)
def test_bad_hook_urls_are_refused(
    client: FlaskClient, db_session: Session, method: str, hook_url: str, message: str
) -> None:
    before = counts(db_session)
    response = call(client, method, {**GOOD, "HOOK_URL": hook_url})
    assert response.status_code == 400
    assert message in response.text
    assert "<script>" not in response.text
    assert counts(db_session) == before
    assert refusals(db_session)[0].status_code == 400


def test_plain_http_is_refused_where_no_prefix_says_http(
    client: FlaskClient, db_session: Session
) -> None:
    login = make_partner(db_session, urls=("https://srm.buyer.example/sap",))
    before = counts(db_session)
    for url in ("http://srm.buyer.example/sap/bc", "https://srm.buyer.example:8443/sap/bc"):
        response = call(client, "GET", {**login, "HOOK_URL": url})
        assert response.status_code == 400, url
    assert counts(db_session) == before
    allowed = call(client, "GET", {**login, "HOOK_URL": "https://srm.buyer.example/sap/bc?x=1"})
    assert allowed.status_code == 302


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        ({"FUNCTION": "QUOTATION"}, 400, "FUNCTION &#39;QUOTATION&#39; is not supported"),
        ({"FUNCTION": "<b>x</b>"}, 400, "is not supported"),
        ({"FUNCTION": "DETAIL", "PRODUCTID": "NO-SUCH"}, 404, "PRODUCTID is not in this catalog"),
        (
            {"FUNCTION": "VALIDATE", "PRODUCTID": "NO-SUCH"},
            404,
            "PRODUCTID is not in this catalog",
        ),
        ({"FUNCTION": "QUANTITYCHECK", "EXT_PRODUCT_ID": "NO-SUCH"}, 404, "PRODUCTID"),
        ({"FUNCTION": "VALIDATE", "PRODUCTID": "DEMO-0001", "QUANTITY": "0"}, 400, "QUANTITY"),
        ({"returntarget": "javascript:x()"}, 400, "returntarget"),
        ({"HOOK_URL": HOOK_URL + "?~TARGET=x%22%3E%3Cb%3E"}, 400, "returntarget"),
        ({"http_content_charset": "UTF-7"}, 400, "http_content_charset"),
    ],
)
def test_bad_calls_get_a_clear_error_page_and_nothing_else(
    client: FlaskClient, db_session: Session, extra: dict[str, str], status: int, message: str
) -> None:
    before = counts(db_session)
    response = call(client, "GET", {**GOOD, **extra})
    assert response.status_code == status
    assert message in response.text
    assert "<form" not in response.text.split("<main", 1)[-1].split("</main>")[0]
    assert "<b>x</b>" not in response.text
    assert counts(db_session) == before


def test_an_inactive_product_is_outside_the_assortment(
    client: FlaskClient, db_session: Session
) -> None:
    product(db_session, "DEMO-0003").active = False
    db_session.flush()
    response = call(client, "GET", {**GOOD, "FUNCTION": "DETAIL", "PRODUCTID": "DEMO-0003"})
    assert response.status_code == 404


def test_the_password_never_reaches_a_log_or_the_message_log(
    client: FlaskClient, db_session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    login = make_partner(db_session, username="logged", password_field="SECRETWORD")
    secret = login["PASSWORD"]
    with caplog.at_level(logging.DEBUG):
        launched = client.get(
            "/oci?" + urlencode({"USERNAME": "logged", "SECRETWORD": secret, "HOOK_URL": HOOK_URL})
        )
        assert launched.status_code == 302
        client.get("/oci?" + urlencode({**GOOD, "PASSWORD": "another-" + secret}))
        client.post("/oci", data={**GOOD, "PASSWORD": "demo", "FUNCTION": "NOPE"})
        logging.getLogger("gateway.test").info("GET /oci?%s", urlencode(GOOD))
    assert secret not in caplog.text
    assert "PASSWORD=demo" not in caplog.text
    bodies = " ".join(entry.body for entry in db_session.scalars(select(MessageLogEntry)))
    assert secret not in bodies
    assert "PASSWORD=demo" not in bodies
    assert "SECRETWORD" not in bodies
    assert "USERNAME=logged" in bodies
