"""CredentialMac partners: the MAC replaces the SharedSecret; the key is stored encrypted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway import create_app
from gateway.auth.encryption import decrypt
from gateway.cli import main
from gateway.errors import ConfigurationError, InvalidInput
from gateway.models import Order, PartnerOrderSettings, PunchOutSession
from gateway.services.partners.order_settings import configure
from tests import buyer
from tests.conftest import ENCRYPTION_KEY, TEST_CONFIG
from tests.integration.test_cxml_punchout import post_cxml

MAC_SECRET = "mac-secret-42"


@pytest.fixture
def mac_partner(db_session: Session) -> PartnerOrderSettings:
    row = configure(
        db_session,
        partner_name="demo-cxml",
        credential_mac_secret=MAC_SECRET,
        encryption_key=ENCRYPTION_KEY,
    )
    db_session.commit()
    return row


def window(start: int, end: int) -> dict[str, datetime]:
    now = datetime.now(UTC)
    return {"created": now + timedelta(minutes=start), "expires": now + timedelta(minutes=end)}


def test_secret_is_stored_encrypted(mac_partner: PartnerOrderSettings) -> None:
    assert mac_partner.credential_mac_secret is not None
    assert MAC_SECRET.encode() not in mac_partner.credential_mac_secret
    assert decrypt(mac_partner.credential_mac_secret, ENCRYPTION_KEY) == MAC_SECRET


def test_valid_mac_authenticates_orders_setups_and_profiles(
    client: FlaskClient, db_session: Session, mac_partner: PartnerOrderSettings
) -> None:
    sender = buyer.mac_sender(MAC_SECRET, **window(-5, 60))
    assert buyer.status_of(post_cxml(client, buyer.order_request(sender=sender))) == (200, "OK")
    assert buyer.status_of(post_cxml(client, buyer.setup_request(sender=sender)))[0] == 200
    assert buyer.status_of(post_cxml(client, buyer.profile_request(sender=sender)))[0] == 200
    assert db_session.scalar(select(func.count()).select_from(Order)) == 1


@pytest.mark.parametrize(
    ("secret", "minutes"),
    [
        (MAC_SECRET, (-120, -60)),  # expired
        (MAC_SECRET, (10, 60)),  # created in the future
        ("wrong-secret-1", (-5, 60)),
    ],
    ids=["expired", "future", "wrong-secret"],
)
def test_bad_macs_get_the_same_401_as_a_wrong_secret(
    client: FlaskClient,
    db_session: Session,
    mac_partner: PartnerOrderSettings,
    secret: str,
    minutes: tuple[int, int],
) -> None:
    sender = buyer.mac_sender(secret, **window(*minutes))  # from now: a slow run stays valid
    wrong_secret = buyer.status_of(post_cxml(client, buyer.order_request(secret="nope-nope")))
    assert buyer.status_of(post_cxml(client, buyer.order_request(sender=sender))) == wrong_secret
    assert wrong_secret[0] == 401
    assert buyer.status_of(post_cxml(client, buyer.setup_request(sender=sender)))[0] == 401
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0
    assert db_session.scalar(select(func.count()).select_from(PunchOutSession)) == 0


def test_mac_from_a_partner_not_set_up_for_it_is_refused(
    client: FlaskClient, db_session: Session
) -> None:
    sender = buyer.mac_sender("demo-secret", **window(-5, 60))
    assert buyer.status_of(post_cxml(client, buyer.order_request(sender=sender)))[0] == 401
    assert db_session.scalar(select(func.count()).select_from(Order)) == 0


def test_configuration_errors_are_clear(db_session: Session) -> None:
    with pytest.raises(ConfigurationError, match="GATEWAY_ENCRYPTION_KEY is not set"):
        configure(db_session, partner_name="demo-cxml", credential_mac_secret=MAC_SECRET)
    with pytest.raises(InvalidInput, match="No partner named"):
        configure(db_session, partner_name="nobody", async_acknowledgement=True)
    with pytest.raises(InvalidInput, match="at least 8"):
        configure(
            db_session,
            partner_name="demo-cxml",
            credential_mac_secret="short",
            encryption_key=ENCRYPTION_KEY,
        )


def test_cli_sets_the_order_options(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"})
    runner = app.test_cli_runner()
    assert runner.invoke(main, ["seed-demo"]).exit_code == 0
    args = ["partner", "order-settings", "--name", "demo-cxml", "--async-ack"]
    result = runner.invoke(main, [*args, "--credential-mac-secret", MAC_SECRET])
    assert result.exit_code == 0, result.output
    assert "answered 201 Accepted; CredentialMac on" in result.output
    result = runner.invoke(
        main, ["partner", "order-settings", "--name", "demo-cxml", "--no-credential-mac"]
    )
    assert "answered 201 Accepted; CredentialMac off" in result.output
    result = runner.invoke(main, ["partner", "order-settings", "--name", "nobody", "--sync-ack"])
    assert result.exit_code != 0
    assert "No partner named" in result.output
