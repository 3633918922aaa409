"""Fixtures of the watching engine's tests: real HTTP servers on 127.0.0.1 (no mocked
requests), short limits so that hostile servers cost little time, and a guard that refuses
any connection leaving this machine before a packet is sent.

Nothing here needs Django."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from relais.outbound import Policy
from relais.watching.cycle import WatchConfig
from relais.watching.fetch import Fetcher, Limits
from relais.watching.testing import LoopbackSite

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "watching"
#: What the tests allow: http and this machine (the loopback sites), nothing private beyond.
LOOPBACK = Policy.parse("loopback")
#: Limits small enough for hostile servers to be cut off quickly.
FAST = Limits(
    connect_timeout=1.0,
    read_timeout=0.6,
    deadline=1.5,
    max_bytes=1024 * 1024,
    max_decoded_bytes=4 * 1024 * 1024,
    max_redirects=3,
    per_host=4,
    host_delay=0.0,
)
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def fixture_bytes(*parts: str) -> bytes:
    return FIXTURES.joinpath(*parts).read_bytes()


@pytest.fixture(autouse=True)
def outside(monkeypatch) -> list:
    """Connection attempts to anything but loopback, refused before they leave."""
    attempts: list = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (host.startswith("127.") or host in ("::1", "localhost")):
            attempts.append(address)
            raise ConnectionRefusedError(f"test: no connection to {address} from here")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    yield attempts
    assert attempts == [], f"connections tried outside loopback: {attempts}"


@pytest.fixture
def site() -> Iterator[LoopbackSite]:
    with LoopbackSite() as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(LOOPBACK, FAST) as running:
        yield running


@pytest.fixture
def config() -> WatchConfig:
    return WatchConfig(policy=LOOPBACK, limits=FAST, workers=8, cycle_timeout=30)
