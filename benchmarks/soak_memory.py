"""A gunicorn configuration for `soak.py --trace-memory FOLDER`: what a worker's memory holds.

Each worker traces Python allocations (tracemalloc, one frame) and, every minute, appends one
JSON line to `FOLDER/<pid>.jsonl`: its RSS; glibc's heap (in use and free but kept); what
tracemalloc sees allocated by Python; the number of objects the collector tracks, by type;
the sizes of the caches that fill as documents of new types arrive (lxml's DTDs and XSDs,
SQLAlchemy's compiled statements, Jinja's templates); and the source lines whose allocations
grew most since the first minute. RSS minus the traced Python memory is what C libraries
(libxml2, SQLite's page cache, libpq) and the allocators hold.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import threading
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

INTERVAL = 60  # seconds between two lines
FOLDER = "SOAK_MEMORY_DIR"


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _heap() -> dict[str, int]:
    """glibc's heap in KiB: in use, free but kept, and mmapped blocks ({} without glibc)."""
    try:
        mallinfo2 = ctypes.CDLL("libc.so.6").mallinfo2
    except (OSError, AttributeError):
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {
        "heap_used_kib": info.uordblks // 1024,
        "heap_free_kib": info.fordblks // 1024,
        "mmapped_kib": info.hblkhd // 1024,
    }


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _caches() -> dict[str, Any]:
    """Sizes of the process-wide caches that fill with use."""
    from gateway.cxml import dtd, schema  # noqa: PLC0415 - the worker has loaded them by now

    sizes: dict[str, Any] = {
        "dtds": dtd._load.cache_info().currsize,
        "xsds": schema._load.cache_info().currsize,
    }
    for thing in gc.get_objects():
        kind = type(thing).__name__
        if kind == "LRUCache" and type(thing).__module__.startswith("sqlalchemy"):
            sizes["sqlalchemy_compiled"] = sizes.get("sqlalchemy_compiled", 0) + len(thing)
        elif kind == "Environment" and type(thing).__module__.startswith("jinja2"):
            sizes["jinja_templates"] = len(thing.cache or ())
    return sizes


def _watch(folder: Path) -> None:
    """Append one line every INTERVAL seconds to `folder/<pid>.jsonl`."""
    out = folder / f"{os.getpid()}.jsonl"
    started = time.monotonic()
    first: tracemalloc.Snapshot | None = None
    while True:
        time.sleep(INTERVAL)
        snapshot = tracemalloc.take_snapshot()
        grown = []
        if first is None:
            first = snapshot
        else:
            for stat in snapshot.compare_to(first, "lineno")[:12]:
                frame = stat.traceback[0]
                grown.append([f"{frame.filename}:{frame.lineno}", stat.size_diff // 1024])
        objects = Counter(type(thing).__name__ for thing in gc.get_objects())
        line = {
            "seconds": round(time.monotonic() - started),
            "rss_kib": _rss_kib(),
            **_heap(),
            "python_traced_kib": tracemalloc.get_traced_memory()[0] // 1024,
            "gc_objects": sum(objects.values()),
            "top_types": objects.most_common(12),
            "caches": _caches(),
            "grown_since_first_minute_kib": grown,
        }
        with out.open("a") as lines:
            lines.write(json.dumps(line) + "\n")


def post_fork(_server: object, _worker: object) -> None:
    """gunicorn's hook: start tracing in the new worker."""
    folder = os.environ.get(FOLDER)
    if folder:
        tracemalloc.start(1)
        threading.Thread(target=_watch, args=(Path(folder),), daemon=True).start()
