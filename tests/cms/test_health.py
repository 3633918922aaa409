"""Health: one check (cms.publishing.health) behind the admin's page, ``manage.py
relais_health`` and the ``/health/`` endpoint."""

from __future__ import annotations

import datetime as dt
import io
import json
import os

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.publishing import health
from cms.publishing.clock import LEASE
from cms.publishing.models import BuildRecord, ClockLease, Worker
from cms.publishing.tasks import build_site_task
from cms.publishing.workers import machine_id
from cms.social.models import Delivery, SocialAccount
from relais.deploy import DeployError
from tests.cms.workers import wait_until

TOKEN = "s3cret-health-token-7f1c"


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.RELAIS_QUEUES},
    }


def live_worker(worker_id: str = "w-alive", **fields) -> Worker:
    """A worker of another machine whose heartbeat is fresh: alive until ``dead_after``."""
    now = timezone.now()
    defaults = {"host": "web-2", "machine": "other", "pid": 1, "heartbeat_at": now}
    return Worker.objects.create(id=worker_id, **{**defaults, **fields})


def hold_clock(worker_id: str) -> None:
    ClockLease.objects.create(
        name=LEASE, holder=worker_id, expires_at=timezone.now() + dt.timedelta(minutes=1)
    )


def run_command(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("relais_health", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def test_a_killed_worker_is_shown_dead_and_the_installation_unhealthy(
    shared_site, workers, database_queue
):
    worker = workers("alone", "--no-clock")
    worker_id = wait_until(
        lambda: Worker.objects.filter(pid=worker.pid).values_list("pk", flat=True).first(),
        60,
        "the worker to register",
        worker.log,
    )
    report = health.check()
    assert [w.id for w in report.alive] == [worker_id]
    assert "no_worker" not in {f.code for f in report.problems}

    worker.kill()  # SIGKILL: its registration stays, its process is gone
    report = health.check()
    assert [w.id for w in report.dead] == [worker_id]
    assert report.alive == []
    assert "no_worker" in {f.code for f in report.problems}
    assert "dead_worker" in {f.code for f in report.warnings}
    code, out = run_command()
    assert code == 1
    assert f"{worker_id} on " in out and "DEAD" in out
    code, out = run_command("--json")
    data = json.loads(out)
    assert code == 1 and data["healthy"] is False
    assert [w["id"] for w in data["workers"]["dead"]] == [worker_id]


def test_a_worker_silent_too_long_on_another_machine_is_dead(db, settings):
    settings.RELAIS_WORKERS = {"dead_after": 30}
    live_worker("w-fresh")
    live_worker("w-silent", heartbeat_at=timezone.now() - dt.timedelta(seconds=31))
    states = {w.id: w.alive for w in health.workers()}
    assert states == {"w-fresh": True, "w-silent": False}


def test_queue_depth_counts_the_tasks_waiting_in_the_database_queue(
    site_tree, database_queue, settings
):
    site = site_tree["site"]
    for n in range(3):
        build_site_task.enqueue(site.pk, f"test {n}")
    build_site_task.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue(
        site.pk, "later"
    )  # scheduled for later: not waiting yet
    build_site_task.using(queue_name="rebuilds").enqueue(site.pk, "full")
    assert DBTaskResult.objects.count() == 5  # really enqueued, in the database

    queues = {q.name: q for q in health.database_queues(timezone.now())}
    assert queues["publishing"].waiting == 3
    assert queues["rebuilds"].waiting == 1
    assert queues["syndication"].waiting == 0
    assert queues["syndication"].oldest_waiting_s is None
    assert 0 <= queues["publishing"].oldest_waiting_s < 60

    # the oldest task of "publishing" has waited twenty minutes: unhealthy
    oldest = DBTaskResult.objects.filter(queue_name="publishing").order_by("enqueued_at").first()
    DBTaskResult.objects.filter(pk=oldest.pk).update(
        enqueued_at=timezone.now() - dt.timedelta(minutes=20)
    )
    live_worker()
    hold_clock("w-alive")
    report = health.check()
    queues = {q.name: q for q in report.queues}
    assert queues["publishing"].oldest_waiting_s >= 20 * 60
    assert [f.code for f in report.problems] == ["queue_late"]
    settings.RELAIS_HEALTH = {"queue_max_age": 3600}
    assert health.check().healthy


def test_sites_last_build_and_failing_deliveries(site_tree, admin_user):
    site = site_tree["site"]
    BuildRecord.objects.create(
        site=site, status=BuildRecord.Status.SUCCEEDED, seconds=1.5, kind="full"
    )
    report = health.check()  # the immediate backend: no worker needed
    assert report.healthy
    [row] = report.sites
    assert (row.last_build_status, row.last_build_seconds) == ("succeeded", 1.5)

    BuildRecord.objects.create(site=site, status=BuildRecord.Status.FAILED, errors="boom")
    report = health.check()
    assert [f.code for f in report.problems] == ["build_failed"]
    assert report.sites[0].last_build_status == "failed"
    # built, but its copy to object storage did not finish: said as such
    BuildRecord.objects.create(
        site=site,
        status=BuildRecord.Status.FAILED,
        errors=f"{DeployError.PREFIX}s3://site/ failed: EndpointConnectionError: refused.",
    )
    report = health.check()
    assert [f.code for f in report.problems] == ["deploy_failed"]
    assert "stockage objet" in report.problems[0].message

    account = SocialAccount.objects.create(site=site, network="mastodon", display_name="Alumni")
    for n, state in enumerate(["failed", "needs_check", "sent"]):
        Delivery.objects.create(account=account, item_key=f"actualites/a{n}", state=state)
    report = health.check()
    assert report.figures["failing_deliveries"] == 2
    assert "failing_deliveries" in {f.code for f in report.warnings}


@pytest.fixture
def healthy_installation(site_tree, database_queue):
    live_worker()
    hold_clock("w-alive")


def test_the_endpoint_needs_the_token(client, healthy_installation, settings):
    url = reverse("relais_health_endpoint")
    settings.RELAIS_HEALTH_TOKEN = ""
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404
    settings.RELAIS_HEALTH_TOKEN = TOKEN
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert client.get(url, HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response.json()["healthy"] is True
    assert response.json()["clock_holder"] == "w-alive"


def test_the_endpoint_answers_503_when_unhealthy(client, healthy_installation, settings):
    settings.RELAIS_HEALTH_TOKEN = TOKEN
    Worker.objects.all().delete()  # no worker left: the queue waits for nobody
    response = client.get(reverse("relais_health_endpoint"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    assert {p["code"] for p in response.json()["problems"]} == {"no_worker"}


def test_no_secret_in_any_output(client, site_tree, settings, admin_user):
    """Neither the token, the secret keys, a queue's password nor a task's arguments show."""
    settings.RELAIS_HEALTH_TOKEN = TOKEN
    password = "redis-pa55word-9d2e"
    url = f"redis://:{password}@127.0.0.1:1/0"  # nothing listens on port 1
    settings.RQ_QUEUES = {n: {"URL": url} for n in settings.RELAIS_QUEUES}
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.RELAIS_QUEUES},
    }
    Worker.objects.create(
        id="w-dead", host="web-1", machine=machine_id(), pid=2**22 + 7, heartbeat_at=timezone.now()
    )
    response = client.get(reverse("relais_health_endpoint"), HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    assert "queue_unreachable" in {p["code"] for p in response.json()["problems"]}
    client.force_login(admin_user)
    page = client.get(reverse("relais_health")).content.decode()
    outputs = [response.content.decode(), page, run_command()[1], run_command("--json")[1]]
    secrets = [TOKEN, password, settings.SECRET_KEY, settings.RELAIS_CREDENTIALS_KEY]
    for output in outputs:
        assert "w-dead" in output
        for secret in secrets:
            assert secret not in output


def test_the_admin_page_is_for_the_federation_administrators(
    client, site_tree, admin_user, django_user_model
):
    Worker.objects.create(
        id="w-dead", host="web-1", machine=machine_id(), pid=2**22 + 7, heartbeat_at=timezone.now()
    )
    url = reverse("relais_health")
    client.force_login(admin_user)
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "w-dead" in html and "mort" in html
    assert url in client.get(reverse("wagtailadmin_home")).content.decode()  # in the menu

    editor = django_user_model.objects.create_user("editrice", password="pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    refused = client.get(url)  # Wagtail sends whom it refuses back to the dashboard
    assert (refused.status_code, refused.url) == (302, reverse("wagtailadmin_home"))
    assert url not in client.get(reverse("wagtailadmin_home")).content.decode()


@pytest.mark.redis
def test_queue_depth_counts_the_jobs_waiting_in_redis(site_tree, settings):
    import django_rq

    url = os.environ["RELAIS_TEST_REDIS_URL"]
    settings.RQ_QUEUES = {n: {"URL": url, "DEFAULT_TIMEOUT": 600} for n in settings.RELAIS_QUEUES}
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.RELAIS_QUEUES},
    }
    connection = django_rq.get_connection("publishing")
    connection.flushdb()
    try:
        for n in range(2):
            build_site_task.enqueue(site_tree["site"].pk, f"test {n}")
        build_site_task.using(queue_name="maintenance").enqueue(site_tree["site"].pk, "m")
        report = health.check()
        assert report.backend == "rq"
        queues = {q.name: q for q in report.queues}
        assert (queues["publishing"].waiting, queues["maintenance"].waiting) == (2, 1)
        assert queues["syndication"].waiting == 0
        assert 0 <= queues["publishing"].oldest_waiting_s < 60
        assert "no_worker" in {f.code for f in report.problems}  # nobody runs the clock
    finally:
        connection.flushdb()
