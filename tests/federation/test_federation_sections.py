"""Every association has its own sections: one index per section under each home page."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cms.content.models import SectionIndexPage
from cms.members.models import SignUpPage
from relais.sections import SECTIONS


def test_each_association_has_every_section(two_sites):
    a, b = two_sites["a"], two_sites["b"]
    for key in SECTIONS:
        assert SectionIndexPage.of(a["site"], key).pk == a["indexes"][key].pk
        assert SectionIndexPage.of(b["home"], key).pk == b["indexes"][key].pk
        assert a["indexes"][key].pk != b["indexes"][key].pk


def test_a_second_index_of_a_section_on_the_same_site_is_refused(two_sites):
    b = two_sites["b"]
    twin = SectionIndexPage(title="Encore des actualités", slug="encore", section="actualites")
    with pytest.raises(ValidationError) as refused:
        b["home"].add_child(instance=twin)  # Wagtail cleans a page when it saves it
    message = " ".join(refused.value.message_dict["section"])
    assert "Ce site a déjà un index pour la rubrique « Actualités des alumni »" in message
    assert SectionIndexPage.objects.child_of(b["home"]).filter(section="actualites").count() == 1


def test_the_admin_refuses_a_new_index_of_a_section_the_site_has(two_sites, client, admin_user):
    client.force_login(admin_user)
    home = two_sites["b"]["home"]
    url = f"/admin/pages/add/content/sectionindexpage/{home.pk}/"
    response = client.post(
        url, {"title": "Doublon", "slug": "doublon", "section": "parcours", "intro": ""}
    )
    assert response.status_code == 200  # the form again, with the error
    assert "Ce site a déjà un index pour la rubrique" in response.content.decode()
    assert not SectionIndexPage.objects.filter(slug="doublon").exists()
    # A section the site does not have yet is accepted
    SectionIndexPage.objects.child_of(home).filter(section="parcours").delete()
    response = client.post(
        url, {"title": "Parcours", "slug": "parcours-b", "section": "parcours", "intro": ""}
    )
    assert response.status_code == 302
    assert SectionIndexPage.of(home, "parcours").slug == "parcours-b"


def test_each_association_may_have_its_sign_up_page(two_sites):
    for tree in (two_sites["a"], two_sites["b"]):
        assert SignUpPage.objects.child_of(tree["home"]).count() == 1
        assert not SignUpPage.can_create_at(tree["home"])  # one per home page
