"""The admin takes the addresses the site takes: whatever an editor may save, the export writes
a file the build reads; whatever the build would refuse, the editor is told at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.core.checks import public_addresses
from cms.core.models import AssociationSettings
from cms.publishing import export
from relais.contentfile import ContentFileError, dump, load, load_file
from relais.siteconfig import SiteConfigError, load_site_config
from tests.cms.factories import make_item

CANDIDATES = [
    "https://www.helloasso.com/associations/alumni/evenements/afterwork",
    "http://example.org/inscription?promo=2015&x=1",
    "mailto:inscription@alumni.example.org",
    "mailto:inscription@alumni.example.org?subject=Afterwork",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.org/inscription",
    "ftps://example.org/inscription",
    "//example.org/inscription",
    "file:///etc/passwd",
    "mailto:",
    "www.example.org",
    "https://admin:motdepasse@billetterie.example/gala",
]


def event(site_tree, url: str):
    start = timezone.now() + dt.timedelta(days=10)
    return make_item(
        site_tree,
        "evenements",
        publish=False,
        title="Afterwork",
        slug="afterwork",
        start=start,
        registration_url=url,
    )


@pytest.mark.parametrize("url", CANDIDATES)
def test_a_registration_link_the_admin_saves_is_one_the_build_reads(site_tree, content_dir, url):
    page = event(site_tree, url)
    try:
        page.full_clean()
        saved = True
    except ValidationError as err:
        assert list(err.message_dict) == ["registration_url"]
        assert err.message_dict["registration_url"][0].startswith("Adresse refusée :")
        saved = False
    try:
        load(dump(export.item_for_page(page)[0]), "evenements/afterwork.md")
        read = True
    except ContentFileError as err:
        assert err.field == "event.registration_url"
        read = False
    assert saved == read
    if saved:
        page.save_revision().publish()
        export.export_page(page)
        item = load_file(content_dir / "evenements" / "afterwork.md")
        assert item.event.registration_url == url


def test_registration_links_by_mail_are_accepted_and_others_refused(site_tree):
    for url in ("mailto:inscription@alumni.example.org", "https://example.org/inscription"):
        event(site_tree, url).full_clean()
        site_tree["indexes"]["evenements"].get_children().delete()
    for url in ("javascript:alert(1)", "ftp://example.org/x", "//example.org/x"):
        with pytest.raises(ValidationError) as err:
            event(site_tree, url).full_clean()
        message = err.value.message_dict["registration_url"][0]
        assert "https://" in message and "mailto:" in message  # what to write instead
        site_tree["indexes"]["evenements"].get_children().delete()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mastodon_url", "ftp://mastodon.example/@alumni"),
        ("linkedin_url", "ftps://linkedin.example/company/alumni"),
        ("contact_email", "contact@localhost"),  # Django takes it, site.yaml does not
    ],
)
def test_association_settings_refuse_what_site_yaml_refuses(site_tree, content_dir, field, value):
    config = AssociationSettings.for_site(site_tree["site"])
    setattr(config, field, value)
    with pytest.raises(ValidationError) as err:
        config.full_clean()
    assert list(err.value.message_dict) == [field]
    # what the export would have written is refused by the build
    config.save()
    export.export_site_config(site_tree["site"])
    with pytest.raises(SiteConfigError):
        load_site_config(content_dir)


def test_association_settings_the_admin_saves_make_a_site_yaml_the_build_reads(
    site_tree, content_dir
):
    config = AssociationSettings.for_site(site_tree["site"])
    config.contact_email = "contact@alumni.example.org"
    config.mastodon_url = "https://mastodon.example/@alumni"
    config.youtube_url = "https://www.youtube.com/@alumni"
    config.full_clean()
    config.save()
    export.export_site_config(site_tree["site"])
    loaded = load_site_config(content_dir)
    assert loaded.networks == {
        "Mastodon": "https://mastodon.example/@alumni",
        "YouTube": "https://www.youtube.com/@alumni",
    }
    assert loaded.contact_email == "contact@alumni.example.org"


@pytest.mark.parametrize(
    ("setting", "variable"),
    [("RELAIS_SITE_URL", "RELAIS_SITE_URL"), ("WAGTAILADMIN_BASE_URL", "RELAIS_CMS_URL")],
)
def test_public_addresses_of_the_settings_are_checked_at_start(settings, setting, variable):
    assert public_addresses() == []
    setattr(settings, setting, "alumni.example.org")
    errors = public_addresses()
    assert [e.id for e in errors] == ["relais.E001"]
    assert errors[0].msg.startswith(f"{variable}: not a full address")


def test_the_admin_says_why_an_address_with_a_password_or_a_space_is_refused(site_tree):
    config = AssociationSettings.for_site(site_tree["site"])
    config.mastodon_url = "https://alumni:motdepasse@mastodon.example/@alumni"
    with pytest.raises(ValidationError) as err:
        config.full_clean()
    assert "mot de passe" in err.value.message_dict["mastodon_url"][0]
    assert "motdepasse" not in str(err.value)
