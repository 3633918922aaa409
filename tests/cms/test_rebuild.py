"""Forced full rebuilds ("Reconstruire le site maintenant"): a permission of their own, and
requests that coalesce, so that nobody can queue unlimited full builds."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_tasks import task_backends

from cms.publishing import export
from cms.publishing.models import BuildRecord
from relais.incremental import SiteBuilder
from tests.cms.factories import make_item

REBUILD = "/admin/site/rebuild/"


@pytest.fixture
def queue(settings):
    """The tasks of the "relais" backend are kept in a list (nothing runs by itself)."""
    settings.TASKS = {
        **settings.TASKS,
        "relais": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.RELAIS_QUEUES,
        },
    }
    backend = task_backends["relais"]
    backend.results.clear()
    return backend.results


def run_queue(results: list) -> None:
    while results:
        result = results.pop(0)
        result.task.call(*result.args, **result.kwargs)


def user_in(django_user_model, group: str, username: str):
    user = django_user_model.objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(Group.objects.get(name=group))
    return user


def test_ten_rebuild_requests_make_at_most_two_full_builds(
    site_tree, admin_user, client, queue, monkeypatch, django_capture_on_commit_callbacks
):
    export.export_site_config(site_tree["site"])
    export.export_page(make_item(site_tree))
    queue.clear()  # the export the publication queued, done above
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(10):
            assert client.post(REBUILD).status_code == 302
    assert len(queue) == 1  # one full build waits: the nine other requests joined it

    # ten more requests while that build runs (it has started reading): one more build
    full_build = SiteBuilder.full_build
    during = []

    def full_build_while_clicking(self):
        if not during:
            with django_capture_on_commit_callbacks(execute=True):
                for _ in range(10):
                    during.append(client.post(REBUILD).status_code)
        return full_build(self)

    monkeypatch.setattr(SiteBuilder, "full_build", full_build_while_clicking)
    run_queue(queue)
    assert during == [302] * 10
    assert BuildRecord.objects.filter(kind="full").count() == 2
    assert set(BuildRecord.objects.values_list("status", flat=True)) == {"succeeded"}

    # and once those are done, a new request is a new build
    with django_capture_on_commit_callbacks(execute=True):
        client.post(REBUILD)
    run_queue(queue)
    assert BuildRecord.objects.filter(kind="full").count() == 3


def test_a_repeated_request_says_the_rebuild_to_come_covers_it(
    site_tree, admin_user, client, queue, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(REBUILD, follow=True).content.decode()
        again = client.post(REBUILD, follow=True).content.decode()
    assert "Reconstruction du site demandée." in first
    assert "Une reconstruction complète est déjà prévue" in again
    assert len(queue) == 1


def test_rebuilding_needs_the_permission_that_publishers_have(
    site_tree, client, queue, django_user_model, django_capture_on_commit_callbacks
):
    editor = user_in(django_user_model, "Rédacteurs", "redactrice")
    client.force_login(editor)
    page = client.get("/admin/site/").content.decode()
    assert "Reconstruire le site maintenant" not in page
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(REBUILD, follow=True)
    # Wagtail sends whoever lacks a permission back to the dashboard, saying so
    assert refused.redirect_chain == [("/admin/", 302)]
    assert "pas les autorisations" in refused.content.decode()
    assert queue == []

    # Wagtail's moderators ("Modérateurs" in French) may publish: the migration gave them the
    # right to rebuild
    moderator = user_in(django_user_model, "Modérateurs", "moderateur")
    assert moderator.has_perm("publishing.rebuild_site")
    client.force_login(moderator)
    assert "Reconstruire le site maintenant" in client.get("/admin/site/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(REBUILD).status_code == 302
    assert [r.task.name for r in queue] == ["build_site_task"]
    assert queue[0].kwargs["force"] is True


def test_the_permission_is_offered_in_the_group_settings(admin_user, client):
    client.force_login(admin_user)
    group = Group.objects.get(name="Rédacteurs")
    page = client.get(reverse("wagtailusers_groups:edit", args=[group.pk])).content.decode()
    assert "Peut reconstruire tout le site" in page
