"""Horizontal scale: punchout setups per second from one gunicorn instance and from two on the
same database, each with the same workers, and what the processes involved spent of the CPU.

The instances run on this machine: with its cores busy, two instances cannot do more than one,
and the CPU figures say who used the cores (workers, PostgreSQL backends, wrk, other load).
Each round measures one instance, then both together (one wrk per instance, each with half the
connections and threads, so the load generator is the same size), in the order ABBA, so drift
of the machine's other load falls on both sides alike.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text

from benchmarks.database import fresh_database, gateway_env
from benchmarks.figures import report
from benchmarks.serving import (
    BIN,
    ROOT,
    children,
    cpu_seconds,
    gunicorn,
    machine_busy_seconds,
    post_script,
    start_wrk,
    wrk_result,
)
from gateway.engines import make_engine

SETUP_FIXTURE = ROOT / "fixtures/cxml/valid/punchout_setup_request/create_full.xml"
WORKERS = 2  # per instance
CONNECTIONS = 16  # in all, shared by the instances under load
THREADS = 2  # wrk threads in all
WARM_UP = 200  # setups per instance before the measured rounds
TIMEOUT = 30  # seconds: on a saturated machine a setup may wait long, it still counts


@dataclass(frozen=True)
class Phase:
    """One load phase: setups per second in all, and CPU seconds by whom."""

    rps: float
    requests: int
    wall: float
    workers: float
    database: float
    wrk: float
    machine: float


class _Meter:
    """CPU time of the workers of `masters`, the database's backends and wrk (our children)."""

    def __init__(self, masters: list[int], backends: list[int]) -> None:
        self.workers = [pid for master in masters for pid in children(master)]
        self.backends = backends

    def read(self) -> tuple[float, float, float, float, float]:
        ours = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk: reaped when it finishes
        return (
            time.monotonic(),
            cpu_seconds(self.workers),
            cpu_seconds(self.backends),
            ours.ru_utime + ours.ru_stime,
            machine_busy_seconds(),
        )


def _phase(meter: _Meter, ports: list[int], script: str, seconds: float) -> Phase:
    before = meter.read()
    loads = [
        start_wrk(
            port,
            script,
            seconds,
            connections=CONNECTIONS // len(ports),
            threads=THREADS // len(ports),
            timeout=TIMEOUT,
        )
        for port in ports
    ]
    results = [wrk_result(load) for load in loads]
    after = meter.read()
    wall, workers, database, load, machine = (b - a for a, b in zip(before, after, strict=True))
    return Phase(
        rps=sum(rps for rps, _, _ in results),
        requests=sum(done for _, _, done in results),
        wall=wall,
        workers=workers,
        database=database,
        wrk=load,
        machine=machine,
    )


def _backends(url: str, database_name: str | None) -> list[int]:
    """The PostgreSQL backends serving `database_name` ([] on SQLite: no server)."""
    if database_name is None:
        return []
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = :name "
                        "AND pid <> pg_backend_pid()"
                    ),
                    {"name": database_name},
                )
            )
    finally:
        engine.dispose()


def _warm_up(port: int, script: str) -> None:
    """Load every worker of the instance on `port` (its first setups read the schemas and open
    its pooled connection) until it has answered WARM_UP setups."""
    deadline, answered = time.monotonic() + 120, 0
    while answered < WARM_UP:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {answered} setups were answered on port {port}")
        load = start_wrk(port, script, 5, connections=CONNECTIONS, threads=1, timeout=TIMEOUT)
        answered += wrk_result(load)[2]


@contextmanager
def _instances(env: dict[str, str], count: int) -> Iterator[tuple[list[int], list[int]]]:
    """`count` gunicorn instances of the gateway: (their ports, their masters' pids)."""
    with ExitStack() as stack:
        served = [stack.enter_context(gunicorn("wsgi:app", env, WORKERS)) for _ in range(count)]
        yield [port for port, _ in served], [master.pid for _, master in served]


def bench_scale(quick: bool) -> None:
    """setup_rps of one gunicorn instance and of two at once on one database; CPU per setup."""
    seconds, rounds = (4, 2) if quick else (15, 3)
    with tempfile.TemporaryDirectory() as folder:
        env = gateway_env(Path(folder))
        url = env["GATEWAY_DATABASE_URL"]
        engine = fresh_database(url, demo=False)
        database_name = engine.url.database if engine.dialect.name == "postgresql" else None
        engine.dispose()
        subprocess.run(
            [str(BIN / "gateway"), "seed-demo"], env=env, check=True, cwd=ROOT, capture_output=True
        )
        with _instances(env, 2) as (ports, masters), post_script(SETUP_FIXTURE) as script:
            for port in ports:
                _warm_up(port, script)
            meter = _Meter(masters, _backends(url, database_name))
            one: list[Phase] = []
            two: list[Phase] = []
            for _ in range(rounds):
                one.append(_phase(meter, ports[:1], script, seconds))
                two.append(_phase(meter, ports, script, seconds))
                two.append(_phase(meter, ports, script, seconds))
                one.append(_phase(meter, ports[:1], script, seconds))
    _report(one, two)


def _report(one: list[Phase], two: list[Phase]) -> None:
    ratios = [(b.rps + c.rps) / (a.rps + d.rps) for a, b, c, d in _quads(one, two)]
    one_rps, two_rps = statistics.median(p.rps for p in one), statistics.median(p.rps for p in two)
    report("setup_rps_one_instance", one_rps, "req/s", f"{WORKERS} workers")
    report("setup_rps_two_instances", two_rps, "req/s", f"2 instances x {WORKERS} workers")
    report(
        "setup_rps_two_instances_ratio",
        statistics.median(ratios),
        "ratio",
        f"~1 on one 2-core host (ABBA rounds: {min(ratios):.2f}-{max(ratios):.2f})",
    )
    phases = one + two
    done = sum(p.requests for p in phases)
    for name, spent in (
        ("scale_worker_cpu_ms", sum(p.workers for p in phases)),
        ("scale_database_cpu_ms", sum(p.database for p in phases)),
        ("scale_wrk_cpu_ms", sum(p.wrk for p in phases)),
        ("scale_machine_cpu_ms", sum(p.machine for p in phases)),
    ):
        report(name, spent * 1000 / done, "ms", "CPU per setup (machine: every process on it)")
    cores = sum(p.machine for p in phases) / sum(p.wall for p in phases)
    report("scale_machine_busy_cores", cores, "cores", "while loaded (all processes)")


def _quads(one: list[Phase], two: list[Phase]) -> Iterator[tuple[Phase, Phase, Phase, Phase]]:
    """Each round's phases in the order they ran: one, two, two, one."""
    for number in range(0, len(one), 2):
        yield one[number], two[number], two[number + 1], one[number + 1]
