"""An association chooses the language of its static site's own words in its settings: the
CMS writes it into its ``site.yaml`` and the next build speaks it; items keep theirs."""

from __future__ import annotations

from cms.core.models import AssociationSettings
from cms.publishing import export
from cms.publishing.models import BuildRecord
from cms.publishing.tasks import run_build
from relais.siteconfig import load_site_config
from tests.cms.factories import make_item


def test_the_settings_language_reaches_the_built_site(
    site_tree, content_dir, site_output, admin_user, client
):
    site = site_tree["site"]
    export.export_page(make_item(site_tree, title="Gala annuel", slug="gala-annuel"))
    export.export_site_config(site)
    assert run_build(site, "site initial").status == BuildRecord.Status.SUCCEEDED
    home = (site_output / "index.html").read_text()
    assert '<html lang="fr"' in home and "Actualités des alumni" in home

    client.force_login(admin_user)
    form = client.get(f"/admin/settings/core/associationsettings/{site.pk}/").content.decode()
    assert 'name="lang"' in form and "Langue du site" in form

    config = AssociationSettings.for_site(site)
    config.lang = "en"
    config.save()
    export.export_site_config(site)
    assert load_site_config(content_dir).lang == "en"
    assert run_build(site, "langue").status == BuildRecord.Status.SUCCEEDED
    home = (site_output / "index.html").read_text()
    assert '<html lang="en"' in home and "Alumni news" in home
    assert "Actualités des alumni" not in home
    # the items keep the language they were written in
    item = (site_output / "actualites" / "gala-annuel" / "index.html").read_text()
    assert 'lang="fr"' in item
