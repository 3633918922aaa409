"""A total deadline for one fetch, that a slow server cannot stretch.

Socket timeouts bound each wait for a packet, not a whole answer: a server sending one byte
every few seconds (headers included) never trips them. :class:`Deadline` is armed around a
fetch in the thread that makes it; every connection opened or used meanwhile is registered
(:class:`WatchedPoolManager`'s connections do it) and shut down when the deadline passes, which
wakes the blocked read at once with an error. :attr:`Deadline.expired` tells that error from a
server's own.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Deadline:
    """Shuts down the registered sockets ``seconds`` after :meth:`start`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._started = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        """Start counting (once: later calls do nothing)."""
        with self._lock:
            if not self._started:
                self._started = True
                self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._sockets.clear()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.expired:
                _shutdown(sock)
            elif sock not in self._sockets:
                self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed
        pass


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """A :class:`Deadline` for the connections this thread uses inside the block; it counts
    from its :meth:`~Deadline.start` (the caller starts it when the first request leaves, not
    while it waits for its turn)."""
    armed = Deadline(seconds)
    previous = getattr(_current, "deadline", None)
    _current.deadline = armed
    try:
        yield armed
    finally:
        armed.cancel()
        _current.deadline = previous


def _register(sock: socket.socket | None) -> None:
    armed = getattr(_current, "deadline", None)
    if armed is not None:
        armed.watch(sock)


class _Watched:
    """Registers its socket with the thread's deadline when it connects and before it waits
    for an answer (a kept-alive connection is reused without connecting again)."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _register(self.sock)  # type: ignore[attr-defined]

    def getresponse(self, *args, **kwargs):
        _register(self.sock)  # type: ignore[attr-defined]
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class WatchedHTTPPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


#: ``pool_classes_by_scheme`` for a ``urllib3`` pool manager whose connections are watched.
WATCHED_POOLS = {"http": WatchedHTTPPool, "https": WatchedHTTPSPool}
