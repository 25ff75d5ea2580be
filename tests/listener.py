"""A local listener that counts connections: proof that nothing was fetched."""

from __future__ import annotations

import socket
import threading


class Listener:
    """Accepts and closes every connection on 127.0.0.1:<port>, counting them."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.02)
        self.port: int = self._server.getsockname()[1]
        self._count = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            self._accept_one()

    def _accept_one(self) -> bool:
        try:
            connection, _ = self._server.accept()
        except (TimeoutError, BlockingIOError):
            return False
        self._count += 1
        connection.close()
        return True

    def connections(self) -> int:
        """Stop serving, count what is still queued, and return the total."""
        self._stop.set()
        self._thread.join()
        self._server.setblocking(False)
        while self._accept_one():
            pass
        return self._count

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._server.close()

    def point_at(self, document: bytes) -> bytes:
        """The document with its `127.0.0.1:9` URLs pointing at this listener instead."""
        return document.replace(b"127.0.0.1:9/", f"127.0.0.1:{self.port}/".encode())
