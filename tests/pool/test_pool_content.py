"""What the pool needs from the content model: each site has its own section indexes, and an
item's ``canonical_url`` (an adopted copy's original) is what its content file names."""

from __future__ import annotations

from wagtail.models import Page, Site

from cms.content.models import HomePage, SectionIndexPage
from cms.publishing.export import item_for_page
from tests.cms.factories import make_item
from tests.social.support import form_data


def add_index(client, home, section="actualites", slug="actualites-2"):
    url = f"/admin/pages/add/content/sectionindexpage/{home.pk}/"
    data = form_data(client.get(url).content)
    data.update({"title": "Actualités", "slug": slug, "section": section})
    data["action-publish"] = "action-publish"
    return client.post(url, data)


def test_each_site_has_its_own_section_indexes(site_tree, admin_user, client):
    client.force_login(admin_user)
    response = add_index(client, site_tree["home"])
    assert "Ce site a déjà un index pour la rubrique" in response.content.decode()
    assert SectionIndexPage.objects.filter(section="actualites").count() == 1

    other = Page.get_first_root_node().add_child(instance=HomePage(title="Nantes", slug="nantes"))
    Site.objects.create(hostname="nantes.localhost", root_page=other, site_name="Nantes")
    assert add_index(client, other, slug="actualites").status_code == 302
    index = SectionIndexPage.of(other, "actualites")
    assert index is not None and index.get_parent().pk == other.pk
    assert SectionIndexPage.of(site_tree["home"], "actualites").pk != index.pk


def test_the_content_file_names_the_original_as_canonical(site_tree):
    page = make_item(site_tree)
    item, _ = item_for_page(page)
    assert item.canonical_url == page.static_url  # its own address by default
    page.canonical_url = "https://federation.example.org/actualites/nomination/"
    item, _ = item_for_page(page)
    assert item.canonical_url == "https://federation.example.org/actualites/nomination/"
