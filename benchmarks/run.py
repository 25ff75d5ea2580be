"""Benchmarks: one run measures the gateway and its references side by side.

    python benchmarks/run.py [--quick] [--only NAME ...]

Prints one JSON object per figure (`{"name", "value", "unit", "goal"}`), then a table. Goals
are ratios measured in the same run wherever the machine's speed would otherwise decide the
outcome (the machines are shared and noisy). Starts everything it needs on loopback (gunicorn,
wrk) and stops it afterwards.

Groups (`--only`): `setup` and `scale` (gunicorn + wrk; `benchmarks/setup.sh` installs wrk),
`poom_build`, `order_ingest`, `catalog`, `budget`, `enumeration` and `funnel` (in process). Every
database figure runs on SQLite and, when `GATEWAY_BENCH_DATABASE_URL` is set, again on that
PostgreSQL database (emptied and reused); the table then shows both engines side by side.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lxml import etree

from benchmarks.budget import bench_budget
from benchmarks.catalog import bench_catalog
from benchmarks.catalog_export import bench_catalog_export
from benchmarks.database import DTD_DIR, database_url, engine_name, fresh_database, gateway_env
from benchmarks.enumeration import bench_enumeration
from benchmarks.figures import ENGINE as FIGURE_ENGINE
from benchmarks.figures import FIGURES, best_of, report
from benchmarks.funnel import bench_funnel
from benchmarks.order_ingest import bench_order_ingest
from benchmarks.scale import bench_scale
from benchmarks.serving import BIN, gunicorn, worker_rss_kib, wrk
from gateway import cxml

WARM_UP_REQUESTS = 1_000  # memory is compared after these and after the whole run
SETUP_FIXTURE = ROOT / "fixtures/cxml/valid/punchout_setup_request/create_full.xml"


# -- documents -------------------------------------------------------------------------------


def _order_message(lines: int) -> tuple[cxml.PunchOutOrderMessage, cxml.Header]:
    ours = (cxml.Credential(domain="NetworkID", identity="AN-SUPPLIER"),)
    header = cxml.Header(
        from_credentials=ours,
        to_credentials=(cxml.Credential(domain="NetworkID", identity="AN-BUYER"),),
        sender_credentials=ours,
        user_agent="punchout-gateway benchmark",
    )
    items = tuple(
        cxml.ItemIn(
            quantity=Decimal(number % 7 + 1),
            item_id=cxml.ItemID(
                supplier_part_id=f"SKU-{number:05d}", supplier_part_auxiliary_id=f"a{number}"
            ),
            detail=cxml.ItemDetail(
                unit_price=cxml.Money(amount=Decimal("12.34"), currency="EUR"),
                description=f"Product number {number} with a useful description",
                short_name=f"Product {number}",
                unit_of_measure="EA",
                classifications=(cxml.Classification(domain="UNSPSC", code="44121701"),),
                manufacturer_part_id=f"MPN-{number}",
                manufacturer_name="Maker",
                url=None,
                lead_time=3,
                extrinsics=(),
            ),
        )
        for number in range(1, lines + 1)
    )
    total = sum((item.detail.unit_price.amount * item.quantity for item in items), Decimal(0))
    message = cxml.PunchOutOrderMessage(
        buyer_cookie="bench",
        operation_allowed=cxml.Operation.EDIT,
        total=cxml.Money(amount=total, currency="EUR"),
        items=items,
    )
    return message, header


def bench_poom_build(quick: bool) -> None:
    """Building + DTD-checking a 1,000-line order message vs lxml parse + serialise of it."""
    message, header = _order_message(1000)
    now = datetime.now(UTC)

    def build() -> bytes:
        return cxml.build(
            message, header=header, payload_id="1@bench", timestamp=now, dtd_dir=DTD_DIR
        )

    document = build()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

    def reference() -> bytes:
        return etree.tostring(etree.fromstring(document, parser))

    runs = 5 if quick else 20
    ours, lxml_time = best_of(runs, build), best_of(runs, reference)
    report("poom_build_ms", ours * 1000, "ms", "informational")
    report("poom_build_ratio", ours / lxml_time, "ratio", "<= 3")


# -- HTTP ------------------------------------------------------------------------------------


def bench_setup(quick: bool) -> None:
    """Setup requests through gunicorn (2 workers) vs a bare Flask app; p99; worker memory."""
    seconds = 5 if quick else 20
    with tempfile.TemporaryDirectory() as folder:
        env = gateway_env(Path(folder))
        fresh_database(env["GATEWAY_DATABASE_URL"], demo=False).dispose()
        subprocess.run(
            [str(BIN / "gateway"), "seed-demo"], env=env, check=True, capture_output=True
        )
        with gunicorn("benchmarks.bare_app:app", env) as (port, _):
            bare_rps, bare_p99, _ = wrk(port, SETUP_FIXTURE, seconds)
        with gunicorn("wsgi:app", env) as (port, master):
            answer = subprocess.run(
                [
                    "curl",
                    "-s",
                    "-H",
                    "Content-Type: text/xml",
                    "--data-binary",
                    f"@{SETUP_FIXTURE}",
                    f"http://127.0.0.1:{port}/cxml",
                ],
                capture_output=True,
                check=True,
            ).stdout
            if b'code="200"' not in answer:
                raise SystemExit(f"the gateway refused the benchmark request: {answer[:300]!r}")
            # Request counts, bounded in time too: a slow gateway must not stretch --quick.
            deadline = time.monotonic() + (60 if quick else 300)
            warm_requests = 0
            while warm_requests < WARM_UP_REQUESTS and time.monotonic() < deadline:
                warm_requests += wrk(port, SETUP_FIXTURE, 1)[2]
            rss_start = sum(worker_rss_kib(master.pid).values())
            rps, p99, done = wrk(port, SETUP_FIXTURE, seconds)
            target = 5_000 if quick else 20_000
            while done < target and time.monotonic() < deadline + seconds:
                done += wrk(port, SETUP_FIXTURE, 2)[2]
            rss_end = sum(worker_rss_kib(master.pid).values())
    report("setup_rps", rps, "req/s", "informational")
    report("bare_rps", bare_rps, "req/s", "reference")
    report("setup_rps_ratio", rps / bare_rps, "ratio", ">= 0.7")
    report("setup_p99_ms", p99, "ms", "<= 20")
    report("bare_p99_ms", bare_p99, "ms", "reference")
    report(
        "rss_growth_pct",
        (rss_end - rss_start) * 100 / rss_start,
        "%",
        f"<= 10 (after {done} requests)",
    )


BENCHMARKS: dict[str, Callable[[bool], None]] = {
    "budget": bench_budget,
    "catalog": bench_catalog,
    "catalog_export": bench_catalog_export,
    "enumeration": bench_enumeration,
    "funnel": bench_funnel,
    "order_ingest": bench_order_ingest,
    "poom_build": bench_poom_build,
    "scale": bench_scale,
    "setup": bench_setup,
}
NEEDS_WRK = frozenset({"scale", "setup"})


def wrk_version() -> str:
    """What `wrk -v` says it is (it exits 1 after printing its usage)."""
    output = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"wrk (\S+)", output)
    return match.group(1) if match else "unknown version"


NO_DATABASE = frozenset({"poom_build"})
BENCH_URL = "GATEWAY_BENCH_DATABASE_URL"


def _passes() -> list[tuple[str, str | None]]:
    """(engine, URL) of each pass: SQLite, then PostgreSQL when `GATEWAY_BENCH_DATABASE_URL`
    names one (None: a SQLite file in the benchmark's own folder)."""
    passes: list[tuple[str, str | None]] = [("sqlite", None)]
    if os.environ.get(BENCH_URL):
        passes.append(("postgresql", os.environ[BENCH_URL]))
    return passes


def _table(engines: list[str]) -> None:
    """One row a figure, one value column an engine (a figure without one in the first)."""
    names = list(dict.fromkeys(figure.name for figure in FIGURES))
    values = {(figure.name, figure.engine): figure for figure in FIGURES}
    print(f"{'figure':<28} " + " ".join(f"{engine:>12}" for engine in engines) + " unit   goal")
    for name in names:
        row = [values.get((name, engine)) for engine in engines]
        if not any(row):  # no database: shown once, under the first engine
            row[0] = values[name, ""]
        known = next(figure for figure in row if figure is not None)
        cells = " ".join(f"{figure.value if figure else '':>12}" for figure in row)
        print(f"{name:<28} {cells} {known.unit:<6} {known.goal}")


def main() -> None:
    """Run the chosen benchmarks on each engine and print the figures in one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="finish within 5 minutes")
    parser.add_argument("--only", nargs="*", choices=sorted(BENCHMARKS), default=sorted(BENCHMARKS))
    options = parser.parse_args()
    uses_wrk = bool(NEEDS_WRK & set(options.only))
    if uses_wrk and (shutil.which("wrk") is None or shutil.which("curl") is None):
        raise SystemExit(
            "wrk and curl are needed for the HTTP figures: run benchmarks/setup.sh "
            "(apt-get install -y wrk curl), or leave them out with --only"
        )
    started = time.monotonic()
    databases = []
    passes = _passes()
    for number, (engine, url) in enumerate(passes):
        if url is None:
            os.environ.pop(BENCH_URL, None)
        else:
            os.environ[BENCH_URL] = url
        with tempfile.TemporaryDirectory() as folder:
            databases.append(engine_name(database_url(Path(folder))))
        for name in options.only:
            if name in NO_DATABASE and number > 0:
                continue  # measured once: it touches no database
            FIGURE_ENGINE["name"] = "" if name in NO_DATABASE else engine
            BENCHMARKS[name](options.quick)
    print(f"\ndatabases: {', '.join(databases)}")
    if uses_wrk:
        print(f"load generator: wrk {wrk_version()}, 2 threads, 16 connections; gunicorn 2 workers")
    print("in-process figures: Flask test client and services, no HTTP server")
    print(f"took {time.monotonic() - started:.0f} s{' (--quick)' if options.quick else ''}\n")
    _table([engine for engine, _ in passes])


if __name__ == "__main__":
    main()
