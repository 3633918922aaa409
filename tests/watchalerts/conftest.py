"""Fixtures of the alerts and shared sources: the watch's two associations and loopback web
site (``tests.watchdesk``), a real SMTP server on loopback (``tests.newsletter``), and a small
federation: a union with two member associations, and an association outside it."""

from __future__ import annotations

from typing import Any

import pytest
from wagtail.models import Site

from cms.federation.models import Association
from tests.cms.conftest import content_dir, site_output  # noqa: F401
from tests.federation.builders import association_site, member_of
from tests.newsletter.conftest import smtp  # noqa: F401
from tests.watchdesk.conftest import two, watch_settings, web  # noqa: F401
from tests.watching.conftest import outside  # noqa: F401


@pytest.fixture
def union(db, content_dir, site_output) -> dict[str, Any]:  # noqa: F811
    """Union U (its administrator ursula) with members M1 (editor mia) and M2 (editor max),
    and X, an association of no union (editor xavier)."""
    Site.objects.all().delete()
    u = association_site("Union U", "u.example.org", default=True, kind=Association.Kind.UNION)
    m1 = association_site("Membre 1", "m1.example.org")
    m2 = association_site("Membre 2", "m2.example.org")
    x = association_site("Hors union", "x.example.org")
    for member in (m1, m2):
        member["association"].parent = u["association"]
        member["association"].save()
    u["user"] = member_of(u["association"], "administrators", username="ursula")
    m1["user"] = member_of(m1["association"], "editors", username="mia")
    m2["user"] = member_of(m2["association"], "editors", "administrators", username="max")
    x["user"] = member_of(x["association"], "editors", "administrators", username="xavier")
    return {"u": u, "m1": m1, "m2": m2, "x": x}
