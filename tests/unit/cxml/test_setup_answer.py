"""The setup's answer from a template: the very bytes `build` writes (so the same XSD and DTD
checks hold), valid, and built the slow way whenever a value would need escaping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from gateway import cxml
from tests.cxml_checks import assert_valid_cxml

MOMENT = datetime(2026, 12, 4, 3, 4, 5, tzinfo=UTC)


def _built(url: str, payload_id: str, moment: datetime = MOMENT) -> bytes:
    ok = cxml.Status(code=cxml.StatusCode.OK, text=cxml.StatusCode.OK.phrase)
    answer = cxml.Response(status=ok, body=cxml.PunchOutSetupResponse(start_page_url=url))
    return cxml.build(answer, payload_id=payload_id, timestamp=moment)


@pytest.mark.parametrize(
    ("url", "payload_id"),
    [
        ("http://localhost/punchout/start/AbC-_123", "20261204T030405.12.ab@localhost"),
        ("https://shop.example:8443/sub/punchout/start/x?y=1;z=%20", "1@host.example"),
        ("https://shop.example/a&b/punchout/start/t", "a<b>@host"),  # escaped by lxml
        ('https://shop.example/"quoted"/start/t', "it's@host"),
        ("https://winkel.example/überall/start/t", "1@host"),  # not ASCII: built by lxml
    ],
)
def test_the_template_writes_what_build_writes(url: str, payload_id: str) -> None:
    answer = cxml.setup_answer(url, payload_id=payload_id, timestamp=MOMENT)
    assert answer == _built(url, payload_id)
    assert_valid_cxml(answer)
    document = cxml.parse(answer)
    assert document.payload_id == payload_id
    assert document.payload.body == cxml.PunchOutSetupResponse(start_page_url=url)


def test_the_timestamp_keeps_its_offset() -> None:
    moment = MOMENT.astimezone(timezone(timedelta(hours=1)))
    answer = cxml.setup_answer("http://h/punchout/start/t", payload_id="1@h", timestamp=moment)
    assert b'timestamp="2026-12-04T04:04:05+01:00"' in answer
    assert answer == _built("http://h/punchout/start/t", "1@h", moment)
