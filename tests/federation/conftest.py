"""Fixtures of the federation tests: two associations on one installation."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from tests.cms.conftest import admin_user, content_dir, site_output  # noqa: F401
from tests.federation.builders import association_site


@pytest.fixture
def two_sites(db, content_dir, site_output) -> dict:  # noqa: F811
    """Associations A (the installation's first, default site) and B."""
    Site.objects.all().delete()
    a = association_site("Alumni A", "a.example.org", default=True)
    b = association_site("Alumni B", "b.example.org")
    return {"a": a, "b": b}
