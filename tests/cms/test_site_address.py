"""The sign-up address follows the CMS's configured address (``RELAIS_CMS_URL``), not the
``localhost:80`` that Wagtail's first migration gives the default site."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from wagtail.models import Site

from cms.core.sites import Address, sync_default_site
from cms.publishing import export
from relais.siteconfig import load_site_config


def seeded_like_wagtail(site: Site) -> Site:
    """The default site as Wagtail's first migration leaves it."""
    Site.objects.filter(pk=site.pk).update(hostname="localhost", port=80)
    site.refresh_from_db()
    return site


def test_migrate_gives_the_default_site_the_cms_address(site_tree, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.alumni.example.org"
    site = seeded_like_wagtail(site_tree["site"])
    call_command("migrate", verbosity=0)  # nothing to apply: post_migrate still runs
    site.refresh_from_db()
    assert (site.hostname, site.port) == ("cms.alumni.example.org", 443)
    assert site.root_url == "https://cms.alumni.example.org"


def test_join_links_of_the_static_site_lead_to_the_cms(site_tree, settings, content_dir):
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8123"
    seeded_like_wagtail(site_tree["site"])
    sync_default_site()
    export.export_site_config(site_tree["site"])
    assert load_site_config(content_dir).signup_url == "http://127.0.0.1:8123/adherer/"


def test_a_site_already_right_is_left_alone(site_tree, settings):
    assert sync_default_site() is None
    site_tree["site"].refresh_from_db()
    assert site_tree["site"].root_url == "http://127.0.0.1:8000"


def test_another_site_at_the_cms_address_is_not_overwritten(site_tree, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://cms.alumni.example.org"
    other = Site.objects.create(
        hostname="cms.alumni.example.org", port=443, root_page=site_tree["home"]
    )
    seeded_like_wagtail(site_tree["site"])
    assert sync_default_site() is None
    site_tree["site"].refresh_from_db()
    assert site_tree["site"].hostname == "localhost"
    other.refresh_from_db()
    assert other.port == 443


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://cms.example.org", r"not an http\(s\) address"),
        ("cms.example.org", r"not an http\(s\) address"),
        ("https://example.org/relais", "has a path"),
    ],
)
def test_a_cms_address_that_cannot_be_a_site_says_what_to_set(url, message):
    with pytest.raises(ValueError, match=message):
        Address.of(url)


def test_address_keeps_an_explicit_port():
    assert Address.of("http://127.0.0.1:8000") == Address("127.0.0.1", 8000)
    assert Address.of("https://cms.example.org/") == Address("cms.example.org", 443)
