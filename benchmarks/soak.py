"""Soak: a bounded mixed load against gunicorn on loopback, then the invariants in SQL.

    python benchmarks/soak.py [--seconds 300] [--clients 6] [--database-url URL]
                              [--max-requests 2000] [--sample-seconds 10] [--rss-csv FILE]

Starts gunicorn (2 x cores workers, a timeout, max_requests with jitter) on a fresh SQLite file
(or the given database, which it initialises and seeds), runs punchout setups with cart
transfers, OCI logins with cart returns (their NEW_ITEM-* fields checked), shop browsing,
checkouts contending for one `block` budget and duplicate OrderRequests (sequential and
concurrent) from `--clients` threads until `--seconds` have passed, then runs
`gateway worker --once` against a local receiver and SMTP server (documents, confirmation and
approval mails) and checks in SQL: no `block` budget
overspent, no (buyer, orderID) with two orders, no outbox row neither sent nor dead-lettered,
no responses but the expected ones, worker RSS flat. Prints a summary; exits 1 when an
invariant breaks. Loopback only; not run by CI.

Worker memory: every worker's RSS is sampled every `--sample-seconds` (`--rss-csv` writes the
samples: seconds since the load started, pid, KiB). `soak_rss_growth_pct` compares the largest
worker's RSS after the first minute of load (the warm-up: caches, pools and allocator arenas
fill) with the peak of any worker after it; its goal is at most 10 %. `--max-requests 0` turns
gunicorn's worker recycling off, so a long soak shows whether a worker's memory levels off.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import requests
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text

from benchmarks.serving import BIN, free_port, wait_until_up, worker_rss_kib
from tests import buyer
from tests.mail import smtp_server

# Responses each action may legitimately get; anything else is an invariant break.
EXPECTED = {
    "setup": {200},
    "start": {302},
    "add": {302},
    "transfer": {200},
    "browse": {200},
    "login": {302},
    "checkout": {302, 400, 403},  # placed, refused by the block budget or a changed cart
    "order": {200},  # cXML answers are HTTP 200; their Status is checked separately
    "oci-login": {302},  # to the StartPage
    "oci-return": {200},  # the auto-submit form to the HOOK_URL
    "oci-items": {1},  # 1: the form holds the cart's NEW_ITEM-* fields, 0: it does not
}
# Accepted asynchronously (201, replayed for a duplicate); other content under one ID is 409.
EXPECTED_ORDER_STATUS = {201, 409}
RSS_GROWTH_LIMIT_MB = 100
RSS_WARM_UP_SECONDS = 60  # soak_rss_growth_pct counts from the first sample after this
MAX_REQUESTS_PER_CLIENT = 20_000  # bounds the load in count as well as in time


class Tally:
    """Response codes per action, shared by the client threads."""

    def __init__(self) -> None:
        self.codes: Counter[tuple[str, int]] = Counter()
        self.lock = threading.Lock()

    def add(self, action: str, code: int) -> None:
        with self.lock:
            self.codes[(action, code)] += 1

    def unexpected(self) -> dict[str, int]:
        return {
            f"{action} {code}": count
            for (action, code), count in self.codes.items()
            if code not in EXPECTED.get(action, EXPECTED_ORDER_STATUS)
        }


def _punchout(base: str, tally: Tally) -> None:
    web = requests.Session()
    answer = web.post(f"{base}/cxml", data=buyer.setup_request(), headers=XML, timeout=30)
    tally.add("setup", answer.status_code)
    if answer.status_code != HTTPStatus.OK or buyer.status_of(answer.content)[0] != HTTPStatus.OK:
        return
    start = web.get(base + buyer.start_path(answer.content), allow_redirects=False, timeout=30)
    tally.add("start", start.status_code)
    tally.add("transfer", _fill_and_return(web, base, tally, quantity=2).status_code)


def _fill_and_return(
    web: requests.Session, base: str, tally: Tally, *, quantity: int
) -> requests.Response:
    """Add DEMO-0001 to the punchout's cart and return the cart to the buyer."""
    token = buyer.csrf_token(web.get(f"{base}/cart", timeout=30).text)
    add = web.post(
        f"{base}/cart/items",
        data={"sku": "DEMO-0001", "quantity": str(quantity), "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    tally.add("add", add.status_code)
    token = buyer.csrf_token(web.get(f"{base}/cart", timeout=30).text)
    return web.post(f"{base}/punchout/transfer", data={"csrf_token": token}, timeout=30)


def _oci(base: str, tally: Tally) -> None:
    """The demo SAP buyer: OCI login, StartPage, add to cart, cart returned as NEW_ITEM-*."""
    from tests import oci_buyer  # noqa: PLC0415 - the buyer's own reading of the form

    web = requests.Session()
    login = web.get(base + oci_buyer.launch_url(), allow_redirects=False, timeout=30)
    tally.add("oci-login", login.status_code)
    if login.status_code != HTTPStatus.FOUND:
        return
    start = web.get(login.headers["Location"], allow_redirects=False, timeout=30)
    tally.add("start", start.status_code)
    answer = _fill_and_return(web, base, tally, quantity=3)
    tally.add("oci-return", answer.status_code)
    if answer.status_code != HTTPStatus.OK:
        return
    try:
        form = oci_buyer.read_return(answer.content, answer.headers["Content-Type"])
    except (AssertionError, KeyError, LookupError):
        form = None
    item = form.items.get(1, {}) if form is not None else {}
    complete = (
        form is not None
        and form.attrs.get("action") == oci_buyer.HOOK_URL
        and item.get("EXT_PRODUCT_ID") == "DEMO-0001"
        and item.get("QUANTITY") == "3"
        and all(item.get(name) for name in ("DESCRIPTION", "PRICE", "CURRENCY", "UNIT"))
    )
    tally.add("oci-items", int(complete))


def _login(base: str, email: str, tally: Tally) -> requests.Session:
    web = requests.Session()
    token = buyer.csrf_token(web.get(f"{base}/login", timeout=30).text)
    response = web.post(
        f"{base}/login",
        data={"email": email, "password": "demo", "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    tally.add("login", response.status_code)
    return web


def _browse(base: str, tally: Tally) -> None:
    web = _login(base, "buyer@1001.demo", tally)
    for url in ("/catalog", "/products/DEMO-0001", "/cart", "/orders"):
        tally.add("browse", web.get(base + url, timeout=30).status_code)


def _checkout(base: str, tally: Tally) -> None:
    """The demo's limited user holds a 500 EUR monthly `block` budget: checkouts contend for it."""
    web = _login(base, "limited@1001.demo", tally)
    token = buyer.csrf_token(web.get(f"{base}/cart", timeout=30).text)
    add = web.post(
        f"{base}/cart/items",
        data={"sku": "DEMO-0081", "quantity": "3", "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    tally.add("add", add.status_code)
    page = web.get(f"{base}/checkout", timeout=30)
    if page.status_code != HTTPStatus.OK:
        tally.add("checkout", page.status_code)
        return
    from tests.shop import form_values  # noqa: PLC0415 - pulls in Flask only when used

    form = form_values(page.text, "cart_digest")
    response = web.post(f"{base}/checkout", data=form, allow_redirects=False, timeout=30)
    tally.add("checkout", response.status_code)


def _orders(base: str, tally: Tally, number: int) -> None:
    """One OrderRequest sent twice in a row and twice at once, then its orderID with other
    content: one order, the rest replays or 409."""
    order_id = f"SOAK-{os.getpid()}-{number}"
    body = buyer.order_request(order_id=order_id, payload_id=f"{order_id}@soak")

    def send(document: bytes) -> None:
        response = requests.post(f"{base}/cxml", data=document, headers=XML, timeout=30)
        tally.add("order", response.status_code)
        if response.status_code == HTTPStatus.OK:
            tally.add("order-status", buyer.status_of(response.content)[0])

    send(body)
    send(body)
    twins = [threading.Thread(target=send, args=(body,)) for _ in range(2)]
    for twin in twins:
        twin.start()
    for twin in twins:
        twin.join()
    send(buyer.order_request(order_id=order_id, items=(("DEMO-0002", None, "1", "1.00"),)))


XML = {"Content-Type": "text/xml; charset=UTF-8"}


def _client(base: str, tally: Tally, until: float, seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - load mix, not secrets
    actions: list[Callable[[int], None]] = [
        lambda _n: _punchout(base, tally),
        lambda _n: _oci(base, tally),
        lambda _n: _browse(base, tally),
        lambda _n: _checkout(base, tally),
        lambda n: _orders(base, tally, seed * MAX_REQUESTS_PER_CLIENT + n),
    ]
    for number in range(MAX_REQUESTS_PER_CLIENT):
        if time.monotonic() >= until:
            return
        try:
            rng.choice(actions)(number)
        except requests.RequestException as exc:
            tally.add(f"connection {type(exc).__name__}", 0)


Samples = list[tuple[float, dict[int, int]]]  # (seconds since the load started, pid -> KiB)


def rss_growth_pct(samples: Samples, warm_up: float = RSS_WARM_UP_SECONDS) -> float | None:
    """The peak of the largest worker's RSS after `warm_up` seconds versus its size at the
    first sample after them, in % (None when the run was shorter than the warm-up). Recycled
    workers start small again: the largest worker is what the host must hold."""
    largest = [(at, max(sizes.values())) for at, sizes in samples if sizes]
    after = [size for at, size in largest if at >= warm_up]
    if not after:
        return None
    return (max(after) - after[0]) * 100 / after[0]


def _rss_curve(samples: Samples, step: float = 60) -> list[list[int]]:
    """[seconds, MB of the smallest worker, MB of the largest] about every `step` seconds."""
    curve, due = [], 0.0
    for at, sizes in samples:
        if sizes and at >= due:
            curve.append([round(at), min(sizes.values()) // 1024, max(sizes.values()) // 1024])
            due = at + step
    return curve


class _Receiver(BaseHTTPRequestHandler):
    """The buyer's endpoint for the outbox: answers every document with cXML 200."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'<cXML><Response><Status code="200" text="OK"/></Response></cXML>'
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        return


def _invariants(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as db:
        overspent = db.scalar(
            text(
                "SELECT count(*) FROM budget_counter c JOIN budget b ON b.id = c.budget_id "
                "WHERE b.policy = 'block' AND b.period_amount IS NOT NULL "
                "AND c.committed > b.period_amount"
            )
        )
        duplicates = db.scalar(
            text(
                "SELECT count(*) FROM (SELECT organisation_id, buyer_reference FROM "
                "customer_order WHERE source = 'cxml' GROUP BY organisation_id, buyer_reference "
                "HAVING count(*) > 1) AS twice"
            )
        )
        undrained = db.scalar(
            text("SELECT count(*) FROM outbox_message WHERE status NOT IN ('sent', 'dead')")
        )
        orders = db.scalar(text("SELECT count(*) FROM customer_order"))
    engine.dispose()
    return {
        "block_budgets_overspent": overspent or 0,
        "order_ids_with_two_orders": duplicates or 0,
        "outbox_rows_not_drained": undrained or 0,
        "orders": orders or 0,
    }


def _environment(database: str, *, port: int, smtp_port: int) -> dict[str, str]:
    """The gateway's settings for the soak: its database, address and a local SMTP server."""
    return {
        **os.environ,
        "GATEWAY_DATABASE_URL": database,
        "GATEWAY_SECRET_KEY": "soak-secret",
        "GATEWAY_DIGEST_KEY": "soak-digest",
        "GATEWAY_BASE_URL": f"http://127.0.0.1:{port}",
        "GATEWAY_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "GATEWAY_SMTP_HOST": "127.0.0.1",
        "GATEWAY_SMTP_PORT": str(smtp_port),
    }


def _seed(gateway: list[str], env: dict[str, str], *, outbound: str) -> None:
    """The demo data; the demo partner answers orders with 201 and then gets a
    StatusUpdateRequest per order through the outbox, at `outbound`."""
    subprocess.run([*gateway, "seed-demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run(
        [
            *gateway,
            *("partner", "order-settings", "--name=demo-cxml", "--async-ack"),
            *(f"--outbound-url={outbound}", f"--allow-outbound={outbound}"),
            "--allow-private-network",
            "--outbound-secret=soak-outbound-secret",
        ],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=300)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--max-requests", type=int, default=2000, help="recycle a worker after so many; 0: never"
    )
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument("--rss-csv", type=Path, help="write the RSS samples: seconds,pid,KiB")
    return parser.parse_args()


def _serve(
    options: argparse.Namespace, env: dict[str, str], *, port: int, workers: int
) -> subprocess.Popen[bytes]:
    """gunicorn as the soak runs it."""
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            f"--workers={workers}",
            "--timeout=60",
            f"--max-requests={options.max_requests}",
            f"--max-requests-jitter={options.max_requests // 10}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "--no-control-socket",  # other gunicorn masters on this host keep theirs
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )


class _Sampler:
    """Every worker's RSS at moments of the soak; each sample also appended to `csv`."""

    def __init__(self, master: int, csv: Path | None) -> None:
        self.master, self.csv = master, csv
        self.samples: Samples = []
        self.started = time.monotonic()
        if csv:
            csv.write_text("seconds,pid,kib\n")

    def sample(self) -> None:
        at, sizes = time.monotonic() - self.started, worker_rss_kib(self.master)
        self.samples.append((at, sizes))
        if self.csv:
            with self.csv.open("a") as lines:
                lines.writelines(f"{at:.0f},{pid},{kib}\n" for pid, kib in sorted(sizes.items()))


def main() -> int:
    options = _options()
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    database = options.database_url or f"sqlite:///{workdir / 'soak.db'}"
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    mail_server = contextlib.ExitStack()
    mailbox = mail_server.enter_context(smtp_server())  # order confirmations, approval mails
    port = free_port()
    env = _environment(database, port=port, smtp_port=mailbox.port)
    gateway = [str(BIN / "gateway")]
    _seed(gateway, env, outbound=f"http://127.0.0.1:{receiver.server_port}/")
    workers = 2 * (os.cpu_count() or 1)
    server = _serve(options, env, port=port, workers=workers)
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    try:
        wait_until_up(port)
        for _ in range(20):  # warm-up, then the first RSS sample
            requests.get(f"{base}/login", timeout=120)  # a cold worker on a busy machine
        sampler = _Sampler(server.pid, options.rss_csv)
        sampler.sample()
        until = sampler.started + options.seconds
        clients = [
            threading.Thread(target=_client, args=(base, tally, until, seed))
            for seed in range(options.clients)
        ]
        for client in clients:
            client.start()
        while any(client.is_alive() for client in clients):
            time.sleep(min(options.sample_seconds, max(0.1, until - time.monotonic())))
            sampler.sample()
        for client in clients:
            client.join()
    finally:
        server.terminate()
        server.wait(timeout=60)
    worker = subprocess.run(
        [*gateway, "worker", "--once"],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    receiver.shutdown()
    mail_server.close()
    figures = _invariants(database)
    rss = sampler.samples
    first = max(rss[0][1].values(), default=0) // 1024
    peak = max((max(sizes.values(), default=0) for _, sizes in rss), default=0) // 1024
    growth = rss_growth_pct(rss)
    unexpected = tally.unexpected()
    breaks = [name for name in figures if name != "orders" and figures[name]] + [
        name
        for name, broken in (
            ("unexpected_responses", bool(unexpected)),
            ("worker_rss_grew", peak - first > RSS_GROWTH_LIMIT_MB),
            ("outbox_worker_failed", worker.returncode != 0),
        )
        if broken
    ]
    summary = {
        "database": database,  # kept for a look after a broken run
        "seconds": options.seconds,
        "clients": options.clients,
        "workers": workers,
        "requests": sum(
            count for (action, _), count in tally.codes.items() if action != "order-status"
        ),
        "responses": {f"{a} {c}": n for (a, c), n in sorted(tally.codes.items())},
        "unexpected": unexpected,
        "worker_rss_mb_first_peak": [first, peak],
        "worker_rss_mb_curve": _rss_curve(rss),  # [seconds, smallest, largest worker]
        "soak_rss_growth_pct": None if growth is None else round(growth, 1),
        **figures,
        "broken": breaks,
    }
    print(json.dumps(summary, indent=2))
    return 1 if breaks else 0


if __name__ == "__main__":
    sys.exit(main())
