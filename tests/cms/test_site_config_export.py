"""Settings saved again unchanged write no new version of ``site.yaml``: no full rebuild of the
site for nothing (a new association's settings are saved several times as it is made)."""

from __future__ import annotations

from cms.core.models import AssociationSettings
from cms.publishing import export
from cms.publishing.models import ContentChange, SiteState


def test_unchanged_settings_make_no_new_version(site_tree, content_dir):
    site = site_tree["site"]
    export.export_site_config(site)
    version = SiteState.get(site).content_version
    changes = ContentChange.objects.count()
    export.export_site_config(site)
    assert SiteState.get(site).content_version == version
    assert ContentChange.objects.count() == changes

    # a real change makes one; a file edited or removed by hand is written again
    config = AssociationSettings.for_site(site)
    config.tagline = "Le réseau des ingénieurs"
    config.save()
    export.export_site_config(site)
    assert SiteState.get(site).content_version == version + 1
    assert "Le réseau des ingénieurs" in (content_dir / "site.yaml").read_text()
    (content_dir / "site.yaml").unlink()
    export.export_site_config(site)
    assert (content_dir / "site.yaml").is_file()
    assert SiteState.get(site).content_version == version + 2
