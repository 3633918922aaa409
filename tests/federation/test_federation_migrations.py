"""An installation made before the federation keeps its data in its first association."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from wagtail.models import Site

from tests.federation.builders import association_site

TAXONOMY_BEFORE = [("taxonomy", "0001_initial")]
TAXONOMY_AFTER = [("taxonomy", "0002_per_association")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def installation(transactional_db, settings, tmp_path):
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    Site.objects.all().delete()
    first = association_site("Alumni A", "a.example.org", default=True)
    association_site("Alumni B", "b.example.org")
    yield first
    migrate(TAXONOMY_AFTER)


def test_existing_terms_go_to_the_default_site(installation):
    old = migrate(TAXONOMY_BEFORE)
    year = old.get_model("taxonomy", "ClassYear").objects.create(year=2012)
    old.get_model("taxonomy", "Group").objects.create(name="Groupe Lyon", slug="groupe-lyon")
    old.get_model("taxonomy", "Contributor").objects.create(name="Claire", class_year=year)
    new = migrate(TAXONOMY_AFTER)
    site_id = installation["site"].pk
    for name in ("ClassYear", "Group", "Contributor"):
        rows = new.get_model("taxonomy", name).objects.all()
        assert [r.site_id for r in rows] == [site_id], name
