"""Serving for the HTTP benchmarks: gunicorn on loopback, loaded by wrk, and what the processes
involved spent of the CPU."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, timeout: float = 30) -> None:
    """Return once something accepts connections on `port`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


@contextmanager
def gunicorn(
    app: str, env: dict[str, str], workers: int = 2
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """Serve `app` with gunicorn on a free loopback port; yields (port, master process)."""
    port = free_port()
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--no-control-socket",  # several masters at once: each would take the same socket
            app,
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port)
        yield port, process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@contextmanager
def post_script(body: Path) -> Iterator[str]:
    """A wrk Lua script that sends `POST` with `body` as text/xml; yields its path."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\n'
            'wrk.headers["Content-Type"] = "text/xml"\n'
            f'local f = io.open("{body}", "rb")\nwrk.body = f:read("*a")\nf:close()\n'
        )
    try:
        yield script.name
    finally:
        os.unlink(script.name)


def start_wrk(
    port: int, script: str, seconds: float, *, connections: int, threads: int, timeout: int = 2
) -> subprocess.Popen[str]:
    """wrk loading `POST /cxml` on `port` with `script`, running in the background; a request
    slower than `timeout` seconds counts as an error, not as a request."""
    return subprocess.Popen(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={timeout}s",
            "--latency",
            "-s",
            script,
            f"http://127.0.0.1:{port}/cxml",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def wrk_result(process: subprocess.Popen[str]) -> tuple[float, float, int]:
    """Wait for a wrk started by `start_wrk`: (requests per second, p99 in ms, requests)."""
    output, _ = process.communicate()
    if process.returncode:
        raise RuntimeError(f"wrk failed: {output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    p99_ms = float(p99) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return rps, p99_ms, total


def wrk(port: int, body: Path, seconds: int, connections: int = 16) -> tuple[float, float, int]:
    """Load `POST /cxml` with `body`: (requests per second, p99 latency in ms, requests)."""
    with post_script(body) as script:
        return wrk_result(start_wrk(port, script, seconds, connections=connections, threads=2))


def children(master: int) -> list[int]:
    """The process ids of `master`'s children (gunicorn's workers)."""
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def worker_rss_kib(master: int) -> dict[int, int]:
    """The RSS of each of `master`'s workers, in KiB, by process id (one recycled between the
    listing and the read is left out)."""
    sizes = {}
    for pid in children(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        found = re.search(r"VmRSS:\s+(\d+)", status)
        if found:
            sizes[pid] = int(found.group(1))
    return sizes


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time the processes `pids` have used so far (gone ones count 0)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


def machine_busy_seconds() -> float:
    """CPU time all processes on the machine have used since boot (not idle, not iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / TICKS
