"""Fixtures of the CMS tests: a site tree like the one an association starts with."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from wagtail.models import Page, Site

from cms.content.models import HomePage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.core.sites import sync_default_site
from cms.members.models import SignUpPage
from relais.sections import SECTIONS


@pytest.fixture
def content_dir(settings, tmp_path) -> Path:
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    return settings.RELAIS_CONTENT_DIR


@pytest.fixture
def site_output(settings, tmp_path) -> Path:
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    return settings.RELAIS_SITE_OUTPUT


@pytest.fixture
def site_tree(db, content_dir, site_output) -> dict:
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="Alumni Exemple", slug="alumni"))
    Site.objects.all().delete()
    site = Site.objects.create(
        hostname="localhost",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="Alumni Exemple",
    )
    sync_default_site()  # as every `migrate` does: the site answers at RELAIS_CMS_URL
    site.refresh_from_db()
    indexes = {}
    for key, section in SECTIONS.items():
        index = home.add_child(
            instance=SectionIndexPage(title=section.label_fr, slug=key, section=key)
        )
        indexes[key] = index
    signup = home.add_child(instance=SignUpPage(title="Adhérer", slug="adherer"))
    config = AssociationSettings.for_site(site)
    config.name, config.signup_page = "Alumni Exemple", signup
    config.save()
    return {"home": home, "site": site, "indexes": indexes, "signup": signup}


@pytest.fixture
def admin_user(db, django_user_model):
    return django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")


def site_url() -> str:
    return settings.RELAIS_SITE_URL
