"""A local listener that counts connections: proof that parsing fetched nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.listener import Listener


@pytest.fixture
def listener() -> Iterator[Listener]:
    """A fresh connection-counting listener."""
    server = Listener()
    yield server
    server.close()
