"""Two gunicorn instances (two workers each) on one database behave as one gateway.

The buyer's setup request reaches instance A; the browser then wanders between A and B. Nothing
may depend on which process answers: the start token, the shop session, the CSRF token, the
cart and the login throttle all live in the database or in the signed cookie. PostgreSQL when
the suite runs on it (in a `<test database>_scale` database next to the test database, or the
one GATEWAY_TEST_SCALE_DATABASE_URL names), else one SQLite file that both instances share, as
on one machine.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.engine import make_url

from gateway import cxml
from gateway.cxml import PunchOutOrderMessage
from gateway.engines import make_engine
from tests import buyer
from tests.paths import FIXTURES, PROJECT_ROOT, dtd_setting

BIN = Path(sys.executable).parent
SETUP_REQUEST = FIXTURES / "cxml/valid/punchout_setup_request/create_full.xml"
LOGIN_ATTEMPTS = 3
START_TIMEOUT = 30  # seconds for gunicorn to answer /readyz
# A gunicorn.conf.py as docs/deploy.md shows it. gunicorn 27 opens a control socket in the
# user's home, one path for every master: these two do without (older gunicorn ignores it).
GUNICORN_CONF = """
from gateway.ops.gunicorn_conf import child_exit, on_starting
control_socket_disable = True
"""


@dataclass(frozen=True)
class Instance:
    """One gunicorn master serving the gateway on loopback."""

    url: str
    process: subprocess.Popen[bytes]

    def get(self, session: requests.Session, path: str) -> requests.Response:
        return session.get(self.url + path, timeout=10, allow_redirects=False)

    def post(self, session: requests.Session, path: str, data: dict[str, str]) -> requests.Response:
        return session.post(self.url + path, data=data, timeout=10, allow_redirects=False)


@dataclass(frozen=True)
class Cluster:
    a: Instance
    b: Instance


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _scale_database(folder: Path) -> str:
    """An empty database for the instances: one SQLite file, or on the test's PostgreSQL server
    `<test database>_scale` (or GATEWAY_TEST_SCALE_DATABASE_URL), dropped and created again."""
    test_url = os.environ.get("GATEWAY_TEST_DATABASE_URL")
    if not test_url:
        return f"sqlite:///{folder / 'shared.sqlite3'}"
    url = make_url(os.environ.get("GATEWAY_TEST_SCALE_DATABASE_URL") or test_url)
    if url.database == make_url(test_url).database:
        url = url.set(database=f"{url.database}_scale")
    server = make_engine(test_url).execution_options(isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}"'))
        connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    server.dispose()
    return url.render_as_string(hide_password=False)


@contextmanager
def _gunicorn(env: dict[str, str], ports: tuple[int, int], folder: Path) -> Iterator[Cluster]:
    """Two instances serving wsgi:app with two workers each and the metrics hooks; always
    stopped afterwards (both signalled first: each takes seconds to wind down)."""
    processes: list[subprocess.Popen[bytes]] = []
    instances = []
    try:
        for name, port in zip("ab", ports, strict=True):
            config = folder / f"gunicorn-{name}.conf.py"
            config.write_text(GUNICORN_CONF)
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own gunicorn with fixed arguments
                    [
                        str(BIN / "gunicorn"),
                        *("--config", str(config), "--workers", "2", "--preload"),
                        *("--bind", f"127.0.0.1:{port}", "--log-level", "warning"),
                        "wsgi:app",
                    ],
                    cwd=PROJECT_ROOT,
                    env={**env, "PROMETHEUS_MULTIPROC_DIR": str(folder / f"metrics-{name}")},
                    start_new_session=True,  # its own process group, workers included
                )
            )
            instances.append(Instance(url=f"http://127.0.0.1:{port}", process=processes[-1]))
        yield Cluster(a=instances[0], b=instances[1])
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _wait_until_ready(instance: Instance) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if requests.get(instance.url + "/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or the workers still load
            pass
        if instance.process.poll() is not None:
            raise RuntimeError(f"gunicorn for {instance.url} exited")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{instance.url} did not become ready")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("scale-out")
    ports = (_free_port(), _free_port())
    env = {key: value for key, value in os.environ.items() if not key.startswith("GATEWAY_")}
    env.update(
        GATEWAY_DATABASE_URL=_scale_database(folder),
        GATEWAY_SECRET_KEY="scale-out-secret",
        GATEWAY_BASE_URL=f"http://127.0.0.1:{ports[0]}",  # the load balancer's address
        GATEWAY_CXML_DTD_DIR=dtd_setting(),
        GATEWAY_LOGIN_ATTEMPTS=str(LOGIN_ATTEMPTS),
    )
    with _gunicorn(env, ports, folder) as cluster:
        subprocess.run(  # noqa: S603 - our own console script, while the workers load
            [str(BIN / "gateway"), "seed-demo"],
            env=env,
            cwd=folder,
            check=True,
            capture_output=True,
        )
        _wait_until_ready(cluster.a)
        _wait_until_ready(cluster.b)
        yield cluster


def _on(instance: Instance, url: str) -> str:
    """The same path on another instance (what the load balancer may do at any request)."""
    parts = urlsplit(url)
    return instance.url + parts.path + (f"?{parts.query}" if parts.query else "")


def test_a_punchout_set_up_on_one_instance_is_shopped_on_both(cluster: Cluster) -> None:
    setup = requests.post(
        cluster.a.url + "/cxml",
        data=SETUP_REQUEST.read_bytes(),
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    assert buyer.status_of(setup.content) == (200, "OK")
    start_page = cxml.parse(setup.content).payload.body.start_page_url  # type: ignore[union-attr]
    browser = requests.Session()
    landing = browser.get(_on(cluster.b, start_page), timeout=10)  # redeemed on B
    assert landing.status_code == 200
    # the fixture selects DEMO-0001 (a level-2 punchout): the shop opens on its page
    assert landing.url == cluster.b.url + "/products/DEMO-0001"

    product = cluster.b.get(browser, "/products/DEMO-0001")
    added = cluster.b.post(
        browser,
        "/cart/items",
        {"sku": "DEMO-0001", "quantity": "3", "csrf_token": buyer.csrf_token(product.text)},
    )
    assert added.status_code == 302, added.text

    cart = cluster.a.get(browser, "/cart")  # the session and its cart, read on A
    assert cart.status_code == 200
    assert "DEMO-0001" in cart.text

    returned = cluster.b.post(  # A's CSRF token is good on B: same key, same session
        browser, "/punchout/transfer", {"csrf_token": buyer.csrf_token(cart.text)}
    )
    assert returned.status_code == 200, returned.text
    (form,) = buyer.read_forms(returned.text)
    message = cxml.parse(cxml.decode_cart(dict(form["fields"]))).payload  # type: ignore[arg-type]
    assert isinstance(message, PunchOutOrderMessage)
    assert [(item.item_id.supplier_part_id, int(item.quantity)) for item in message.items] == [
        ("DEMO-0001", 3)
    ]
    assert cluster.a.get(browser, "/cart").status_code == 302  # the session ended everywhere


def test_failed_logins_on_one_instance_count_on_the_other(cluster: Cluster) -> None:
    browser = requests.Session()
    page = cluster.a.get(browser, "/login")
    wrong = {
        "email": "buyer@1001.demo",
        "password": "wrong",
        "csrf_token": buyer.csrf_token(page.text),
    }
    answers = [
        instance.post(browser, "/login", wrong).status_code
        for instance in (cluster.a, cluster.b, cluster.a)[:LOGIN_ATTEMPTS]
    ]
    assert answers == [401] * LOGIN_ATTEMPTS
    blocked = cluster.b.post(browser, "/login", {**wrong, "password": "demo"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0


def test_readiness_and_metrics_on_every_instance(cluster: Cluster) -> None:
    for instance in (cluster.a, cluster.b):
        ready = requests.get(instance.url + "/readyz", timeout=5)
        assert (ready.status_code, ready.text) == (200, "ready\n")
    before = _healthz_count(cluster.a)
    for _ in range(6):  # a new connection each: both workers get some
        assert requests.get(cluster.a.url + "/healthz", timeout=5).status_code == 200
    assert _healthz_count(cluster.a) == before + 6  # added up over A's workers


def _healthz_count(instance: Instance) -> float:
    page = requests.get(instance.url + "/metrics", timeout=5)
    assert page.status_code == 200, page.text
    return sum(
        sample.value
        for family in text_string_to_metric_families(page.text)
        for sample in family.samples
        if sample.name == "gateway_http_requests_total"
        and sample.labels == {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    )
