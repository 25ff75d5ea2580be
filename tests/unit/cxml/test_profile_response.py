"""ProfileResponse: service options first, then transactions; DTD-valid."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway import cxml
from gateway.cxml import OutboundDocumentError, StatusCode
from gateway.cxml.hardened_xml import parse_xml
from tests.cxml_checks import assert_valid_cxml

OK = cxml.Status(code=StatusCode.OK, text="OK")


def test_options_come_first_and_the_document_is_valid() -> None:
    profile = cxml.ProfileResponse(
        effective_date=datetime(2026, 1, 1, tzinfo=UTC),
        options=(cxml.ProfileOption(name="Service.Note", value="ping ok"),),
        transactions=(
            cxml.ProfileTransaction(
                request_name="PunchOutSetupRequest",
                url="https://gw.example/cxml",
                options=(cxml.ProfileOption(name="operationAllowed", value="create"),),
            ),
        ),
    )
    body = cxml.build(
        cxml.Response(status=OK, body=profile),
        payload_id="p@gw.example",
        timestamp=datetime.now(UTC),
    )
    assert_valid_cxml(body)
    [element] = parse_xml(body).iterfind("Response/ProfileResponse")
    assert element.get("effectiveDate") == "2026-01-01T00:00:00+00:00"
    assert [child.tag for child in element] == ["Option", "Transaction"]
    assert [child.tag for child in element[1]] == ["URL", "Option"]


def test_a_profile_without_transactions_is_never_built() -> None:
    profile = cxml.ProfileResponse(effective_date=datetime.now(UTC), transactions=())
    with pytest.raises(OutboundDocumentError, match="at least one Transaction"):
        cxml.build(
            cxml.Response(status=OK, body=profile), payload_id="p@gw", timestamp=datetime.now(UTC)
        )
