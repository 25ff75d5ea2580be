"""`login_unknown_ratio` and `forgot_unknown_ratio`: what a response time tells about an address.

A failed login and a password-reset request, each for a demo account and for an address no
account has, alternate through the Flask test client (throttling raised out of the way); the
ratio of the medians (unknown / account) should be 1 within the machine's noise. The unit
tests count the work itself (hash checks, statements); this is the figure a visitor sees.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from flask.testing import FlaskClient

from benchmarks.database import app_for, database_url, fresh_database
from benchmarks.figures import report

ACCOUNT = "buyer@1001.demo"
UNKNOWN = "nobody@example.test"
PLENTY = 1_000_000  # attempts before a throttle answers 429: out of the way here


def _token(client: FlaskClient, path: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    if match is None:
        raise RuntimeError(f"{path} has no CSRF token")
    return match.group(1)


def _failed_login(client: FlaskClient, token: str, email: str) -> None:
    answer = client.post("/login", data={"email": email, "password": "wrong", "csrf_token": token})
    if answer.status_code != 401:  # noqa: PLR2004 - the refused login
        raise RuntimeError(f"login as {email} answered {answer.status_code}")


def _forgot(client: FlaskClient, token: str, email: str) -> None:
    answer = client.post("/password/forgot", data={"email": email, "csrf_token": token})
    if answer.status_code != 200:  # noqa: PLR2004 - the same page for every address
        raise RuntimeError(f"a reset for {email} answered {answer.status_code}")


def _alternating(runs: int, action: Callable[[str], None]) -> tuple[float, float]:
    """Median seconds of `action` for the account and for the unknown address, timed in turns
    (after one warm-up each), so that the shared machine's load falls on both alike."""
    times: dict[str, list[float]] = {ACCOUNT: [], UNKNOWN: []}
    for round_ in range(runs + 1):
        for email in (ACCOUNT, UNKNOWN) if round_ % 2 else (UNKNOWN, ACCOUNT):
            started = time.perf_counter()
            action(email)
            if round_:
                times[email].append(time.perf_counter() - started)
    return statistics.median(times[ACCOUNT]), statistics.median(times[UNKNOWN])


def bench_enumeration(quick: bool) -> None:
    """Median response times for an account and an unknown address, and their ratios."""
    runs = 5 if quick else 15
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(Path(folder))
        engine = fresh_database(url)
        app = app_for(url)
        app.config.update(
            GATEWAY_LOGIN_ATTEMPTS=PLENTY,
            GATEWAY_LOGIN_ADDRESS_ATTEMPTS=PLENTY,
            GATEWAY_RESET_ATTEMPTS=PLENTY,
            GATEWAY_RESET_ADDRESS_ATTEMPTS=PLENTY,
        )
        client = app.test_client()
        token = _token(client, "/login")
        timed = {
            name: _alternating(runs, partial(action, client, token))
            for name, action in (("login", _failed_login), ("forgot", _forgot))
        }
        app.extensions["gateway.db"].engine.dispose()
        engine.dispose()
    for name, (account, unknown) in timed.items():
        report(f"{name}_account_ms", account * 1000, "ms", "informational")
        report(f"{name}_unknown_ratio", unknown / account, "ratio", "0.8 to 1.25 (unknown/account)")
