"""One PunchOutSetupRequest in process, for profiling: statements, CPU time, and where it goes.

    python benchmarks/setup_profile.py [--requests N] [--cprofile]

Posts the benchmark's setup request (`create_full.xml`, a level-2 create) N times through the
Flask test client of the gateway as production configures it, on a fresh SQLite file (or the
PostgreSQL database of `GATEWAY_BENCH_DATABASE_URL`), after one warm-up that makes its person a
punchout identity. Prints the SQL statements of one setup and the median CPU time (process time,
which the other sessions on a shared machine disturb far less than wall time) of a setup and of
the bare app's request. `--cprofile` prints the 25 most expensive functions; under
`valgrind --tool=callgrind` (see benchmarks/README.md) the instruction counts are repeatable.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient
from sqlalchemy import event

from benchmarks.bare_app import app as bare_app
from benchmarks.database import app_for, database_url, fresh_database
from gateway.db import Database

SETUP_FIXTURE = ROOT / "fixtures/cxml/valid/punchout_setup_request/create_full.xml"


def cpu_ms(requests: int, action: Callable[[], object]) -> float:
    """The median process time of `action` in ms."""
    measured = []
    for _ in range(requests):
        started = time.process_time()
        action()
        measured.append(time.process_time() - started)
    return statistics.median(measured) * 1000


def main() -> None:
    """Measure (or profile) setups in process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--sort", default="cumulative", help="the pstats order of --cprofile")
    options = parser.parse_args()
    body = SETUP_FIXTURE.read_bytes()
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(Path(folder))
        fresh_database(url).dispose()
        app = app_for(url)
        client: FlaskClient = app.test_client()

        def setup() -> None:
            answer = client.post("/cxml", data=body, content_type="text/xml").data
            if b'code="200"' not in answer:
                raise SystemExit(f"the gateway refused the setup: {answer[:300]!r}")

        setup()  # the person becomes a punchout identity of the partner
        database: Database = app.extensions["gateway.db"]
        statements: list[str] = []

        def record(*args: Any) -> None:
            statements.append(args[2])

        event.listen(database.engine, "before_cursor_execute", record)
        setup()
        event.remove(database.engine, "before_cursor_execute", record)
        print(f"{len(statements)} statements in one setup:")
        for statement in statements:
            print("   ", " ".join(statement.split())[:100])
        if options.cprofile:
            profiler = cProfile.Profile()
            profiler.runcall(lambda: [setup() for _ in range(options.requests)])
            pstats.Stats(profiler).sort_stats(options.sort).print_stats(25)
            return
        bare = bare_app.test_client()
        ours = cpu_ms(options.requests, setup)
        reference = cpu_ms(
            options.requests,
            lambda: bare.post("/cxml", data=body, content_type="text/xml").data,
        )
        database.engine.dispose()
    print(f"setup {ours:.2f} ms CPU, bare app {reference:.2f} ms CPU, ratio {reference / ours:.3f}")


if __name__ == "__main__":
    main()
