"""One build per site at a time across workers: the site's build lease (cms.publishing.lease).

Threads stand for workers here (each has its own database connection, as a process would);
``tests/cms/test_multi_worker.py`` runs real RQ workers on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import itertools
import subprocess
import sys
import threading
import time

import pytest
from django.db import close_old_connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Site

from cms.publishing import lease as leases
from cms.publishing.builder import warm_builder
from cms.publishing.models import BuildLease, BuildRecord, Worker
from cms.publishing.recovery import Recovery
from cms.publishing.tasks import build_site_task, ready_builder
from cms.publishing.workers import HOST, machine_id
from relais.buildconfig import SitePaths
from relais.incremental import SiteBuilder, build_site
from tests.cms.factories import make_item
from tests.federation.builders import association_site
from tests.site.test_incremental import diff, same_history, tree


@pytest.fixture
def shared_tree(transactional_db, content_dir, site_output) -> dict:
    """A site committed to the database, which other threads see."""
    Site.objects.all().delete()
    return association_site("Alumni Exemple", "alumni.example.org", default=True)


def overlapping(intervals: list[tuple[float, float]]) -> list[tuple]:
    ordered = sorted(intervals)
    return [(a, b) for a, b in itertools.pairwise(ordered) if b[0] < a[1]]


def test_a_held_lease_is_refused_until_released_or_expired(site_tree):
    site_id = site_tree["site"].pk
    first = leases.take(site_id, seconds=30)
    assert first is not None
    assert leases.take(site_id) is None
    assert leases.lease_holder(site_id) == first.holder
    first.release()
    second = leases.take(site_id, seconds=0.5)
    assert second is not None and second.token != first.token
    second._stopped.set()  # its holder stops renewing it, as a frozen process would
    second._renewal.join()
    assert leases.take(site_id) is None
    later = timezone.now() + dt.timedelta(seconds=1)
    third = leases.take(site_id, now=later)  # expired: taken over
    assert third is not None
    third.release()
    assert not second.renew() and second.lost.is_set()  # the old holder learns it lost it


def test_racing_workers_never_hold_a_site_together(shared_tree):
    site_id = shared_tree["site"].pk
    intervals: list[tuple[float, float]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                with leases.acquire(site_id, wait=None, poll=0.01):
                    start = time.monotonic()
                    time.sleep(0.02)
                    intervals.append((start, time.monotonic()))
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(intervals) == 20
    assert overlapping(intervals) == []


@pytest.fixture
def sleeper():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def held_by(site_id: int, pid: int) -> str:
    worker = Worker.objects.create(
        id=f"{HOST[:40]}-{pid}-test", host=HOST, machine=machine_id(), pid=pid
    )
    BuildLease.objects.update_or_create(
        site_id=site_id,
        defaults={
            "holder": worker.pk,
            "token": "t" * 32,
            "expires_at": timezone.now() + dt.timedelta(seconds=600),
            "builder": "theirs",
        },
    )
    return worker.pk


def test_the_lease_of_a_dead_worker_is_taken_over_at_once(site_tree, sleeper):
    site_id = site_tree["site"].pk
    held_by(site_id, sleeper.pid)
    assert leases.take(site_id) is None  # its holder runs: the lease holds for 10 minutes
    sleeper.kill()
    sleeper.wait()
    taken = leases.take(site_id)  # its process is gone: no need to wait for the expiry
    assert taken is not None
    assert taken.previous_builder == "theirs"
    taken.release()


def test_a_build_that_finds_the_lease_held_goes_back_to_the_queue(site_tree, sleeper, settings):
    site_id = site_tree["site"].pk
    settings.RELAIS_WORKERS = {"build_wait": 0.3}
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.RELAIS_QUEUES},
    }
    make_item(site_tree, title="Gala", slug="gala")  # content ahead of the live site
    DBTaskResult.objects.all().delete()
    held_by(site_id, sleeper.pid)
    assert build_site_task.call(site_id, "essai") is None
    assert not BuildRecord.objects.filter(site_id=site_id).exists()  # nothing built, nothing failed
    again = DBTaskResult.objects.get(task_path=build_site_task.module_path)
    assert again.args_kwargs["args"][0] == site_id  # enqueued again, for later


def test_a_warm_builder_that_another_worker_outran_adopts_the_live_site(shared_tree, tmp_path):
    """Another worker's builder published the site: this one's model is stale. It must not
    apply the next change to that model; the result equals a full build."""
    site = shared_tree["site"]
    make_item(shared_tree, title="Gala", slug="gala")  # built here: this worker's builder is warm
    ours, name = warm_builder(site)
    assert ours.generation is not None
    # another worker's builder publishes a change
    theirs = SiteBuilder(ours.paths, **ours.overrides)
    gala = ours.paths.content / "actualites" / "gala.md"
    gala.write_text(gala.read_text().replace("title: Gala", "title: Gala 2026"))
    assert theirs.update(["actualites/gala.md"]).kind != "none"
    BuildLease.objects.filter(site_id=site.pk).update(builder="another-worker")
    # the next build here drops the model it had, and names itself in the lease
    with leases.take(site.pk) as lease:
        builder = ready_builder(site.pk, lease)
        assert builder is ours and ours.generation is None
        assert BuildLease.objects.get(site_id=site.pk).builder == name
    make_item(shared_tree, title="Prix", slug="prix")
    record = BuildRecord.objects.filter(site=site).first()
    assert record.status == BuildRecord.Status.SUCCEEDED
    full = SitePaths.at(ours.paths.content, tmp_path / "full" / "output")
    same_history(ours.paths, full)
    build_site(full, **ours.overrides)
    assert diff(tree(ours.paths.output), tree(full.output)) == []


def test_the_recovery_releases_the_leases_of_the_dead_workers_it_forgets(site_tree, sleeper):
    site_id = site_tree["site"].pk
    worker_id = held_by(site_id, sleeper.pid)
    assert Recovery().forget_dead_workers() == 0  # alive: nothing released
    assert leases.lease_holder(site_id) == worker_id
    sleeper.kill()
    sleeper.wait()
    assert Recovery().forget_dead_workers() == 1
    assert not Worker.objects.filter(pk=worker_id).exists()
    assert leases.lease_holder(site_id) == ""  # not left for its expiry
