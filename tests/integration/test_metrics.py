"""`/metrics`: the Prometheus format, request counters and timings, database gauges, access."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask, Response, request
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from gateway import create_app
from gateway.db import Database, utcnow
from gateway.models import OutboxMessage, TradingPartner
from gateway.services import message_log
from tests import buyer
from tests.conftest import TEST_CONFIG

PROBE_TYPE = "MetricsProbeRequest"  # a document type no other code logs


def scrape(client: FlaskClient, **headers: str) -> list[Sample]:
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.mimetype == "text/plain"
    return [
        sample
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    ]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    """The sample's value; 0 when there is none (a series appears with its first event)."""
    found = [s.value for s in samples if s.name == name and labels.items() <= s.labels.items()]
    assert len(found) <= 1, found
    return found[0] if found else 0.0


def app_with(engine: Engine, sessions: sessionmaker[Session], **config: object) -> Flask:
    """The test app with other settings (the proxy hops are applied when the app is built)."""
    app = create_app({**TEST_CONFIG, **config})
    app.extensions["gateway.db"].engine.dispose()
    app.extensions["gateway.db"] = Database(engine=engine, sessions=sessions)
    return app


def test_requests_are_counted_by_endpoint_method_and_status(client: FlaskClient) -> None:
    labels = {"endpoint": "ops.healthz", "method": "GET", "status": "200"}
    before = value(scrape(client), "gateway_http_requests_total", **labels)
    client.get("/healthz")
    client.get("/healthz")
    assert value(scrape(client), "gateway_http_requests_total", **labels) == before + 2


def test_unknown_paths_and_methods_keep_the_labels_bounded(client: FlaskClient) -> None:
    client.get("/no/such/page/4711")
    client.open("/healthz", method="BREW")
    samples = scrape(client)
    unmatched = {"endpoint": "unmatched", "method": "GET", "status": "404"}
    assert value(samples, "gateway_http_requests_total", **unmatched) >= 1
    odd = {"endpoint": "unmatched", "method": "other", "status": "405"}  # no rule matched
    assert value(samples, "gateway_http_requests_total", **odd) >= 1
    assert not [s for s in samples if "4711" in str(s.labels) or "BREW" in str(s.labels)]


def test_durations_are_a_histogram_with_buckets(client: FlaskClient) -> None:
    client.get("/healthz")
    samples = scrape(client)
    buckets = [
        s
        for s in samples
        if s.name == "gateway_http_request_duration_seconds_bucket"
        and s.labels["endpoint"] == "ops.healthz"
    ]
    bounds = [s.labels["le"] for s in buckets]
    assert bounds[0] == "0.001"
    assert bounds[-1] == "+Inf"
    count = value(samples, "gateway_http_request_duration_seconds_count", endpoint="ops.healthz")
    assert buckets[-1].value == count >= 1
    assert [s.value for s in buckets] == sorted(s.value for s in buckets)  # cumulative


def test_a_request_whose_response_hooks_fail_counts_as_a_500(app: Flask) -> None:
    def broken_hook(response: Response) -> Response:
        if request.endpoint == "ops.healthz":
            raise RuntimeError("a response hook failed")
        return response

    app.after_request(broken_hook)  # runs before the metrics hook, which then never runs
    client = app.test_client()
    labels = {"endpoint": "ops.healthz", "method": "GET", "status": "500"}
    before = value(scrape(client), "gateway_http_requests_total", **labels)
    with pytest.raises(RuntimeError, match="a response hook failed"):
        client.get("/healthz")
    assert value(scrape(client), "gateway_http_requests_total", **labels) == before + 1


def test_a_punchout_setup_is_timed_under_its_endpoint(client: FlaskClient) -> None:
    client.post("/cxml", data=buyer.setup_request(), content_type="text/xml")
    samples = scrape(client)
    labels = {"endpoint": "punchout.cxml_endpoint", "method": "POST", "status": "200"}
    assert value(samples, "gateway_http_requests_total", **labels) >= 1
    name = "gateway_http_request_duration_seconds_count"
    assert value(samples, name, endpoint="punchout.cxml_endpoint") >= 1


def test_recent_documents_are_counted_by_partner_direction_type_and_status(
    client: FlaskClient, db_session: Session
) -> None:
    partner = db_session.scalars(select(TradingPartner).filter_by(name="demo-cxml")).one()
    for status in (200, 200, 401):
        message_log.record(
            db_session,
            direction="in",
            document_type=PROBE_TYPE,
            body=b"<cXML/>",
            status_code=status,
            partner_id=partner.id,
        )
    message_log.record(db_session, direction="in", document_type=PROBE_TYPE, body=b"?")
    old = message_log.record(
        db_session, direction="in", document_type=PROBE_TYPE, body=b"<cXML/>", status_code=200
    )
    old.created_at = utcnow() - timedelta(hours=2)  # outside the window
    db_session.commit()
    samples = scrape(client)
    name = "gateway_documents_recent"
    probe = {"direction": "in", "type": PROBE_TYPE}
    assert value(samples, name, partner="demo-cxml", status="200", **probe) == 2
    assert value(samples, name, partner="demo-cxml", status="401", **probe) == 1
    assert value(samples, name, partner="", status="none", **probe) == 1
    assert value(samples, name, partner="", status="200", **probe) == 0
    assert value(samples, "gateway_database_up") == 1


def test_the_outbox_depth_and_the_age_of_its_oldest_row(
    client: FlaskClient, db_session: Session
) -> None:
    samples = scrape(client)
    assert value(samples, "gateway_outbox_messages", status="pending") == 0
    assert value(samples, "gateway_outbox_oldest_age_seconds", status="pending") == 0
    now = utcnow()
    for number, (status, age) in enumerate([("pending", 600), ("pending", 5), ("dead", 60)]):
        db_session.add(
            OutboxMessage(
                document_type="email",
                payload_id=f"metrics-{number}@test",
                body=b"{}",
                status=status,
                created_at=now - timedelta(seconds=age),
                next_attempt_at=now,
            )
        )
    db_session.commit()
    samples = scrape(client)
    assert value(samples, "gateway_outbox_messages", status="pending") == 2
    assert value(samples, "gateway_outbox_messages", status="dead") == 1
    assert 600 <= value(samples, "gateway_outbox_oldest_age_seconds", status="pending") < 900
    assert 60 <= value(samples, "gateway_outbox_oldest_age_seconds", status="dead") < 360


def test_an_unreadable_database_still_serves_the_request_metrics() -> None:
    app = create_app({**TEST_CONFIG, "GATEWAY_DATABASE_URL": "postgresql://x@127.0.0.1:1/x"})
    samples = scrape(app.test_client())
    assert value(samples, "gateway_database_up") == 0
    assert not [s for s in samples if s.name == "gateway_outbox_messages"]


def test_without_a_token_only_loopback_clients_may_read(client: FlaskClient) -> None:
    answer = client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert answer.status_code == 403
    assert "loopback clients only" in answer.text
    assert "Set-Cookie" not in answer.headers
    ipv6 = client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"})
    assert ipv6.status_code == 200


def test_a_request_relayed_by_an_unconfigured_proxy_is_not_trusted_as_loopback(
    client: FlaskClient,
) -> None:
    # nginx on the same host without GATEWAY_PROXY_HOPS: every client would look like 127.0.0.1
    answer = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert answer.status_code == 403


def test_behind_a_configured_proxy_the_real_client_address_decides(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    client = app_with(engine, sessions, GATEWAY_PROXY_HOPS=1).test_client()
    relayed = {"X-Forwarded-For": "203.0.113.5"}
    assert client.get("/metrics", headers=relayed).status_code == 403
    assert client.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}).status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", "Basic c2NyYXBlOnNjcmFwZS10b2tlbg==", "scrape-token"],
)
def test_with_a_token_everyone_must_send_it(
    engine: Engine, sessions: sessionmaker[Session], authorization: str | None
) -> None:
    client = app_with(engine, sessions, GATEWAY_METRICS_TOKEN="scrape-token").test_client()
    headers = {"Authorization": authorization} if authorization else {}
    answer = client.get("/metrics", headers=headers)  # from loopback, which is not enough
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Bearer token" in answer.text


def test_the_token_opens_the_metrics_from_anywhere(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    client = app_with(engine, sessions, GATEWAY_METRICS_TOKEN="scrape-token").test_client()
    remote = {"REMOTE_ADDR": "203.0.113.5"}
    answer = client.get(
        "/metrics", headers={"Authorization": "Bearer scrape-token"}, environ_base=remote
    )
    assert answer.status_code == 200
