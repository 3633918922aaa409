"""Fixtures of the syndication library's tests: fakes, specs, the Bluesky PDS, a no-sleep clock.

Nothing here needs Django. The specs folder is found by :func:`specs_dir`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndication.testing.fakes import FAKES, FakeServer
from syndication.testing.peers import LocalPDS, PeerUnavailable

REPO_ROOT = Path(__file__).resolve().parents[2]


def specs_dir() -> Path:
    """``$RELAIS_SPECS_DIR``, else ``shared/specs`` beside the repository or beside one of its
    parent folders (a clone made anywhere under the workplace finds it)."""
    env = os.environ.get("RELAIS_SPECS_DIR")
    if env:
        return Path(env)
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / "specs"
        if candidate.is_dir():
            return candidate
    return Path("/work/shared/specs")


@pytest.fixture(scope="session")
def specs() -> Path:
    folder = specs_dir()
    if not (folder / "x-api-v2-openapi.json").is_file():
        pytest.fail(f"No API descriptions in {folder}: set RELAIS_SPECS_DIR to shared/specs.")
    return folder


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
    return FakeTime()


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
