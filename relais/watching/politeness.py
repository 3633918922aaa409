"""Per-host politeness: at most ``per_host`` requests at once to a host, and at least
``delay`` seconds between the starts of two requests to it, whatever the number of threads.

A host is a host name and port (``news.example:443``): two sites on one machine are two hosts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit


def host_of(url: str) -> str:
    """The politeness key of ``url``: its host name, lower case, and port."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{(parts.hostname or '').lower()}:{port}"


class HostGate:
    """Hands out request slots per host (see the module's docstring). ``clock`` and ``sleep``
    are :func:`time.monotonic` and :func:`time.sleep` unless a test gives its own."""

    def __init__(
        self,
        per_host: int = 2,
        delay: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if per_host < 1:
            raise ValueError("per_host must be at least 1 (requests at once to one host)")
        self.per_host = per_host
        self.delay = delay
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._slots: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._slots.get(host)
            if slot is None:
                slot = self._slots[host] = threading.BoundedSemaphore(self.per_host)
            return slot

    def _reserve(self, host: str) -> float:
        """The time this request may start, booked so that the next one starts ``delay``
        after it; how long to wait until then."""
        with self._lock:
            now = self.clock()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self.delay
            return start - now

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Wait for a slot on ``url``'s host and for its turn; hold the slot inside."""
        host = host_of(url)
        semaphore = self._slot(host)
        with semaphore:
            wait = self._reserve(host)
            if wait > 0:
                self.sleep(wait)
            yield
