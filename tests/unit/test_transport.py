"""gateway.transport: allow-list, SSRF guard, no redirects, timeouts, size cap."""

from __future__ import annotations

import pytest
import requests
import responses

from gateway.transport import DeliveryFailed, Destination, DestinationRefused, Transport

PUBLIC = "93.184.216.34"
ADDRESSES = {
    "buyer.example": [PUBLIC],
    "metadata.example": ["169.254.169.254"],
    "internal.example": ["10.1.2.3"],
    "mixed.example": [PUBLIC, "192.168.0.1"],
    "localhost": ["127.0.0.1", "::1"],
    "169.254.169.254": ["169.254.169.254"],
    "127.0.0.1": ["127.0.0.1"],
    "::1": ["::1"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "multicast.example": ["224.0.0.1"],
}


def fake_resolver(host: str, _port: int) -> list[str]:
    return ADDRESSES.get(host, [])


def transport(**options: float) -> Transport:
    return Transport(resolver=fake_resolver, **options)  # type: ignore[arg-type]


def to(url: str, *, private: bool = False, prefixes: tuple[str, ...] | None = None) -> Destination:
    return Destination(url=url, allowed_prefixes=prefixes or (url,), allow_private_network=private)


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "http://169.254.169.254/",
        "https://localhost/cxml",
        "http://localhost/cxml",
        "https://[::1]/cxml",
        "https://127.0.0.1/cxml",
        "https://metadata.example/cxml",
        "https://internal.example/cxml",
        "https://mixed.example/cxml",
        "https://mapped.example/cxml",
        "https://multicast.example/cxml",
        "http://buyer.example/cxml",  # plain http, partner not allowed it
    ],
)
def test_private_and_plain_http_destinations_are_refused(url: str) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(DestinationRefused):
            transport().post(to(url), b"<cXML/>")
        assert len(mock.calls) == 0


def test_a_url_off_the_allow_list_is_refused() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        with pytest.raises(DestinationRefused, match="allow-list"):
            transport().post(
                to("https://buyer.example.evil.com/x", prefixes=("https://buyer.example",)), b"x"
            )
        assert len(mock.calls) == 0


def test_a_public_https_destination_gets_the_document() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post("https://buyer.example/cxml", body=b"<cXML/>", status=200)
        reply = transport().post(to("https://buyer.example/cxml"), b"<doc/>")
        assert (reply.status, reply.body) == (200, b"<cXML/>")
        assert mock.calls[0].request.body == b"<doc/>"
        assert mock.calls[0].request.headers["Content-Type"].startswith("text/xml")


def test_redirects_are_never_followed() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post(
            "https://buyer.example/cxml",
            status=302,
            headers={"Location": "http://169.254.169.254/latest/meta-data/"},
        )
        reply = transport().post(to("https://buyer.example/cxml"), b"<doc/>")
        assert reply.status == 302
        assert len(mock.calls) == 1


def test_plain_http_to_loopback_goes_to_the_checked_address_when_allowed() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post("http://127.0.0.1:8080/in", body=b"ok")
        reply = transport().post(to("http://localhost:8080/in", private=True), b"<doc/>")
        assert reply.body == b"ok"
        assert mock.calls[0].request.headers["Host"] == "localhost:8080"


@pytest.mark.parametrize(
    "error", [requests.ConnectTimeout(), requests.ReadTimeout(), requests.ConnectionError()]
)
def test_timeouts_and_connection_errors_are_delivery_failures(error: Exception) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post("https://buyer.example/cxml", body=error)
        with pytest.raises(DeliveryFailed, match=r"buyer\.example"):
            transport().post(to("https://buyer.example/cxml"), b"<doc/>")


def test_replies_over_the_size_cap_are_refused() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post("https://buyer.example/cxml", body=b"x" * 2048)
        with pytest.raises(DeliveryFailed, match=r"larger than 1024"):
            transport(max_response_bytes=1024).post(to("https://buyer.example/cxml"), b"<doc/>")


def test_unresolvable_names_are_delivery_failures() -> None:
    with pytest.raises(DeliveryFailed, match="cannot resolve"):
        transport().post(to("https://nowhere.example/cxml"), b"<doc/>")


def test_timeouts_are_passed_as_connect_and_read() -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        mock.post("https://buyer.example/cxml", body=b"")
        transport(connect_timeout=2, read_timeout=7).post(to("https://buyer.example/cxml"), b"x")
        assert mock.calls[0].request.req_kwargs["timeout"] == (2, 7)
