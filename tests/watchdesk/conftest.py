"""Fixtures of the watch's Django side: two associations side by side (A and B, each with its
people), a real web site on loopback serving feeds and pages (no mocked requests), the watch
allowed to reach it (``RELAIS_WATCH_ALLOW_PRIVATE``), and the guard that refuses any
connection leaving this machine."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from wagtail.models import Site

from cms.federation.models import Sector
from relais.watching.testing import LoopbackSite
from tests.cms.conftest import content_dir, site_output  # noqa: F401
from tests.federation.builders import association_site, member_of
from tests.watching.conftest import fixture_bytes, outside  # noqa: F401

HTML = "text/html; charset=utf-8"


@pytest.fixture(autouse=True)
def watch_settings(settings) -> Any:
    settings.RELAIS_WATCH_ALLOW_PRIVATE = "loopback"
    settings.RELAIS_WATCH = {"host_delay": 0.0, "timeout": 3.0, "workers": 8}
    settings.WAGTAILADMIN_BASE_URL = "http://testserver"
    return settings


@pytest.fixture
def web() -> Iterator[LoopbackSite]:
    """Another organisation's web site: the press feed, the federation's feed, a ranking page."""
    with LoopbackSite() as running:
        running.route("/presse.rss", body=fixture_bytes("feeds", "presse.rss"), etag='"p1"')
        running.route("/fede.atom", body=fixture_bytes("feeds", "federation.atom"), etag='"f1"')
        running.route(
            "/classement",
            body=fixture_bytes("pages", "classement.html"),
            content_type=HTML,
            last_modified="Tue, 03 Nov 2026 08:00:00 GMT",
        )
        yield running


@pytest.fixture
def two(db, content_dir, site_output) -> dict[str, Any]:  # noqa: F811
    """Associations A and B, each with an editor (B's is also an administrator)."""
    Site.objects.all().delete()
    a = association_site("Alumni A", "a.example.org", default=True)
    b = association_site("Alumni B", "b.example.org")
    sector, _ = Sector.objects.get_or_create(slug="plasturgie", defaults={"name": "Plasturgie"})
    a["association"].sectors.add(sector)
    a["user"] = member_of(a["association"], "editors", username="alice")
    b["user"] = member_of(b["association"], "editors", "administrators", username="bruno")
    return {"a": a, "b": b}
