"""`export_<format>_s_per_10k` and `export_memory_ratio`: customer 1001's catalog as
CIF, cXML Index and BMEcat at two catalog sizes.

The products are those of the catalog benchmark (every one in 1001's assortment, every third
with a contract price). Each format is written to a sink that only counts bytes, through the
export service as `gateway catalog export` calls it. Time is per 10,000 products at the large
size; memory is the peak of Python allocations (tracemalloc, in a separate run) while writing
the large catalog against the small one: a streaming export keeps it near 1.
"""

from __future__ import annotations

import io
import tempfile
import time
import tracemalloc
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from benchmarks.catalog import load_products
from benchmarks.database import database_url, fresh_database
from benchmarks.figures import report
from gateway.db import utcnow
from gateway.services.catalog import exports, pricing

SUPPLIER = exports.Supplier(
    domain="NetworkID",
    identity="AN-BENCHMARK",
    name="Benchmark supplier",
    base_url="http://127.0.0.1:5000",
    vat_rates=pricing.DEFAULT_VAT_RATES,
    picture_key="benchmark-picture-key",
)


class _Sink(io.RawIOBase):
    """A binary stream that keeps nothing but the number of bytes written."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        return len(data)


def _export(engine: Engine, export_format: exports.ExportFormat) -> int:
    with Session(engine) as session:
        plan = exports.prepare(
            session,
            organisation=exports.customer(session, "1001"),
            options=exports.ExportOptions(format=export_format),
            supplier=SUPPLIER,
            now=utcnow(),
        )
        return exports.write(session, plan, io.BufferedWriter(_Sink()))


def _peak_kib(engine: Engine) -> float:
    tracemalloc.start()
    try:
        _export(engine, exports.ExportFormat.CXML)
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


def bench_catalog_export(quick: bool) -> None:
    """Seconds per 10,000 products for each format, and the memory ratio large / small."""
    small, large = (2_000, 20_000) if quick else (10_000, 100_000)
    with tempfile.TemporaryDirectory() as folder:
        engine = fresh_database(database_url(Path(folder)))
        load_products(engine, up_to=small)
        small_peak = _peak_kib(engine)
        load_products(engine, up_to=large)
        large_peak = _peak_kib(engine)
        seconds: dict[str, float] = {}
        for export_format in exports.ExportFormat:
            started = time.perf_counter()
            count = _export(engine, export_format)
            seconds[export_format] = (time.perf_counter() - started) / count * 10_000
        engine.dispose()
    for export_format, value in seconds.items():
        report(
            f"export_{export_format}_s_per_10k",
            value,
            "s",
            f"informational ({large:,} products)",
        )
    report(
        "export_memory_ratio",
        large_peak / small_peak,
        "ratio",
        f"<= 1.5 (peak allocations, {large:,} / {small:,} products: it streams)",
    )
