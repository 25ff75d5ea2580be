"""Password-like query values are blanked whole: up to the next `&`, whatever characters or
encodings they hold (issue #16, "Access log"), in every log line."""

from __future__ import annotations

import pytest

from gateway.logging import redact_line
from gateway.redaction import redact_queries

LEAK = "LEAKED"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # werkzeug logs the decoded path: a quote and a space reach the line as they are
        (
            '127.0.0.1 - - "GET /oci?USERNAME=u&PASSWORD=Wrong"LEAKED tail HTTP/1.1" 401 -',
            '127.0.0.1 - - "GET /oci?USERNAME=***&PASSWORD=*** HTTP/1.1" 401 -',
        ),
        (
            '"GET /login?next=/cart&password=a b"c\'d LEAKED HTTP/1.1" 200 -',
            '"GET /login?next=/cart&password=*** HTTP/1.1" 200 -',
        ),
        (
            '"GET /x?password=Wrong%22LEAKED%20tail%26more&page=2 HTTP/1.1" 200 -',
            '"GET /x?password=***&page=2 HTTP/1.1" 200 -',
        ),
        ('"GET /x?pwd=Wröng€LEAKED✓&q=pen HTTP/1.1" 200', '"GET /x?pwd=***&q=pen HTTP/1.1" 200'),
        ('"GET /x?Token=LEAKED\tand HTTP/1.0" 200', '"GET /x?Token=*** HTTP/1.0" 200'),
        ('"GET /x?PASS%57ORD=LEAKED&q=1 HTTP/1.1" 200', '"GET /x?PASS%57ORD=***&q=1 HTTP/1.1" 200'),
        ('"GET /x?client_secret=LEAKED HTTP/1.1" 200', '"GET /x?client_secret=*** HTTP/1.1" 200'),
        # a value that itself looks like the request line's end: the last one counts
        (
            '"GET /x?password=a HTTP/1.1 LEAKED HTTP/1.1" 200',
            '"GET /x?password=*** HTTP/1.1" 200',
        ),
        # with colours (werkzeug on a terminal) the protocol still ends the URL
        (
            '"\x1b[31mGET /oci/?LOGIN=LEAKED HTTP/1.1\x1b[0m" 401',
            '"\x1b[31mGET /oci/?LOGIN=*** HTTP/1.1\x1b[0m" 401',
        ),
        # outside an access log the value runs to the next & or the end of the line
        ("redirect to https://h/x?secret=LEAKED tail", "redirect to https://h/x?secret=***"),
        ("form body: a=1&password=LEAKED value&b=2", "form body: a=1&password=***&b=2"),
        ("password=LEAKED\nnext line", "password=***\nnext line"),
        ("GET /catalog?q=pen&page=2", "GET /catalog?q=pen&page=2"),
        ("Is this a question? yes", "Is this a question? yes"),
    ],
)
def test_password_like_values_are_blanked_to_the_next_ampersand(line: str, expected: str) -> None:
    assert redact_queries(line) == expected
    assert LEAK not in redact_line(line)


def test_a_long_line_without_a_query_is_read_once() -> None:
    line = "x" * 200_000 + "?" + "y" * 200_000  # would take minutes if matching were quadratic
    assert redact_queries(line) == line
