"""Fixtures of the ambassadors' tests: associations A and B, each with items live on its site,
and an ambassador of A."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.cache import cache
from django.utils import timezone

from cms.ambassadors.models import Ambassador
from cms.publishing.models import ExportRecord
from tests.cms.conftest import content_dir, site_output  # noqa: F401
from tests.federation.conftest import b_user, two_sites  # noqa: F401

SITE = "https://alumni.example.org"
CMS = "https://cms.example.org"


def live_item(tree: dict, slug: str, title: str, *, days_ago: int = 0, page_id: int) -> None:
    """An item live on the association's site: its content file and its export record."""
    folder = Path(tree["association"].content_dir)
    path = f"actualites/{slug}.md"
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    when = timezone.now() - dt.timedelta(days=days_ago)
    (folder / path).write_text(
        f"---\ntitle: '{title}'\ndate: {when:%Y-%m-%d %H:%M}\n"
        f"summary: Résumé de {title}.\ntags: [réseau]\n---\nLe corps de {title}.\n",
        encoding="utf-8",
    )
    ExportRecord.objects.create(
        page_id=page_id, site=tree["site"], path=path, title=title, live_at=when
    )


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(two_sites, settings) -> dict:  # noqa: F811
    settings.RELAIS_SITE_URL = SITE
    settings.WAGTAILADMIN_BASE_URL = CMS
    a, b = two_sites["a"], two_sites["b"]
    live_item(a, "gala-annuel", "Gala annuel de A", page_id=9001)
    live_item(a, "nomination", "Nomination chez A", days_ago=3, page_id=9002)
    live_item(b, "rentree-b", "Rentrée de B", page_id=9003)
    ambassador = Ambassador.objects.create(
        site=a["site"],
        name="Inès Relais",
        email="ines@example.org",
        mastodon="@ines@piaille.fr",
        weekly_email=True,
    )
    return {**two_sites, "ambassador": ambassador}
