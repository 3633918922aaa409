"""Fixtures of the federation tests: two associations on one installation."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from tests.cms.conftest import admin_user, content_dir, site_output, site_tree  # noqa: F401
from tests.federation.builders import association_site, member_of


@pytest.fixture
def two_sites(db, content_dir, site_output) -> dict:  # noqa: F811
    """Associations A (the installation's first, default site) and B."""
    Site.objects.all().delete()
    a = association_site("Alumni A", "a.example.org", default=True)
    b = association_site("Alumni B", "b.example.org")
    return {"a": a, "b": b}


@pytest.fixture
def b_user(two_sites):
    """An editor and administrator of association B, and of nothing else."""
    return member_of(two_sites["b"]["association"], "editors", "administrators", username="b")


@pytest.fixture
def a_editor(two_sites):
    return member_of(two_sites["a"]["association"], "editors", username="a")
