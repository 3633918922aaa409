"""The admin's "Associations" screen: the federation's administrators create an association in
one form; nobody else may."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from cms.federation.models import Association


def test_a_federation_administrator_creates_an_association_from_the_admin(
    site_tree, admin_user, client, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    page = client.get("/admin/associations/nouvelle/")
    assert page.status_code == 200 and "<title>Nouvelle association" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/admin/associations/nouvelle/",
            {"name": "Alumni Nord", "kind": "association", "contact_email": "c@nord.example.org"},
        )
    assert answer.status_code == 302
    made = Association.objects.get(slug="alumni-nord")
    assert made.site.site_name == "Alumni Nord" and made.folder == "alumni-nord"
    listing = client.get("/admin/associations/").content.decode()
    assert "Alumni Nord" in listing and "content/alumni-nord" in listing
    # the same identifier again: said in the form, nothing made
    again = client.post(
        "/admin/associations/nouvelle/", {"name": "X", "slug": "alumni-nord", "kind": "association"}
    )
    assert again.status_code == 200 and "already called" in again.content.decode()
    assert Association.objects.filter(slug="alumni-nord").count() == 1


def test_an_association_administrator_may_not_create_associations(
    site_tree, client, django_user_model
):
    Association.objects.update(kind="association")
    user = django_user_model.objects.create_user("secretaire", password="pw")
    group = Group.objects.create(name="Alumni — administrateurs")
    Association.objects.filter(site=site_tree["site"]).update(administrators=group)
    user.groups.add(group)
    user.user_permissions.add(*Permission.objects.filter(codename="access_admin"))
    client.force_login(user)
    # Wagtail's admin answers a refusal with a redirect to the dashboard and a message
    for answer in (
        client.get("/admin/associations/"),
        client.post("/admin/associations/nouvelle/", {"name": "Y"}),
    ):
        assert answer.status_code in (302, 403) and "associations" not in answer.get("Location", "")
    assert not Association.objects.filter(slug="y").exists()
