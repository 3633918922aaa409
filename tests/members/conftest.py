"""Fixtures of the sign-up tests: a site with its sign-up page, a privacy page and a clean
cache."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from wagtail.models import Page, Site

from cms.content.models import HomePage, InfoPage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.members.models import SignUpFormField, SignUpPage
from relais.sections import SECTIONS

STATIC_SITE = "https://alumni.example.org"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def relais_tasks(settings):
    """The project's queue as a dummy backend: tasks are recorded, not run."""
    from django_tasks import task_backends

    settings.TASKS = {
        **settings.TASKS,
        "relais": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.RELAIS_QUEUES,
        },
    }
    backend = task_backends["relais"]
    backend.clear()
    return backend


@pytest.fixture
def signup_site(db, settings, tmp_path) -> dict:
    settings.RELAIS_SITE_URL = STATIC_SITE
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
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
    for key, section in SECTIONS.items():
        home.add_child(instance=SectionIndexPage(title=section.label_fr, slug=key, section=key))
    privacy = home.add_child(
        instance=InfoPage(title="Données personnelles", slug="donnees-personnelles")
    )
    page = SignUpPage(
        title="Adhérer",
        slug="adherer",
        privacy_page=privacy,
        to_address="secretariat@alumni.example.org",
        from_address="contact@alumni.example.org",
        subject="Nouvelle demande d'adhésion",
    )
    page.form_fields.add(
        SignUpFormField(
            sort_order=0,
            label="Comment nous avez-vous connus ?",
            field_type="singleline",
            required=False,
        )
    )
    home.add_child(instance=page)
    config = AssociationSettings.for_site(site)
    config.name, config.signup_page = "Alumni Exemple", page
    config.contact_email = "contact@alumni.example.org"
    config.save()
    return {"home": home, "site": site, "page": page, "privacy": privacy, "url": "/adherer/"}
