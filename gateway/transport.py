"""Outbound HTTP: the only `requests` import. SSRF guard, timeouts, no redirects, size cap.

Every destination must be on the partner's URL allow-list and resolve only to public
addresses; loopback, private, link-local (169.254.169.254), multicast, reserved and
unspecified addresses, and plain http, are refused unless the partner is explicitly allowed
them (tests and demos). Plain http goes to the checked address itself (no second DNS
lookup); https goes to the name, whose certificate the server must prove.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from gateway.errors import GatewayError
from gateway.urls import url_allowed

Resolver = Callable[[str, int], list[str]]


class DestinationRefused(GatewayError):
    """The URL is not allowed for this partner, or resolves to an address we never call."""


class DeliveryFailed(GatewayError):
    """No usable HTTP reply: connection error, timeout, or a reply larger than the cap."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Destination:
    """Where a partner's documents may go."""

    url: str
    allowed_prefixes: tuple[str, ...]
    allow_private_network: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """An HTTP reply (redirects are never followed, so 3xx arrive here as they are)."""

    status: int
    body: bytes
    content_type: str = ""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


@dataclass
class Transport:
    """Posts cXML documents; injected into the outbox worker (tests pass their own)."""

    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_response_bytes: int = 1024 * 1024
    resolver: Resolver = resolve

    def post(self, destination: Destination, body: bytes) -> Reply:
        """POST `body` as text/xml; raise DestinationRefused (nothing sent) or DeliveryFailed."""
        url, headers = self._checked(destination)
        try:
            with requests.post(
                url,
                data=body,
                headers={"Content-Type": "text/xml; charset=UTF-8", **headers},
                timeout=(self.connect_timeout, self.read_timeout),
                allow_redirects=False,
                stream=True,
            ) as response:
                content = self._read(response)
                return Reply(
                    status=response.status_code,
                    body=content,
                    content_type=response.headers.get("Content-Type", ""),
                )
        except requests.RequestException as exc:
            raise DeliveryFailed(f"{type(exc).__name__} talking to {_host(url)}") from exc

    def _checked(self, destination: Destination) -> tuple[str, dict[str, str]]:
        url = destination.url
        if not url_allowed(url, destination.allowed_prefixes):
            raise DestinationRefused("outbound URL is not on the partner's allow-list")
        parts = urlsplit(url)
        private_ok = destination.allow_private_network
        if parts.scheme != "https" and not private_ok:
            raise DestinationRefused("outbound URL must use https")
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = self.resolver(host, port)
        except OSError as exc:
            raise DeliveryFailed(f"cannot resolve {host}") from exc
        if not addresses:
            raise DeliveryFailed(f"cannot resolve {host}")
        if not private_ok and any(not _public(address) for address in addresses):
            raise DestinationRefused(f"{host} resolves to a non-public address")
        if parts.scheme == "https":
            return url, {}
        address = addresses[0]
        literal = f"[{address}]" if ":" in address else address
        netloc = f"{literal}:{parts.port}" if parts.port else literal
        return urlunsplit(parts._replace(netloc=netloc)), {"Host": parts.netloc}

    def _read(self, response: Any) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > self.max_response_bytes:
                raise DeliveryFailed(f"reply larger than {self.max_response_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _host(url: str) -> str:
    return urlsplit(url).hostname or "?"
