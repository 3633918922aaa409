"""Fixtures of the CMS tests: a site tree like the one an association starts with, and one
shared with real worker processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from wagtail.models import Page, Site

from cms.content.models import HomePage, SectionIndexPage
from cms.core.models import AssociationSettings
from cms.core.sites import sync_default_site
from cms.members.models import SignUpPage
from cms.publishing import export
from cms.publishing.models import BuildRecord
from cms.publishing.signal_handlers import suspended
from cms.publishing.tasks import run_build
from relais.sections import SECTIONS
from tests.cms.factories import make_item, root_page
from tests.cms.workers import WorkerProcess


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


@pytest.fixture
def workers(tmp_path):
    started: list[WorkerProcess] = []

    def start(name: str, *args: str, **kwargs) -> WorkerProcess:
        worker = WorkerProcess(tmp_path, name, *args, **kwargs).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.close()


@pytest.fixture
def shared_site(transactional_db, settings, tmp_path) -> dict:
    """A site whose database and folders a worker process shares; two items live and built
    (in this process); from then on, tasks go to the database queue for the workers."""
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    home = root_page().add_child(instance=HomePage(title="Alumni Exemple", slug="alumni"))
    Site.objects.all().delete()
    site = Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="Alumni"
    )
    indexes = {
        key: home.add_child(instance=SectionIndexPage(title=s.label_fr, slug=key, section=key))
        for key, s in SECTIONS.items()
    }
    tree = {"home": home, "site": site, "indexes": indexes}
    with suspended():
        signup = home.add_child(instance=SignUpPage(title="Adhérer", slug="adherer"))
        config = AssociationSettings.for_site(site)
        config.name, config.signup_page = "Alumni Exemple", signup
        config.save()
        tree["a"] = make_item(tree, title="Gala annuel", slug="gala-annuel")
        tree["b"] = make_item(tree, title="Prix de thèse", slug="prix-de-these")
    export.export_site_config(site)
    for page in (tree["a"], tree["b"]):
        export.export_page(page)
    assert run_build(site, "site initial").status == BuildRecord.Status.SUCCEEDED
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.RELAIS_QUEUES},
    }
    return tree
