"""Secrets never reach a log line (DESIGN.md rule 10; checklist §3 "Secrets in logs", item 42).

One scenario touches every secret the gateway handles, with every logger at DEBUG (SQLAlchemy's
statement, parameter and row echo included) and a real werkzeug server writing its access log
for the requests that carry a secret in the URL. Afterwards no captured line, no message-log
row and no admin message-log page holds any of the planted values. The session-wide check in
`tests/conftest.py` greps the whole run's log the same way.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from gateway.cli import main
from gateway.db import utcnow
from gateway.models import MessageLogEntry, Order
from gateway.punchout.settings import punchout_settings
from gateway.services.ordering import documents
from gateway.services.outbox import WorkerSettings, deliver_due
from gateway.services.partners.order_settings import configure
from gateway.services.partners.registry import OCIPartnerSpec, add_oci_partner
from gateway.transport import Transport
from tests import buyer, shop
from tests.conftest import ENCRYPTION_KEY
from tests.factories import deliver_locally
from tests.integration.test_cxml_punchout import post_cxml
from tests.integration.test_outbox import local_receiver  # noqa: F401 - a fixture
from tests.integration.test_shop_guests import DETAILS as GUEST
from tests.mail import Inbox, deliver_mail, text_of
from tests.paths import PROJECT_ROOT

OCI_PASSWORD = "oci-password-7Kq2"
MAC_SECRET = "mac-secret-3Vw8"
OUTBOUND_SECRET = "outbound-secret-9Tz4"
INVITED_PASSWORD = "invited-password-5Hx1"
RESET_PASSWORD = "reset-password-2Nb6"
CLI_SHARED_SECRET = "cli-shared-secret-8Pm3"
CLI_OCI_PASSWORD = "cli-oci-password-4Jd7"
CLI_OUTBOUND_SECRET = "cli-outbound-secret-6Rc5"
HOOK_URL = "http://127.0.0.1:5000/tools/simulator/receive"
DEBUG_LOGGERS = ("", "sqlalchemy", "werkzeug")
# The test's SMTP server plays the recipient's mailbox: it logs every line it receives.
QUIET_LOGGERS = ("mail.log",)


class _Lines(logging.Handler):
    """Every record, formatted as a log file would hold it (traceback included)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def every_log_line() -> Iterator[list[str]]:
    """All loggers at DEBUG, SQLAlchemy's echo too, for the length of the test."""
    handler = _Lines()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in (*DEBUG_LOGGERS, *QUIET_LOGGERS)}
    root.addHandler(handler)
    for name in DEBUG_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    yield handler.lines
    root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    """The same app behind a real werkzeug server, for its access log."""
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def _link(app: Flask, inbox: Inbox, path: str) -> str:
    assert [outcome.status for outcome in deliver_mail(app, inbox.port)] == ["sent"]
    body = str(text_of(inbox.messages[-1]))
    match = re.search(rf"http://shop.example({path}/[\w-]+)", body)
    assert match is not None, body
    return match[1]


def _cxml(client: FlaskClient, secrets: list[str]) -> None:
    """Setup (StartPage token), CredentialMac and OrderRequest."""
    answer = post_cxml(client, buyer.setup_request())
    start = buyer.start_path(answer)
    secrets.append(start.rsplit("/", 1)[1])
    now = datetime.now(UTC)
    sender = buyer.mac_sender(MAC_SECRET, created=now, expires=now + timedelta(hours=1))
    mac = sender.credential_mac
    assert mac is not None
    secrets.append(mac.value)
    order = buyer.order_request(sender=sender, payload_id="logs@buyer.example")
    assert buyer.status_of(post_cxml(client, order)) == (200, "OK")
    assert (
        buyer.status_of(post_cxml(client, buyer.profile_request(secret="wrong-secret-x")))[0] == 401
    )
    secrets.append("wrong-secret-x")


def _delivery(app: Flask, db: Session, receiver: str) -> None:
    """The order accepted; the worker sends the confirmation with our outbound secret."""
    deliver_locally(db, receiver, secret=OUTBOUND_SECRET)
    order_id = db.scalars(select(Order.id).where(Order.buyer_reference == "PO-1001")).one()
    settings = punchout_settings(app.config)
    documents.accept(db, actor=None, order_id=order_id, settings=settings, now=utcnow())
    db.commit()
    worker = WorkerSettings(worker_id="logs", encryption_key=ENCRYPTION_KEY)
    outcomes = deliver_due(
        app.extensions["gateway.db"], transport=Transport(), settings=worker, now=utcnow()
    )
    assert [outcome.status for outcome in outcomes] == ["sent"]


def _accounts(app: Flask, live: str, inbox: Inbox, secrets: list[str]) -> None:
    """An invitation, a password reset and a guest order, their mails sent by the outbox
    worker and their links opened on the real server."""
    superuser = app.test_client()
    shop.login(superuser, "superuser@1001.demo")
    invited = shop.post(
        superuser, "/account/users", {"email": "logs@1001.test", "role": "buyer"}, via="/catalog"
    )
    assert invited.status_code == 302
    invitation = _link(app, inbox, "/invitation")
    secrets.append(invitation.rsplit("/", 1)[1])
    assert requests.get(live + invitation, timeout=10).status_code == 200
    newcomer = app.test_client()
    fields = {"password": INVITED_PASSWORD, "password_confirm": INVITED_PASSWORD}
    assert shop.post(newcomer, invitation, fields, via=invitation).status_code == 302
    shop.login(newcomer, "logs@1001.test", INVITED_PASSWORD)
    cookie = newcomer.get_cookie("gateway_session")
    assert cookie is not None
    secrets.append(cookie.value)

    forgetful = app.test_client()
    asked = shop.post(
        forgetful, "/password/forgot", {"email": "logs@1001.test"}, via="/password/forgot"
    )
    assert asked.status_code in (200, 302)
    reset = _link(app, inbox, "/password/reset")
    secrets.append(reset.rsplit("/", 1)[1])
    assert requests.get(live + reset, timeout=10).status_code == 200
    fields = {"password": RESET_PASSWORD, "password_confirm": RESET_PASSWORD}
    assert shop.post(forgetful, reset, fields, via=reset).status_code == 302
    shop.login(forgetful, "logs@1001.test", RESET_PASSWORD)

    guest = app.test_client()
    shop.post(guest, "/guest/cart/items", {"sku": "DEMO-0001", "quantity": "1"}, via="/catalog")
    assert shop.post(guest, "/guest/checkout", GUEST, via="/guest/checkout").status_code == 302
    order_page = _link(app, inbox, "/guest/orders")
    secrets.append(order_page.rsplit("/", 1)[1])
    assert requests.get(live + order_page, timeout=10).status_code == 200


def _oci(client: FlaskClient, db: Session, live: str) -> None:
    """OCI logins by GET on the real server (the password in its access log) and by POST."""
    add_oci_partner(
        db,
        spec=OCIPartnerSpec(
            name="logs-oci",
            customer_number="1001",
            username="logs-oci",
            password=OCI_PASSWORD,
            allowed_urls=("http://127.0.0.1",),
            version="5.0",
            settings={},
        ),
    )
    db.commit()
    login = {"USERNAME": "logs-oci", "PASSWORD": OCI_PASSWORD, "HOOK_URL": HOOK_URL}
    launched = requests.get(f"{live}/oci?{urlencode(login)}", allow_redirects=False, timeout=10)
    assert launched.status_code == 302
    assert client.post("/oci", data=login).status_code == 302
    wrong = {**login, "PASSWORD": OCI_PASSWORD + "-wrong"}
    assert requests.get(f"{live}/oci?{urlencode(wrong)}", timeout=10).status_code == 401


def _cli(app: Flask) -> None:
    """The commands that take a secret on their command line."""
    runner = app.test_cli_runner()
    commands = [
        [
            *("partner", "add-cxml", "--name=logs-cxml", "--customer=1002"),
            *("--identity=NetworkID:AN-LOGS", f"--shared-secret={CLI_SHARED_SECRET}"),
            "--allow-url=https://logs.example",
        ],
        [
            *("partner", "add-oci", "--name=logs-oci-cli", "--customer=1002"),
            *("--username=logs-cli", f"--password={CLI_OCI_PASSWORD}"),
            "--allow-url=https://logs.example",
        ],
        [
            *("partner", "order-settings", "--name=logs-cxml"),
            f"--outbound-secret={CLI_OUTBOUND_SECRET}",
        ],
        [
            *("oci", "url", "--partner=logs-oci-cli", f"--password={CLI_OCI_PASSWORD}"),
            "--hook-url=https://logs.example/hook",
        ],
    ]
    for command in commands:
        result = runner.invoke(main, command)
        assert result.exit_code == 0, (command, result.output)


def test_no_secret_reaches_a_log_line_or_the_message_log(
    every_log_line: list[str],  # first: the test's connection echoes only if made after it
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    inbox: Inbox,
    live: str,
    request: pytest.FixtureRequest,
) -> None:
    secrets = [
        "demo-secret",
        OCI_PASSWORD,
        MAC_SECRET,
        OUTBOUND_SECRET,
        INVITED_PASSWORD,
        RESET_PASSWORD,
        CLI_SHARED_SECRET,
        CLI_OCI_PASSWORD,
        CLI_OUTBOUND_SECRET,
    ]
    configure(
        db_session,
        partner_name="demo-cxml",
        credential_mac_secret=MAC_SECRET,
        encryption_key=ENCRYPTION_KEY,
    )
    db_session.commit()
    _cxml(client, secrets)
    _delivery(app, db_session, request.getfixturevalue("local_receiver"))
    _accounts(app, live, inbox, secrets)
    _oci(client, db_session, live)
    _cli(app)

    admin = app.test_client()
    shop.login(admin, "admin@supplier.demo")
    pages = [admin.get("/admin/messages").text]
    entries = list(db_session.scalars(select(MessageLogEntry).order_by(MessageLogEntry.id)))
    pages.extend(admin.get(f"/admin/messages/{entry.id}").text for entry in entries)

    assert any("werkzeug" in line and "/oci?" in line for line in every_log_line)
    assert any("sqlalchemy.engine" in line for line in every_log_line)
    assert len(entries) > 5
    for secret in secrets:
        leaks = [line[:300] for line in every_log_line if secret in line]
        assert leaks == [], f"{secret!r} in the log"
        assert [e.id for e in entries if secret in e.body] == [], f"{secret!r} in the message log"
        assert not any(secret in page for page in pages), f"{secret!r} on a message log page"


LEAKY_TEST = """
import logging


def test_logs_a_secret():
    logging.getLogger("leaky").warning("connecting with key %s", "test-digest-key")
"""


def test_the_session_wide_log_grep_fails_a_run_that_leaks(tmp_path: Path) -> None:
    """tests/conftest.py's hooks, in a run of one passing test that logs a known secret."""
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_configure, pytest_sessionfinish\n"
        "__all__ = ['pytest_configure', 'pytest_sessionfinish']\n"
    )
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    run = subprocess.run(  # noqa: S603 - our own interpreter and a fixed test
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert "1 passed" in run.stdout, run.stdout + run.stderr
    assert run.returncode == pytest.ExitCode.TESTS_FAILED
    assert "SECRETS IN THE LOG" in run.stdout
    assert "leaky WARNING connecting with key test-digest-key" in run.stdout
