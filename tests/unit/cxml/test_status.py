from __future__ import annotations

import pytest

from gateway.cxml import StatusCode


@pytest.mark.parametrize(
    ("code", "phrase"),
    [
        (200, "OK"),
        (201, "Accepted"),
        (204, "No Content"),
        (400, "Bad Request"),
        (401, "Unauthorized"),
        (402, "Payment Required"),
        (403, "Forbidden"),
        (406, "Not Acceptable"),
        (409, "Conflict"),
        (412, "Precondition Failed"),
        (417, "Expectation Failed"),
        (450, "Not Implemented"),
        (475, "Signature Required"),
        (476, "Signature Verification Failed"),
        (477, "Signature Unacceptable"),
        (500, "Internal Server Error"),
        (560, "Temporary server error"),
    ],
)
def test_every_code_has_its_cxml_phrase(code: int, phrase: str) -> None:
    assert StatusCode(code).phrase == phrase


def test_the_table_above_covers_every_code() -> None:
    assert len(StatusCode) == 17


@pytest.mark.parametrize("code", list(StatusCode))
def test_only_2xx_is_success(code: StatusCode) -> None:
    assert code.is_success == (200 <= code.value < 300)


def test_codes_compare_as_integers() -> None:
    assert StatusCode.NOT_ACCEPTABLE == 406
    assert StatusCode(450) is StatusCode.NOT_IMPLEMENTED
