"""Fixtures of the desk's tests: two associations (A and B) on one installation, their people,
a post of A's on a network, and the networks as real servers on loopback — the independently
written ``mastodon-mock`` (PyPI) and the project's contract fakes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cms.social import delivery
from syndication.testing.fakes import FAKES, FakeServer
from syndication.testing.peers import DevNet, PeerUnavailable
from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401
from tests.federation.builders import member_of
from tests.federation.conftest import two_sites  # noqa: F401


@pytest.fixture(autouse=True)
def desk_settings(settings):
    """The networks run on loopback, over http; deliveries never sleep; admin links in mails
    start with the test server's address."""
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    settings.RELAIS_ALLOW_PRIVATE_NETWORKS = "loopback"
    settings.RELAIS_SOCIAL_DELIVERY = {"timeout": 2.0, "max_inline_delay": 0.5, "resume_every": 0}
    saved = delivery.sleep
    delivery.sleep = lambda seconds: None
    yield
    delivery.sleep = saved


@pytest.fixture
def a_volunteer(two_sites):  # noqa: F811
    """A moderator of association A (and of nothing else)."""
    return member_of(two_sites["a"]["association"], "editors", "moderators", username="vol_a")


@pytest.fixture
def a_admin(two_sites):  # noqa: F811
    return member_of(two_sites["a"]["association"], "administrators", username="adm_a")


@pytest.fixture
def b_person(two_sites):  # noqa: F811
    """An editor, moderator and administrator of association B only."""
    return member_of(
        two_sites["b"]["association"], "editors", "moderators", "administrators", username="b"
    )


@pytest.fixture
def mastodon_mock() -> Iterator[str]:
    """``mastodon-mock`` on loopback: ``alice`` is the association, ``bob`` a member."""
    from mastodon_mock.testing import MockServer

    with MockServer(host="127.0.0.1") as mock:
        yield mock.base_url


@pytest.fixture
def fake_factory() -> Iterator:
    started: list[FakeServer] = []

    def make(name: str, **kwargs: Any) -> FakeServer:
        fake = FAKES[name](**kwargs).start()
        started.append(fake)
        return fake

    yield make
    for fake in started:
        fake.stop()


@pytest.fixture
def devnet() -> Iterator[DevNet]:
    try:
        net = DevNet().start()
    except PeerUnavailable as exc:
        pytest.fail(f"The Bluesky dev network cannot run: {exc}")
    yield net
    net.stop()
