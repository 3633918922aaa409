"""Fixtures of the syndication library's tests: fakes, the networks' API descriptions, the
Bluesky PDS, a no-sleep clock.

Nothing here needs Django. The API descriptions the contract tests check against are excerpts
kept with the tests, in ``tests/fixtures/contracts`` (its README says where each comes from).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from syndication.testing.fakes import FAKES, FakeServer
from syndication.testing.peers import LocalPDS, PeerUnavailable

CONTRACTS = Path(__file__).resolve().parents[1] / "fixtures" / "contracts"
X_OPENAPI = CONTRACTS / "x-api-v2-openapi.yaml"
META_NODES = CONTRACTS / "meta"


@pytest.fixture(scope="session")
def x_spec() -> dict[str, Any]:
    """X's OpenAPI excerpt, as data."""
    return yaml.safe_load(X_OPENAPI.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def x_openapi(x_spec: dict[str, Any]):
    """X's OpenAPI excerpt for openapi-core; loading it validates it as an OpenAPI 3.0 document."""
    from openapi_core import OpenAPI

    return OpenAPI.from_dict(x_spec)


@pytest.fixture(scope="session")
def meta() -> dict[str, dict[str, Any]]:
    """Meta's node descriptions (excerpts) by node type: ``{"PagePost": {"fields", "apis"}}``."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in META_NODES.glob("*.json")}


class FakeTime:
    """A clock and a sleep that never wait: sleeping moves the clock forward."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time() -> FakeTime:
    """Now, on a whole second (X's rate-limit reset is a whole second: a fake and a client that
    share this clock agree on the exact wait)."""
    return FakeTime(float(int(time.time())))


@pytest.fixture
def fake_factory() -> Iterator:
    """``fake_factory("x", stall=0.4)`` starts a fake; all are stopped at the end of the test."""
    started: list[FakeServer] = []

    def make(name: str, **kwargs) -> FakeServer:
        fake = FAKES[name](**kwargs).start()
        started.append(fake)
        return fake

    yield make
    for fake in started:
        fake.stop()


@pytest.fixture(scope="session")
def pds() -> Iterator[LocalPDS]:
    """Bluesky's reference PDS on loopback, installed on first use (about 3 minutes)."""
    try:
        server = LocalPDS().start()
    except PeerUnavailable as exc:
        pytest.fail(f"The Bluesky PDS cannot run: {exc}")
    yield server
    server.stop()
