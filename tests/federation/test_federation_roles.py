"""Each association's people work on its own home page and its own collection: the groups,
collection, rights and workflow an association gets once the installation has several."""

from __future__ import annotations

from django.contrib.auth.models import Group as People
from django.contrib.auth.models import Permission
from django.core.management import call_command
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    WorkflowPage,
)

from cms.content.models import HomePage
from cms.federation.models import Association
from cms.federation.roles import provision
from tests.cms.factories import make_image
from tests.federation.builders import association_site, member_of


def test_a_second_site_gives_every_association_its_house(
    db, content_dir, site_output, client, django_capture_on_commit_callbacks
):
    Site.objects.all().delete()
    root = Page.get_first_root_node()
    a = association_site("Alumni A", "a.example.org")
    first = a["association"]
    # An installation that was one association: Wagtail's editors have rights on the whole tree
    editors = People.objects.create(name="Rédacteurs d'avant")
    first.editors = editors
    first.save()
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(group=editors, page=root, permission_id=_perm(codename))
    assert Association.objects.count() == 1 and first.collection is None

    # The second site, as a creation would make it: its own group with rights on its own
    # collection; every association is provisioned when the site's transaction commits.
    home_b = root.add_child(instance=HomePage(title="Alumni B", slug="b"))
    with django_capture_on_commit_callbacks(execute=True):
        site_b = Site.objects.create(hostname="b.example.org", root_page=home_b, site_name="B")
        second = Association.objects.get(site=site_b)
        assert second.editors is None  # not before the commit
        pictures_b = Collection.get_first_root_node().add_child(name="Images de B")
        second.editors = People.objects.create(name="Rédaction de B")
        second.save()
        GroupCollectionPermission.objects.create(
            group=second.editors,
            collection=pictures_b,
            permission=Permission.objects.get(codename="add_image"),
        )
    b = {"home": home_b, "site": site_b}
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.collection == pictures_b  # what it was given is kept
    for association in (first, second):
        assert association.administrators and association.editors and association.moderators
        assert association.collection.get_parent() == Collection.get_first_root_node()
        home = association.site.root_page
        rights = GroupPagePermission.objects.filter(group__in=association.groups)
        assert set(rights.values_list("page_id", flat=True)) == {home.pk}
        assert GroupCollectionPermission.objects.filter(
            group=association.editors, collection=association.collection
        ).exists()
        assert WorkflowPage.objects.filter(page=home).exists()
    assert first.editors == editors  # its own group, confined to its home page

    # B's editor explores B's tree and B's pictures, not A's
    picture_a, picture_b = make_image("Photo A"), make_image("Photo B")
    picture_a.collection, picture_b.collection = first.collection, second.collection
    picture_a.save()
    picture_b.save()
    client.force_login(member_of(second, "editors", username="plume"))
    assert client.get(f"/admin/pages/{a['home'].pk}/").status_code == 404
    assert client.get(f"/admin/pages/{b['home'].pk}/").status_code == 200
    images = client.get("/admin/images/").content.decode()
    assert "Photo B" in images and "Photo A" not in images

    # provisioning again changes nothing
    before = GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count()
    provision(second)
    assert (GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count()) == (
        before
    )


def _perm(codename: str) -> int:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename).pk


def test_an_installation_that_had_several_sites_is_provisioned_at_its_migrate(
    db, content_dir, site_output
):
    Site.objects.all().delete()
    association_site("Alumni A", "a.example.org")
    association_site("Alumni B", "b.example.org")
    # as the sites were before their associations had their houses
    Association.objects.update(administrators=None, editors=None, moderators=None, collection=None)
    call_command("migrate", verbosity=0)
    for association in Association.objects.all():
        assert association.editors is not None and association.collection is not None
