"""`/metrics` in the Prometheus text format: HTTP requests per process, documents and the outbox
from the database at scrape time.

Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (and use
`gateway.ops.gunicorn_conf`): every worker then writes its counters there and a scrape adds them
up, whichever worker answers it. Labels are bounded: the endpoint is the Flask endpoint name
(never the path; "unmatched" for 404s), the method one of the standard ones or "other".
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime
from http import HTTPStatus
from time import perf_counter

from flask import Flask, Request, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.db import utcnow
from gateway.ops.health import plain
from gateway.services import monitoring
from gateway.web.database import get_session

log = logging.getLogger(__name__)

PROCESS_REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "gateway_http_requests",
    "HTTP requests answered, by Flask endpoint, method and status code.",
    ("endpoint", "method", "status"),
    registry=PROCESS_REGISTRY,
)
DURATION = Histogram(
    "gateway_http_request_duration_seconds",
    "Time from routing to the finished response (commit included), by Flask endpoint.",
    ("endpoint",),
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=PROCESS_REGISTRY,
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
_children: dict[tuple[str | None, str, int], tuple[Counter, Histogram]] = {}  # labels' children


def init_app(app: Flask) -> None:
    """Time every request: first hook before it, last hook after it."""
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_finish_failed)


# The request being timed and when it began. A context variable and a tuple rather than `g`
# and a dataclass: each use of Flask's proxies, or a frozen dataclass, costs a microsecond or
# so, and these hooks run on every request.
_Timing = tuple[Request, float]
_timing: ContextVar[_Timing | None] = ContextVar("gateway_request_timing", default=None)


def _start() -> None:
    _timing.set((request._get_current_object(), perf_counter()))  # type: ignore[attr-defined]


def _finish(response: Response) -> Response:
    timing = _timing.get()
    if timing is not None:
        _timing.set(None)
        _observe(timing, response.status_code)
    return response


def _finish_failed(_exc: BaseException | None) -> None:
    """An exception escaped the response hooks: count the request as the 500 it became."""
    timing = _timing.get()
    if timing is not None:
        _timing.set(None)
        _observe(timing, HTTPStatus.INTERNAL_SERVER_ERROR)


def _observe(timing: _Timing, status: int) -> None:
    observe(timing[0].endpoint, timing[0].method, status, perf_counter() - timing[1])


def observe(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its time (also for requests answered below Flask)."""
    key = (endpoint, method if method in METHODS else "other", status)
    pair = _children.get(key)
    if pair is None:  # labels() takes a lock and checks the values: once per label set
        name = endpoint or UNMATCHED
        pair = _children[key] = (REQUESTS.labels(name, key[1], str(status)), DURATION.labels(name))
    pair[0].inc()
    pair[1].observe(seconds)


def metrics() -> Response:
    """Every figure in the Prometheus text format, to a permitted client (see `_refusal`)."""
    refusal = _refusal()
    if refusal is not None:
        return refusal
    registry = CollectorRegistry(auto_describe=False)
    if current_app.config["PROMETHEUS_MULTIPROC_DIR"] is not None:
        # Registers itself: all workers' files added up (prometheus_client leaves it unannotated).
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(PROCESS_REGISTRY)
    registry.register(DatabaseCollector(get_session(), now=utcnow()))
    response = Response(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refusal() -> Response | None:
    """None when the client may read the metrics: with GATEWAY_METRICS_TOKEN set, whoever sends
    it as a Bearer token; otherwise loopback clients that did not come through a proxy."""
    token = current_app.config["GATEWAY_METRICS_TOKEN"]
    if token is not None:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        answer = plain("metrics need the Bearer token (GATEWAY_METRICS_TOKEN)", 401)
        answer.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return answer
    proxied = not current_app.config["GATEWAY_PROXY_HOPS"] and (
        "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    )
    if not proxied and _is_loopback(request.remote_addr or ""):
        return None
    return plain("metrics are served to loopback clients only; set GATEWAY_METRICS_TOKEN", 403)


def _is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


class DatabaseCollector:
    """Gauges read from the database when scraped: recent documents and the outbox backlog."""

    def __init__(self, session: Session, *, now: datetime) -> None:
        self.session = session
        self.now = now

    def collect(self) -> Iterator[Metric]:
        """The database gauges; only `gateway_database_up 0` when the database fails."""
        up = GaugeMetricFamily("gateway_database_up", "1 when the scrape could read the database.")
        try:
            documents = monitoring.recent_documents(self.session, now=self.now)
            backlog = monitoring.outbox_backlog(self.session)
        except SQLAlchemyError as exc:
            log.warning("metrics: the database could not be read (%s)", type(exc).__name__)
            self.session.rollback()  # so the request can end cleanly
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        window = int(monitoring.DOCUMENT_WINDOW.total_seconds())
        logged = GaugeMetricFamily(
            "gateway_documents_recent",
            f"Documents in the message log of the last {window} seconds.",
            labels=("partner", "direction", "type", "status"),
        )
        for count in documents:
            logged.add_metric(
                [count.partner, count.direction, count.document_type, count.status], count.count
            )
        yield logged
        depth = GaugeMetricFamily(
            "gateway_outbox_messages",
            "Outbox rows waiting (pending) or given up (dead).",
            labels=("status",),
        )
        age = GaugeMetricFamily(
            "gateway_outbox_oldest_age_seconds",
            "Seconds since the oldest row of the status was queued (0 when there is none).",
            labels=("status",),
        )
        for row in backlog:
            depth.add_metric([row.status], row.count)
            oldest = 0.0 if row.oldest is None else (self.now - row.oldest).total_seconds()
            age.add_metric([row.status], max(oldest, 0.0))
        yield depth
        yield age
