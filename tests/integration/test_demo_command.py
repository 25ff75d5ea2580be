"""`gateway demo --port P` end to end: the printed curl command, the StartPage URL and the
simulator the cart returns to all use port P, as a new user runs it."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from gateway import cxml
from gateway.cxml import PunchOutOrderMessage
from tests import buyer

BIN = Path(sys.executable).parent
START_TIMEOUT = 60  # seconds to migrate, seed the demo data and start serving
CURL = re.compile(r"curl -s -H 'Content-Type: text/xml' --data-binary @(?P<file>\S+) (?P<url>\S+)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path, str]]:
    """A running `gateway demo --port P` on a fresh SQLite file: (P, the file, the URL) of
    the curl command it printed."""
    folder = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")}
    env.update(
        GATEWAY_DATABASE_URL=f"sqlite:///{folder / 'demo.sqlite3'}",
        GATEWAY_SECRET_KEY="demo-command-test",
    )
    output = folder / "demo.log"  # a file, not a pipe: a full pipe would stall the server
    with output.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own console script with fixed arguments
            [str(BIN / "gateway"), "demo", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        match = _printed_command(output, process)
        file = Path(shlex.split(match["file"])[0])
        _wait_until_serving(port, process)
        yield port, file if file.is_absolute() else folder / file, match["url"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)


def _printed_command(output: Path, process: subprocess.Popen[bytes]) -> re.Match[str]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if match := CURL.search(output.read_text()):
            return match
        assert process.poll() is None, "gateway demo exited:\n" + output.read_text()
        time.sleep(0.1)
    pytest.fail("gateway demo printed no curl command:\n" + output.read_text())


def _wait_until_serving(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
        except requests.ConnectionError:
            assert process.poll() is None, "gateway demo exited"
            time.sleep(0.1)
        else:
            return
    pytest.fail(f"gateway demo did not listen on port {port}")


def test_the_printed_command_punches_out_and_returns_to_the_same_port(
    demo: tuple[int, Path, str],
) -> None:
    port, file, url = demo
    origin = f"http://127.0.0.1:{port}"
    assert url == f"{origin}/cxml"

    answer = requests.post(
        url, data=file.read_bytes(), headers={"Content-Type": "text/xml"}, timeout=10
    )
    assert buyer.status_of(answer.content) == (200, "OK")
    start_page = cxml.parse(answer.content).payload.body.start_page_url  # type: ignore[union-attr]
    assert start_page.startswith(f"{origin}/punchout/start/")

    browser = requests.Session()
    landing = browser.get(start_page, timeout=10)
    assert landing.status_code == 200
    added = browser.post(
        f"{origin}/cart/items",
        data={"sku": "DEMO-0001", "quantity": "2", "csrf_token": buyer.csrf_token(landing.text)},
        timeout=10,
    )
    assert added.status_code == 200, added.text
    returned = browser.post(
        f"{origin}/punchout/transfer",
        data={"csrf_token": buyer.csrf_token(added.text)},
        timeout=10,
    )
    (form,) = buyer.read_forms(returned.text)
    action = form["attrs"]["action"]  # type: ignore[index]
    assert action == f"{origin}/tools/simulator/receive"
    message = cxml.parse(cxml.decode_cart(dict(form["fields"]))).payload  # type: ignore[arg-type]
    assert isinstance(message, PunchOutOrderMessage)
    received = requests.post(action, data=dict(form["fields"]), timeout=10)  # type: ignore[call-overload]
    assert received.status_code == 200
    assert "DEMO-0001" in received.text
