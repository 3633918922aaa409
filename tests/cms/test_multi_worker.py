"""Workers anywhere: two real RQ workers (``manage.py relais_worker`` on the Redis queue) share
two associations' publications on PostgreSQL; one is killed (SIGKILL) in the middle of a build.

What must hold once the queue settles: every item live exactly once in its site, every post
sent exactly once on the network (a loopback fake per association), two builds of one site never
ran at the same time (the build records' intervals), and each site equals a full build of its
content. Opt-in: PostgreSQL (``RELAIS_TEST_DATABASE_URL``) and Redis (``RELAIS_TEST_REDIS_URL``).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from cms.content.models import ItemPage
from cms.federation.models import Association
from cms.publishing import export
from cms.publishing.models import BuildRecord, ExportRecord, SiteState, Worker
from cms.publishing.signal_handlers import suspended
from cms.publishing.tasks import run_build
from cms.social.models import Delivery
from relais.buildconfig import SitePaths
from relais.incremental import build_site
from syndication.testing.fakes import FakeMastodon
from syndication.text import without_utm
from tests.cms.factories import make_item
from tests.cms.test_recovery_kill import built_items
from tests.cms.workers import WorkerProcess, wait_until
from tests.federation.builders import association_site
from tests.site import test_incremental as incremental
from tests.social.support import make_account
from tests.support import ROOT

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

TIMEOUT = 90


class RQWorkerProcess(WorkerProcess):
    """``relais_worker`` on the Redis queue, in a process group of its own: RQ's scheduler is a
    child process, stopped with it."""

    def __init__(self, tmp_path: Path, name: str, redis_url: str, **kwargs):
        super().__init__(tmp_path, name, **kwargs)
        self.env.update(
            DJANGO_SETTINGS_MODULE="tests.cms.rq_worker_settings",
            RELAIS_TASK_BACKEND="rq",
            RELAIS_REDIS_URL=redis_url,
        )

    def start(self) -> RQWorkerProcess:
        self._log = self.log_path.open("a")
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "relais_worker", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return self

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)  # the worker and its scheduler, no clean-up
        self.proc.wait(30)
        assert self.proc.returncode == -signal.SIGKILL

    def close(self) -> None:
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        if hasattr(self, "_log"):
            self._log.close()


@pytest.fixture
def redis_queue(settings):
    import django_rq

    url = os.environ["RELAIS_TEST_REDIS_URL"]
    settings.RQ_QUEUES = {
        name: {"URL": url, "DEFAULT_TIMEOUT": 600} for name in settings.RELAIS_QUEUES
    }
    redis = django_rq.get_connection("publishing")
    redis.flushdb()
    yield url
    redis.flushdb()


@pytest.fixture
def two_associations(transactional_db, settings, tmp_path) -> dict:
    """Associations A and B, each with one item live and built (in this process)."""
    settings.RELAIS_CONTENT_DIR = tmp_path / "content"
    settings.RELAIS_SITE_OUTPUT = tmp_path / "site" / "output"
    from wagtail.models import Site

    Site.objects.all().delete()
    trees = {}
    with suspended():
        for key, name, host, default in [
            ("a", "Alumni A", "a.example.org", True),
            ("b", "Alumni B", "b.example.org", False),
        ]:
            tree = association_site(name, host, default=default)
            make_item(tree, title=f"Bienvenue {key}", slug=f"bienvenue-{key}")
            trees[key] = tree
    for tree in trees.values():
        export.export_site_config(tree["site"])
        for page in ItemPage.objects.live().descendant_of(tree["home"]):
            export.export_page(page)
        assert run_build(tree["site"], "site initial").status == BuildRecord.Status.SUCCEEDED
    return trees


@pytest.fixture
def networks():
    fakes = {key: FakeMastodon(stall=0.05).start() for key in ("a", "b")}
    yield fakes
    for fake in fakes.values():
        fake.stop()


def live_items(tree: dict) -> dict[str, str]:
    pages = ItemPage.objects.live().descendant_of(tree["home"]).specific()
    return {f"{p.section_key}/{p.slug}": p.title for p in pages}


def settled(trees: dict, expected_posts: int) -> bool:
    for tree in trees.values():
        state = SiteState.get(tree["site"])
        if state.built_version < state.content_version:
            return False
    return (
        not BuildRecord.objects.filter(status=BuildRecord.Status.RUNNING).exists()
        and not ExportRecord.objects.filter(withdrawn=False, live_at=None).exists()
        and Delivery.objects.filter(state="sent").count() == expected_posts
    )


def test_two_rq_workers_one_killed_mid_build(
    two_associations, networks, redis_queue, settings, tmp_path
):
    trees = two_associations
    for key, tree in trees.items():
        make_account(tree["site"], networks[key])
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.RELAIS_QUEUES},
    }
    workers: list[RQWorkerProcess] = []
    try:
        # the first worker stops (for the test to kill it) in the middle of its first build
        first = RQWorkerProcess(
            tmp_path,
            "first",
            redis_queue,
            killpoint="pelican.writers:Writer.write_file",
            when="after",
            call=2,
        ).start()
        second = RQWorkerProcess(tmp_path, "second", redis_queue).start()
        workers += [first, second]
        for worker in workers:
            wait_until(
                lambda w=worker: Worker.objects.filter(pid=w.pid).exists(),
                60,
                f"{worker.name} to register",
                worker.log,
            )
        logs = lambda: first.log() + second.log()  # noqa: E731

        published = {key: [] for key in trees}
        counter = itertools.count()

        def publish(n: int) -> None:
            for _ in range(n):
                for key, tree in trees.items():
                    i = next(counter)
                    slug = f"nouvelle-{key}-{i}"
                    make_item(tree, title=f"Nouvelle {key} {i}", slug=slug)
                    published[key].append(slug)
                time.sleep(0.1)

        publish(4)
        first.wait_for_killpoint(TIMEOUT)
        killed_at = timezone.now()
        first.kill()
        publish(2)  # the survivor takes everything from now on

        posts = sum(len(v) for v in published.values())
        wait_until(lambda: settled(trees, posts), TIMEOUT, "the work to settle", logs)
        time.sleep(1.5)  # a post sent twice would land now
        second.stop()

        for key, tree in trees.items():
            association = Association.for_site(tree["site"])
            paths = association.paths
            # every item live exactly once in its site
            built = built_items(paths.output)
            assert built == live_items(tree)
            for slug in published[key]:
                assert built[f"actualites/{slug}"].startswith("Nouvelle")
            # every post sent exactly once, to its own association's network
            links = sorted(without_utm(link) for link in networks[key].published_links())
            expected = sorted(
                f"{association.public_url}/actualites/{slug}/" for slug in published[key]
            )
            assert links == expected
            # builds of one site never overlapped
            builds = BuildRecord.objects.filter(site=tree["site"]).order_by("started_at")
            finished = [
                (b.started_at, b.finished_at)
                for b in builds
                if b.status != BuildRecord.Status.ABANDONED
            ]
            for (_, end), (start, _) in itertools.pairwise(finished):
                assert start >= end, builds
            for abandoned in builds.filter(status=BuildRecord.Status.ABANDONED):
                # killed: its real end is the kill, not when the recovery closed it
                assert f"-{first.pid}-" in abandoned.worker
                for other in builds.exclude(pk=abandoned.pk):
                    assert other.finished_at <= abandoned.started_at or (
                        other.started_at >= killed_at
                    )
            # the site equals a full build of its content
            full = SitePaths.at(paths.content, tmp_path / f"full-{key}" / "output")
            incremental.same_history(paths, full)
            build_site(full, SITEURL=association.public_url)
            assert (
                incremental.diff(incremental.tree(paths.output), incremental.tree(full.output))
                == []
            )
        # the build the killed worker left was closed as interrupted, by the survivor
        abandoned = BuildRecord.objects.filter(status=BuildRecord.Status.ABANDONED)
        assert abandoned.count() == 1, logs()
        # both workers built
        builders = set(BuildRecord.objects.exclude(worker="").values_list("worker", flat=True))
        assert any(f"-{first.pid}-" in w for w in builders)
        assert any(f"-{second.pid}-" in w for w in builders)
        assert connection.vendor == "postgresql"
    finally:
        for worker in workers:
            worker.close()
