"""Posting on the Django side: once on first publish, never again on edit unless asked, and what
happens when a network fails (retry later, reconnect, Retry button)."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone
from django_tasks import task_backends

from cms.publishing.models import ExportRecord
from cms.social import tasks
from cms.social.delivery import deliver, resume
from cms.social.models import Delivery, SocialAccount
from cms.social.tasks import deliver_task
from tests.cms.factories import make_item
from tests.social.support import connect_through_admin, edit_through_admin, make_account


@pytest.fixture
def accounts(site_tree, fakes, admin_user) -> dict[str, SocialAccount]:
    return {
        name: make_account(site_tree["site"], fake, owner=admin_user)
        for name, fake in fakes.items()
    }


@pytest.fixture
def deferring_backend(settings, monkeypatch):
    """Deliveries go to a queue that keeps them (with their ``run_after``) instead of running at
    once; the publishing tasks still run at once."""
    settings.TASKS = {
        **settings.TASKS,
        "deferred": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.RELAIS_QUEUES,
        },
    }
    monkeypatch.setattr(tasks, "deliver_task", tasks.deliver_task.using(backend="deferred"))
    backend = task_backends["deferred"]
    backend.results.clear()
    return backend


def queued_deliveries(backend) -> list[tuple[int, dt.datetime | None]]:
    return [(r.args[0], r.task.run_after) for r in backend.results if r.task.name == "deliver_task"]


def publish(site_tree, capture, **fields):
    with capture(execute=True):
        return make_item(site_tree, **fields)


def test_first_publish_posts_once_and_editing_does_not_post_again(
    site_tree, accounts, fakes, admin_user, client, django_capture_on_commit_callbacks
):
    page = publish(site_tree, django_capture_on_commit_callbacks)
    assert {n: len(f.posts) for n, f in fakes.items()} == {
        "mastodon": 1,
        "x": 1,
        "linkedin": 1,
        "facebook": 1,
        "instagram": 0,
    }
    assert Delivery.objects.get(network="instagram").state == "skipped"  # no image
    before = list(Delivery.objects.order_by("pk").values_list("pk", "state", "version"))

    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = edit_through_admin(client, page, title="Nomination de Léa Martin (corrigé)")
    assert response.status_code == 302
    record = ExportRecord.objects.get(page_id=page.pk)
    assert record.live_at is not None and record.live_at > record.first_live_at  # re-built
    assert {n: len(f.posts) for n, f in fakes.items()} == {
        "mastodon": 1,
        "x": 1,
        "linkedin": 1,
        "facebook": 1,
        "instagram": 0,
    }
    assert list(Delivery.objects.order_by("pk").values_list("pk", "state", "version")) == before


def test_post_again_makes_a_new_post_and_keeps_the_first(
    site_tree, accounts, fakes, admin_user, client, django_capture_on_commit_callbacks
):
    page = publish(site_tree, django_capture_on_commit_callbacks)
    first = Delivery.objects.get(network="mastodon")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/social/pages/{page.pk}/repost/", {"account": [accounts["mastodon"].pk]}
        )
    assert response.status_code == 302
    assert len(fakes["mastodon"].posts) == 2
    assert len(fakes["x"].posts) == 1  # not chosen
    again = Delivery.objects.get(network="mastodon", round=2)
    assert again.state == "sent" and again.item_key == f"{first.item_key}#2"
    assert again.remote_id != first.remote_id and again.requested_by == admin_user
    first.refresh_from_db()
    assert first.state == "sent"
    html = client.get(f"/admin/social/pages/{page.pk}/").content.decode()
    assert again.remote_url in html and first.remote_url in html


def test_x_refuses_the_same_text_twice_the_editor_rewrites_it_and_retries(
    site_tree, accounts, fakes, admin_user, client, django_capture_on_commit_callbacks
):
    page = publish(site_tree, django_capture_on_commit_callbacks)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/social/pages/{page.pk}/repost/", {"account": [accounts["x"].pk]})
    again = Delivery.objects.get(network="x", round=2)
    assert again.state == "failed" and "403" in again.reason  # X: duplicate content
    report = BeautifulSoup(
        client.get("/admin/social/deliveries/", {"state": "failed"}).content, "html.parser"
    )
    row = report.select_one(f'tr[data-delivery="{again.pk}"]')
    assert "le même texte a déjà été publié" in row.get_text()
    assert row.select_one(f'form[action="/admin/social/deliveries/{again.pk}/retry/"]')

    with django_capture_on_commit_callbacks(execute=True):
        edit_through_admin(
            client,
            page,
            **{"social_texts-x-text": "Léa Martin prend la direction technique : bravo !"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/social/deliveries/{again.pk}/retry/")
    assert response.status_code == 302
    again.refresh_from_db()
    assert again.state == "sent", again.reason
    assert len(fakes["x"].posts) == 2
    assert fakes["x"].posts[1]["text"].startswith("Léa Martin prend la direction technique")


def test_retry_is_a_post_and_needs_the_right_to_publish(
    site_tree, accounts, fakes, django_user_model, client, django_capture_on_commit_callbacks
):
    fakes["mastodon"].max_characters = 20  # the server refuses the text: 422
    publish(site_tree, django_capture_on_commit_callbacks)
    failed = Delivery.objects.get(network="mastodon")
    assert failed.state == "failed" and "422" in failed.reason
    assert "vérifiez le texte" in failed.explanation
    editor = django_user_model.objects.create_user("lectrice", password="pw")
    editor.user_permissions.add(*Permission.objects.filter(codename="access_admin"))
    client.force_login(editor)
    url = f"/admin/social/deliveries/{failed.pk}/retry/"
    assert client.get(url).status_code == 405
    refused = client.post(url, follow=True)  # Wagtail: back to the dashboard, with a message
    assert refused.redirect_chain[0] == ("/admin/", 302)
    assert "autorisations" in " ".join(str(m) for m in refused.context["messages"])
    failed.refresh_from_db()
    assert failed.state == "failed"

    fakes["mastodon"].max_characters = 500
    editor.is_superuser = True
    editor.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    failed.refresh_from_db()
    assert failed.state == "sent" and failed.attempt == 1  # reset, then one call
    assert len(fakes["mastodon"].posts) == 1


def test_expired_token_marks_the_account_and_tells_its_owner_nothing_is_lost(
    site_tree, accounts, fakes, providers, admin_user, client, django_capture_on_commit_callbacks
):
    x = fakes["x"]
    x.expire_tokens()
    x.refresh_token = "revoked-long-ago"
    page = publish(site_tree, django_capture_on_commit_callbacks)
    account = SocialAccount.objects.get(network="x")
    assert account.status == "reconnect"
    assert account.status_message == (
        "Le jeton X a expiré ou a été révoqué : reconnectez le compte dans Paramètres → Réseaux."
    )
    waiting = Delivery.objects.get(network="x")
    assert waiting.state == "pending" and x.posts == []
    assert "doit être reconnecté" in waiting.explanation
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    assert "Paramètres → Réseaux" in mail.outbox[0].body
    assert "http://testserver/admin/social/accounts/" in mail.outbox[0].body
    # a second item while the account waits: no second e-mail, a second waiting post
    publish(site_tree, django_capture_on_commit_callbacks, slug="deuxieme", title="Deuxième")
    assert len(mail.outbox) == 1
    assert Delivery.objects.filter(network="x", state="pending").count() == 2

    # the owner reconnects the account (the same X account): what waited goes out, once
    x.refresh_token = "x-refresh-new"
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        connect_through_admin(client, "x", site_tree["site"])
    account.refresh_from_db()
    assert account.status == "ok" and SocialAccount.objects.filter(network="x").count() == 1
    assert sorted(p["link"].split("?")[0] for p in x.posts) == sorted(
        [page.static_url, page.static_url.replace(page.slug, "deuxieme")]
    )
    assert set(Delivery.objects.filter(network="x").values_list("state", flat=True)) == {"sent"}


def test_x_refresh_tokens_are_rotated_and_stored(
    site_tree, accounts, fakes, django_capture_on_commit_callbacks
):
    x = fakes["x"]
    x.expire_tokens()  # the access token died; the refresh token still works
    publish(site_tree, django_capture_on_commit_callbacks)
    assert len(x.posts) == 1 and x.refreshes == 1
    stored = SocialAccount.objects.get(network="x").get_credentials()
    assert stored["access_token"] == x.token and stored["refresh_token"] == x.refresh_token
    assert stored["refresh_token"] == "x-refresh-1"


def test_rate_limit_is_deferred_to_the_queue_not_slept(
    site_tree,
    accounts,
    fakes,
    deferring_backend,
    social_settings,
    django_capture_on_commit_callbacks,
):
    fakes["x"].faults.add("rate_limit", path="/2/tweets")
    publish(site_tree, django_capture_on_commit_callbacks)
    jobs = dict(queued_deliveries(deferring_backend))
    assert len(jobs) == 5 and all(when is None for when in jobs.values())
    x = Delivery.objects.get(network="x")
    with django_capture_on_commit_callbacks(execute=True):
        deliver_task.call(x.pk)
    x.refresh_from_db()
    assert x.state == "pending" and x.retry_at is not None and x.attempt == 1
    assert social_settings == []  # nothing slept in the worker
    later = [when for pk, when in queued_deliveries(deferring_backend) if pk == x.pk and when]
    assert later == [x.retry_at]
    assert "Nouvel essai prévu" in x.explanation and "attendre" in x.explanation
    # the queue runs it at retry_at
    Delivery.objects.filter(pk=x.pk).update(retry_at=timezone.now() - dt.timedelta(seconds=1))
    deliver_task.call(x.pk)
    x.refresh_from_db()
    assert x.state == "sent" and len(fakes["x"].posts) == 1


def test_uncertain_post_is_looked_for_later_and_never_duplicated(
    site_tree, accounts, fakes, deferring_backend, django_capture_on_commit_callbacks
):
    fakes["mastodon"].faults.add("reset_after", path="/api/v1/statuses")
    publish(site_tree, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(network="mastodon")
    deliver_task.call(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "needs_check" and len(fakes["mastodon"].posts) == 1
    assert delivery.retry_at - delivery.updated_at >= dt.timedelta(seconds=19.9)  # check_delay
    assert "Résultat incertain" in delivery.explanation
    Delivery.objects.filter(pk=delivery.pk).update(retry_at=timezone.now())
    deliver_task.call(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == "sent" and len(fakes["mastodon"].posts) == 1
    assert delivery.remote_id == fakes["mastodon"].posts[0]["id"]
    assert "retrouvé la publication" in delivery.explanation


def test_post_at_time_is_passed_to_the_queue(
    site_tree, accounts, fakes, deferring_backend, django_capture_on_commit_callbacks
):
    when = (timezone.now() + dt.timedelta(hours=3)).replace(microsecond=0)
    publish(
        site_tree,
        django_capture_on_commit_callbacks,
        social_texts={"linkedin": {"text": "", "post_at": when.isoformat()}},
    )
    linkedin = Delivery.objects.get(network="linkedin")
    assert linkedin.post_at == when
    jobs = dict(queued_deliveries(deferring_backend))
    assert jobs[linkedin.pk] == when
    assert all(v is None for k, v in jobs.items() if k != linkedin.pk)
    with django_capture_on_commit_callbacks(execute=True):
        deliver_task.call(linkedin.pk)  # a worker that runs it early does not post, re-queues
    assert [w for pk, w in queued_deliveries(deferring_backend) if pk == linkedin.pk] == [
        when,
        when,
    ]
    assert fakes["linkedin"].posts == []
    assert "Programmé pour le" in Delivery.objects.get(pk=linkedin.pk).explanation


def test_an_item_withdrawn_before_its_post_is_skipped(
    site_tree, accounts, fakes, deferring_backend, django_capture_on_commit_callbacks
):
    page = publish(site_tree, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()  # withdrawn and rebuilt before the queued deliveries run
    assert ExportRecord.objects.get(page_id=page.pk).withdrawn
    for pk, _when in queued_deliveries(deferring_backend):
        deliver_task.call(pk)
    assert all(len(f.posts) == 0 for f in fakes.values())
    assert set(Delivery.objects.values_list("state", flat=True)) == {"skipped"}
    assert "retiré du site" in Delivery.objects.first().explanation


def test_a_worker_that_died_mid_post_is_resumed_without_duplicate(
    site_tree, accounts, fakes, deferring_backend, django_capture_on_commit_callbacks
):
    publish(site_tree, django_capture_on_commit_callbacks)
    facebook = Delivery.objects.get(network="facebook")
    # What a worker killed during the call leaves: "sending" in the ledger, and (sometimes) the
    # post on the network.
    from cms.social.compose import item_from_record
    from syndication.compose import compose

    record = ExportRecord.objects.get(page_id=facebook.page_id)
    post = compose(item_from_record(record), accounts["facebook"].make_network())
    accounts["facebook"].client().publish(post)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    Delivery.objects.filter(pk=facebook.pk).update(
        state="sending", attempt=1, updated_at=long_ago, attempted_at=long_ago
    )
    # and a delivery whose queued task was lost (still pending an hour after it was due)
    lost = Delivery.objects.get(network="mastodon")
    Delivery.objects.filter(pk=lost.pk).update(created_at=long_ago)
    deferring_backend.results.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert resume() == 2  # the others are fresh: their queued tasks will run them
    assert sorted(pk for pk, _when in queued_deliveries(deferring_backend)) == sorted(
        [facebook.pk, lost.pk]
    )
    for pk, _when in queued_deliveries(deferring_backend):
        deliver_task.call(pk)
    facebook.refresh_from_db()
    assert facebook.state == "sent" and len(fakes["facebook"].posts) == 1
    assert facebook.remote_id == fakes["facebook"].posts[0]["id"]
    assert deliver(facebook.pk).state == "sent" and len(fakes["facebook"].posts) == 1
    assert Delivery.objects.get(pk=lost.pk).state == "sent"
    assert len(fakes["mastodon"].posts) == 1


def test_the_worker_clock_resumes_forgotten_deliveries_by_itself(
    settings, site_tree, accounts, fakes, django_capture_on_commit_callbacks
):
    """The worker's clock enqueues ``resume_task`` every ``resume_every`` seconds."""
    from cms.publishing.clock import Clock, default_jobs

    page = make_item(site_tree, publish=False)
    long_ago = timezone.now() - dt.timedelta(hours=1)
    forgotten = Delivery.objects.create(
        account=accounts["mastodon"],
        page=page,
        item_key="actualites/oublie",
        network="mastodon",
        created_at=long_ago,
    )
    jobs = [job for job in default_jobs() if job.name == "social_resume"]
    assert len(jobs) == 1
    clock = Clock("worker-test", jobs=jobs)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert clock.run_once(now) == ["social_resume"]
        assert clock.run_once(now + dt.timedelta(seconds=30)) == []  # every 300 s by default
    forgotten.refresh_from_db()
    # carried on: its item is not on the site (never exported), so it is not posted, and says so
    assert forgotten.state == "skipped" and "retiré du site" in forgotten.reason
    assert fakes["mastodon"].posts == []
