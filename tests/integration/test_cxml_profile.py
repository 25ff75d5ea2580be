"""ProfileRequest → ProfileResponse: the transactions we accept, their URLs and options."""

from __future__ import annotations

from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.cxml.hardened_xml import parse_xml
from gateway.models import PartnerOrderSettings, TradingPartner
from tests import buyer
from tests.cxml_checks import assert_valid_cxml
from tests.integration.test_cxml_punchout import post_cxml


def profile_of(client: FlaskClient) -> etree._Element:
    answer = post_cxml(client, buyer.profile_request())
    assert_valid_cxml(answer)
    assert buyer.status_of(answer) == (200, "OK")
    root = parse_xml(answer)
    [profile] = root.iterfind("Response/ProfileResponse")
    return profile


def test_profile_lists_each_transaction_with_our_url(client: FlaskClient) -> None:
    profile = profile_of(client)
    assert profile.get("effectiveDate")
    children = [child.tag for child in profile]
    assert children == ["Transaction"] * 3  # no service options: Options would come first
    transactions = {t.get("requestName"): t for t in profile.iterfind("Transaction")}
    assert list(transactions) == ["ProfileRequest", "PunchOutSetupRequest", "OrderRequest"]
    for transaction in transactions.values():
        assert transaction.findtext("URL") == "http://localhost/cxml"
    setup = transactions["PunchOutSetupRequest"]
    options = {o.get("name"): o.text for o in setup.iterfind("Option")}
    assert options == {"operationAllowed": "create inspect edit"}


def test_profile_advertises_credential_mac_to_partners_using_it(
    client: FlaskClient, db_session: Session
) -> None:
    partner = db_session.scalars(select(TradingPartner).where(TradingPartner.name == "demo-cxml"))
    db_session.add(PartnerOrderSettings(partner_id=partner.one().id, credential_mac_secret=b"x"))
    db_session.commit()
    setup = profile_of(client).find("Transaction[@requestName='PunchOutSetupRequest']")
    assert setup is not None
    options = [(o.get("name"), o.text) for o in setup.iterfind("Option")]
    assert options == [
        ("operationAllowed", "create inspect edit"),
        ("Direct.AuthenticationMethod.CredentialMac", "Yes"),
    ]


def test_profile_needs_valid_credentials(client: FlaskClient) -> None:
    answer = post_cxml(client, buyer.profile_request(secret="wrong-secret"))
    assert buyer.status_of(answer)[0] == 401
    assert b"ProfileResponse" not in answer
