"""Fixtures of the adversarial suite (security-checklist.md §6)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.listener import Listener


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A fresh connection-counting listener on loopback."""
    server = Listener()
    yield server
    server.close()
