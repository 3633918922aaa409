"""Class years, groups and contributors are each association's own: unique within it, kept in
its own listing, offered on its own items only; the export writes them as before."""

from __future__ import annotations

import pytest
from django.db import IntegrityError

from cms.content.models import CareerStoryPage
from cms.publishing.export import item_for_page
from cms.taxonomy.models import ClassYear, Contributor, Group
from tests.cms.factories import make_item


def test_two_associations_may_have_the_same_terms(two_sites):
    a, b = two_sites["a"]["site"], two_sites["b"]["site"]
    for site in (a, b):
        ClassYear.objects.create(site=site, year=2012)
        Group.objects.create(site=site, name="Groupe Île-de-France")
    assert ClassYear.objects.filter(year=2012).count() == 2
    assert set(Group.objects.values_list("slug", flat=True)) == {"groupe-ile-de-france"}
    with pytest.raises(IntegrityError):
        ClassYear.objects.create(site=b, year=2012)


def test_a_term_without_a_site_is_the_default_sites(two_sites):
    assert ClassYear.objects.create(year=1999).site_id == two_sites["a"]["site"].pk


def test_the_admin_refuses_a_term_the_association_has_with_a_message(two_sites, b_user, client):
    b = two_sites["b"]["site"]
    ClassYear.objects.create(site=b, year=2012)
    ClassYear.objects.create(site=two_sites["a"]["site"], year=2015)
    client.force_login(b_user)
    response = client.post("/admin/snippets/taxonomy/classyear/add/", {"year": 2012, "name": ""})
    assert response.status_code == 200
    assert "« 2012 » est déjà pris dans cette association (année)" in response.content.decode()
    assert ClassYear.objects.filter(year=2012).count() == 1
    # A year another association has is free in this one, and the new term is B's
    response = client.post("/admin/snippets/taxonomy/classyear/add/", {"year": 2015, "name": ""})
    assert response.status_code == 302
    assert ClassYear.objects.get(year=2015, site=b)


def test_each_association_keeps_its_own_terms_in_the_admin(two_sites, b_user, admin_user, client):
    a, b = two_sites["a"]["site"], two_sites["b"]["site"]
    ours = Group.objects.create(site=b, name="Club B-voile")
    theirs = Group.objects.create(site=a, name="Club A-golf")
    client.force_login(b_user)
    listing = client.get("/admin/snippets/taxonomy/group/").content.decode()
    assert "Club B-voile" in listing and "Club A-golf" not in listing
    assert 'id="relais-site"' not in listing  # one site: no switcher
    for url in (
        f"/admin/snippets/taxonomy/group/edit/{theirs.pk}/",
        f"/admin/snippets/taxonomy/group/delete/{theirs.pk}/",
        f"/admin/snippets/taxonomy/group/usage/{theirs.pk}/",
        f"/admin/snippets/choose/taxonomy/group/chosen/{theirs.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/admin/snippets/taxonomy/group/delete/{theirs.pk}/").status_code == 404
    assert Group.objects.filter(pk=theirs.pk).exists()
    chooser = client.get("/admin/snippets/choose/taxonomy/group/").content.decode()
    assert "Club B-voile" in chooser and "Club A-golf" not in chooser
    chosen = client.get(
        "/admin/snippets/choose/taxonomy/group/chosen-multiple/",
        {"id": [ours.pk, theirs.pk]},
    ).content.decode()
    assert "Club B-voile" in chosen and "Club A-golf" not in chosen

    # The federation's administrator sees either, one site at a time, with the switcher
    client.force_login(admin_user)
    listing = client.get("/admin/snippets/taxonomy/group/", {"site": a.pk}).content.decode()
    assert "Club A-golf" in listing and "Club B-voile" not in listing
    assert 'id="relais-site"' in listing
    listing = client.get("/admin/snippets/taxonomy/group/", {"site": b.pk}).content.decode()
    assert "Club B-voile" in listing and "Club A-golf" not in listing
    # the site chosen last is the one new terms go to
    client.post("/admin/snippets/taxonomy/group/add/", {"name": "Club B-tennis", "kind": "club"})
    assert Group.objects.get(name="Club B-tennis").site_id == b.pk


def test_an_item_offers_and_accepts_its_own_associations_terms_only(two_sites, b_user, client):
    a, b = two_sites["a"], two_sites["b"]
    theirs = ClassYear.objects.create(site=a["site"], year=1987, name="Promo A-marqueur")
    ours = ClassYear.objects.create(site=b["site"], year=1990, name="Promo B")
    contributor = Contributor.objects.create(site=b["site"], name="Claire B")
    page = make_item(
        b,
        "parcours",
        title="Un parcours",
        slug="un-parcours",
        alumnus_name="Léa",
    )
    client.force_login(b_user)
    form = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "1990" in form and "1987" not in form

    def save(class_year: ClassYear):
        data = {
            "title": "Un parcours",
            "slug": "un-parcours",
            "summary": "Le chapeau.",
            "alumnus_name": "Léa",
            "body-count": "0",
            "class_years": [class_year.pk],
            "contributors": [contributor.pk],
            "alumnus_class_year": class_year.pk,
            "social_texts-mastodon-text": "",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
        }
        return client.post(f"/admin/pages/{page.pk}/edit/", data)

    refused = save(theirs)
    assert refused.status_code == 200
    assert "Sélectionnez un choix valide" in refused.content.decode()
    latest = CareerStoryPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert list(latest.class_years.all()) == []
    assert save(ours).status_code == 302
    latest = CareerStoryPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    assert [y.pk for y in latest.class_years.all()] == [ours.pk]
    assert latest.alumnus_class_year_id == ours.pk


def test_the_export_writes_the_terms_as_before(two_sites):
    b = two_sites["b"]
    year = ClassYear.objects.create(site=b["site"], year=2012, name="Ada Lovelace")
    group = Group.objects.create(site=b["site"], name="Groupe Lyon")
    contributor = Contributor.objects.create(site=b["site"], name="Claire Moreau")
    page = make_item(b)
    page.class_years.set([year])
    page.groups.set([group])
    page.contributors.set([contributor])
    item, _assets = item_for_page(page)
    assert (item.class_years, item.groups, item.contributors) == (
        ["2012"],
        ["Groupe Lyon"],
        ["Claire Moreau"],
    )
