"""Dates in the admin read on 24 hours, in French as in English ("17:52", never "5:52 p.m."),
and a sentence that ends with one ends with one full stop."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.users.models import UserProfile

from cms.publishing.models import BuildRecord

BUILT = timezone.make_aware(dt.datetime(2026, 12, 2, 17, 52))


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("fr", "Site à jour, construit le 2 décembre 2026 à 17:52."),
        ("en", "Site up to date, built on 2 December 2026, 17:52."),
    ],
)
def test_the_dashboard_says_when_the_site_was_built_on_24_hours(
    site_tree, client, admin_user, language, said
):
    BuildRecord.objects.create(
        site=site_tree["site"],
        status=BuildRecord.Status.SUCCEEDED,
        started_at=BUILT,
        finished_at=BUILT,
        seconds=0.4,
    )
    profile = UserProfile.get_for_user(admin_user)
    profile.preferred_language = language
    profile.save()
    client.force_login(admin_user)
    soup = BeautifulSoup(client.get("/admin/").content, "html.parser")
    panel = soup.find(id=f"relais-site-status-title-{site_tree['site'].pk}").find_parent("section")
    text = " ".join(panel.get_text(" ", strip=True).split())
    assert said in text
    assert "p.m." not in text and ".." not in text
