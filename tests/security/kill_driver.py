"""Child process of `test_process_kill.py`: runs requests in forked workers that SIGKILL themselves.

    GATEWAY_DATABASE_URL=... python -m tests.security.kill_driver

The driver builds the app once (as gunicorn's master does), then reads one JSON command a line
from stdin and answers one JSON line on stdout. For each request it forks a worker; a worker
with `kill_at` set installs SQLAlchemy event listeners and sends itself SIGKILL:

- `kill_at=N` right after the N-th SQL statement of the request has run (BEGIN, SAVEPOINT
  and RELEASE included: every statement the driver sends counts);
- `"before-commit"` when the request's COMMIT is about to be sent;
- `"after-commit"` once the COMMIT has returned, before the answer leaves (a savepoint's
  release is no commit).

Commands: `{"op": "order", "payload_id", "order_id", "kill_at"}` posts an OrderRequest to
/cxml; `{"op": "fill-cart"}` puts one DEMO-0081 in the cart of the logged-in
limited@1001.demo (who holds a `block` budget); `{"op": "checkout", "kill_at"}` opens
/checkout and posts its form. Answers: `{"killed": bool, "statements": int, "status": int,
"cxml": [code, text] | null}` (statements, status and cxml only when the worker lived).
The test verifies the database between commands; the driver keeps no connection open.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable
from functools import partial
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from gateway import create_app
from gateway.db import Database
from tests import buyer, shop
from tests.conftest import TEST_CONFIG
from tests.paths import dtd_setting

SKU = "DEMO-0081"
SHOPPER = "limited@1001.demo"


class Killer:
    """Counts the request's statements and kills the process at the chosen point."""

    def __init__(self, database: Database, kill_at: int | str | None) -> None:
        self.kill_at = kill_at
        self.statements = 0
        event.listen(database.engine, "after_cursor_execute", self._statement)
        event.listen(database.engine, "commit", self._before_commit)
        event.listen(database.sessions, "after_commit", self._after_commit)

    def _statement(self, *_args: Any) -> None:
        self.statements += 1
        if self.statements == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def _before_commit(self, *_args: Any) -> None:
        if self.kill_at == "before-commit":
            os.kill(os.getpid(), signal.SIGKILL)

    def _after_commit(self, session: Session) -> None:
        if self.kill_at == "after-commit" and not session.in_nested_transaction():
            os.kill(os.getpid(), signal.SIGKILL)


def in_worker(
    app: Flask, kill_at: int | str | None, request: Callable[[], TestResponse]
) -> dict[str, Any]:
    """Run `request` in a forked worker process; report how it ended."""
    database: Database = app.extensions["gateway.db"]
    database.engine.dispose()  # no connection crosses the fork
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(reading)
        killer = Killer(database, kill_at)
        response = request()
        report = {"statements": killer.statements, "status": response.status_code, "cxml": None}
        if response.mimetype == "text/xml":
            report["cxml"] = list(buyer.status_of(response.data))
        with os.fdopen(writing, "w") as pipe:
            pipe.write(json.dumps(report))
        os._exit(0)
    os.close(writing)
    with os.fdopen(reading) as pipe:
        report = json.loads(pipe.read() or "{}")
    _pid, status = os.waitpid(pid, 0)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    if not killed and os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"worker ended with status {status}")
    return {"killed": killed, **report}


def _post_order(client: FlaskClient, body: bytes) -> TestResponse:
    return client.post("/cxml", data=body, content_type="text/xml; charset=UTF-8")


def main() -> None:
    """Serve commands until stdin closes."""
    app = create_app(
        {
            **TEST_CONFIG,
            "TESTING": False,
            "GATEWAY_DATABASE_URL": os.environ["GATEWAY_DATABASE_URL"],
            "GATEWAY_CXML_DTD_DIR": dtd_setting(),
        }
    )
    warm_up = app.test_client().post(  # loads the DTDs and schemas before any fork
        "/cxml", data=buyer.profile_request(), content_type="text/xml; charset=UTF-8"
    )
    assert buyer.status_of(warm_up.data)[0] == 200
    shopper: FlaskClient | None = None
    sent: dict[str, bytes] = {}
    for line in sys.stdin:
        command = json.loads(line)
        kill_at = command.get("kill_at")
        if command["op"] == "order":
            body = sent.setdefault(  # a retry sends the very same bytes, as a buyer does
                command["payload_id"],
                buyer.order_request(
                    payload_id=command["payload_id"],
                    order_id=command["order_id"],
                    items=(("DEMO-0001", None, "2", "0.77"), ("DEMO-0002", None, "3", "0.94")),
                ),
            )
            answer = in_worker(app, kill_at, partial(_post_order, app.test_client(), body))
        elif command["op"] == "fill-cart":
            if shopper is None:
                shopper = app.test_client()
                shop.login(shopper, SHOPPER)
            added = shop.post(shopper, "/cart/items", {"sku": SKU, "quantity": "1"})
            answer = {"status": added.status_code}
        else:
            assert shopper is not None, "fill-cart first"
            form = shop.form_values(shopper.get("/checkout").text, "cart_digest")
            answer = in_worker(app, kill_at, partial(shopper.post, "/checkout", data=form))
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
