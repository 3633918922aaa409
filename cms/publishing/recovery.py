"""Recovery: nothing is lost when a process dies.

A worker killed in the middle of a task leaves it ``RUNNING`` in the queue, a build "en cours",
a half-written tree in ``site/builds/``, a page exported in the CMS but not in ``content/``.
Nothing else would ever finish them, so every worker runs :func:`recover` when it starts
(before it takes any task) and the clock enqueues :func:`recover_task` on a schedule
(``RELAIS_WORKERS["recovery_every"]``). Each step looks at the state as it is and is safe to
run twice, at the same time on two machines included (every close is a compare-and-set):

1. **close_abandoned_builds**: builds ``running`` whose worker is dead become ``abandoned``
   ("interrompue"), saying so. First, so that a build task run again at step 2 does not take
   an interrupted build for one in progress.
2. **rerun_abandoned_tasks**: tasks of the database queue ``RUNNING`` on a dead worker are
   closed as failed (:class:`WorkerStopped`, naming the worker) and, when their task is
   registered with :func:`rerunnable`, enqueued again with the same arguments (Wagtail's own
   tasks, queued on its backend, included: updating an index twice is harmless).
3. **reconcile_content**: every live item or information page whose live revision is not the
   one exported (no record, a withdrawn record, or a missing file) is exported again; every
   record of a page no longer live (or deleted) is withdrawn; ``site.yaml`` is written again if
   the association settings changed since it was.
4. **resume_builds**: a build is enqueued when the content is ahead of the live site and no
   build failed on this content (that one waits for a fix; a build whose deploy to object
   storage failed is tried again), or when a full rebuild asked for in the admin was never
   served; a full rebuild is asked for when a site that was built has no live tree any more
   (``site/`` lost, or a new machine without it) and is served from that folder.
5. **remove_orphan_trees**: the trees of ``site/builds/`` that ``state.json`` does not name
   (a build killed while writing) are removed, once old enough and under the builds' lock.
6. the steps other apps add with :func:`register_step` (syndication carries on the deliveries
   left ``sending``).
7. **forget_dead_workers**: the build leases dead workers held are released and their
   registrations removed, once steps 1 and 2 have closed what they left.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from modelsearch.tasks import insert_or_update_object_task
from wagtail.images.tasks import set_image_focal_point_task
from wagtail.models import Site
from wagtail.tasks import update_reference_index_task

from cms.federation.models import Association
from relais.deploy import DeployError
from relais.output_store import OutputStore

from . import conf, export
from .builder import all_sites, site_paths
from .deploy import deploy_target
from .models import BuildLease, BuildRecord, ExportRecord, SiteState, Worker
from .tasks import (
    build_site_task,
    enqueue_full_build,
    export_page_task,
    export_site_config_task,
    full_build_started_since,
    nightly_build_task,
    publish_scheduled_task,
    request_full_build,
    withdraw_page_task,
)
from .workers import Liveness

logger = logging.getLogger(__name__)

BACKEND = "relais"
#: The backend of Wagtail's own tasks (``@task()`` without a backend: Django's "default");
#: queued, not run at once, when the project's queue is a real one (``cms.settings.base``).
WAGTAIL_BACKEND = "default"


class WorkerStopped(Exception):
    """What a task of a worker that stopped in its middle is closed with."""


# -- what other apps plug in ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rerun:
    why: str  # why running the task again is safe
    #: called with the dead worker's id and the task's arguments before it is enqueued again
    before: Callable[..., None] | None = None


RERUNNABLE: dict[str, Rerun] = {}
STEPS: dict[str, Callable[[], int]] = {}


def rerunnable(job: Task, why: str, before: Callable[..., None] | None = None) -> None:
    """Declare that ``job`` may run again after a worker died in its middle, and why that is
    safe (it is idempotent, or doing it twice is better than not at all). Tasks not declared
    are closed as failed and not run again."""
    RERUNNABLE[job.module_path] = Rerun(why, before)


def register_step(name: str, step: Callable[[], int]) -> None:
    """Add a step to every recovery (after the publishing ones); it returns what it did."""
    STEPS[name] = step


def database_queue() -> bool:
    return isinstance(task_backends[BACKEND], DatabaseBackend)


def database_backends() -> list[str]:
    """The task backends (the project's, Wagtail's) whose queue is in the database."""
    return [b for b in (BACKEND, WAGTAIL_BACKEND) if isinstance(task_backends[b], DatabaseBackend)]


rerunnable(update_reference_index_task, "it computes an object's references again from scratch")
rerunnable(insert_or_update_object_task, "it writes an object's search entry again from scratch")
rerunnable(set_image_focal_point_task, "it detects an image's features again")


# -- the steps ------------------------------------------------------------------------------------


class Recovery:
    def __init__(self, now: dt.datetime | None = None):
        self.now = now or timezone.now()
        self.liveness = Liveness(self.now)
        self.settings = conf.workers()

    def run(self) -> dict[str, int]:
        steps: list[tuple[str, Callable[[], int]]] = [
            ("close_abandoned_builds", self.close_abandoned_builds),
            ("rerun_abandoned_tasks", self.rerun_abandoned_tasks),
            ("reconcile_content", self.reconcile_content),
            ("resume_builds", self.resume_builds),
            ("remove_orphan_trees", self.remove_orphan_trees),
            *STEPS.items(),
        ]
        done: dict[str, int] = {}
        for name, step in steps:
            try:
                done[name] = step()
            except Exception:  # one step failing must not keep the others from running
                logger.exception("Recovery step %s failed (it runs again next time)", name)
                done[name] = -1
        # a dead worker is forgotten only once what it left is closed (its registration is
        # what tells its leftovers from those of a process that never registered)
        if done["close_abandoned_builds"] >= 0 and done["rerun_abandoned_tasks"] >= 0:
            done["forget_dead_workers"] = self.forget_dead_workers()
        if any(done.values()):
            logger.info("Recovery: %s", ", ".join(f"{k}={v}" for k, v in done.items() if v))
        return done

    # 1
    def close_abandoned_builds(self) -> int:
        closed = 0
        for build in BuildRecord.objects.filter(status=BuildRecord.Status.RUNNING):
            if not self.liveness.is_dead(build.worker, build.started_at):
                continue
            who = build.worker or "?"
            closed += BuildRecord.objects.filter(
                pk=build.pk, status=BuildRecord.Status.RUNNING
            ).update(
                status=BuildRecord.Status.ABANDONED,
                finished_at=self.now,
                errors=(
                    f"Le processus {who} s'est arrêté pendant la construction : le site en ligne "
                    "n'a pas changé, la construction est reprise automatiquement."
                ),
            )
        return closed

    # 2
    def rerun_abandoned_tasks(self) -> int:
        backends = database_backends()
        if not backends:
            return 0  # RQ keeps its own registry of abandoned jobs
        count = 0
        running = DBTaskResult.objects.filter(
            backend_name__in=backends, status=TaskResultStatus.RUNNING
        )
        for result in running:
            worker = result.worker_ids[-1] if result.worker_ids else ""
            if self.liveness.is_dead(worker, result.started_at):
                count += self._close_and_rerun(result, worker)
        return count

    def _close_and_rerun(self, result: DBTaskResult, worker: str) -> int:
        rerun = RERUNNABLE.get(result.task_path)
        try:
            job: Task | None = result.task
        except (ImportError, SuspiciousOperation):  # a task that no longer exists in the code
            job = rerun = None
        error = WorkerStopped(
            f"Worker {worker or '?'} stopped while running this task; "
            + ("it was enqueued again." if rerun else "it is not run again by itself.")
        )
        args = result.args_kwargs.get("args", [])
        kwargs = result.args_kwargs.get("kwargs", {})
        with transaction.atomic():
            closed = DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING
            ).update(
                status=TaskResultStatus.FAILED,
                finished_at=self.now,
                return_value=None,
                exception_class_path=f"{__name__}.{WorkerStopped.__qualname__}",
                traceback=f"{WorkerStopped.__qualname__}: {error}\n",
            )
            if not closed:  # another recovery got there first
                return 0
            if rerun is None or job is None:
                logger.warning("%s: %s", result.task_path, error)
                return 1
            if rerun.before is not None:
                rerun.before(worker, *args, **kwargs)
            job.enqueue(*args, **kwargs)
        logger.info("%s(%s) enqueued again: worker %s stopped", result.task_path, args, worker)
        return 1

    # 3
    def reconcile_content(self) -> int:
        pending = self._pending_page_ids()
        count = 0
        for site in all_sites():
            to_export, to_withdraw = export.pages_behind(site, check_files=True)
            for page_id in to_export:
                if page_id not in pending:
                    export_page_task.enqueue(page_id)
                    count += 1
            for page_id in to_withdraw:
                if page_id not in pending:
                    withdraw_page_task.enqueue(page_id)
                    count += 1
            if not export.site_config_exported(site):
                export_site_config_task.enqueue(site.pk)
                count += 1
        # exports of pages that are under no site's home page any more (a deleted site)
        orphans = ExportRecord.objects.filter(withdrawn=False).exclude(
            site_id__in=[s.pk for s in all_sites()]
        )
        for page_id in orphans.values_list("page_id", flat=True):
            if page_id not in pending:
                withdraw_page_task.enqueue(page_id)
                count += 1
        return count

    def _pending_page_ids(self) -> set[int]:
        """Pages whose export or withdrawal waits in the queue (database queue only)."""
        if not database_queue():
            return set()
        rows = DBTaskResult.objects.filter(
            backend_name=BACKEND,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
            task_path__in=[export_page_task.module_path, withdraw_page_task.module_path],
        ).values_list("args_kwargs", flat=True)
        found = set()
        for data in rows:
            args, kwargs = data.get("args") or [], data.get("kwargs") or {}
            page_id = args[0] if args else kwargs.get("page_id")
            if page_id is not None:
                found.add(int(page_id))
        return found

    # 4
    def resume_builds(self) -> int:
        return sum(self._resume_builds(site) for site in all_sites())

    def _resume_builds(self, site: Site) -> int:
        builds = BuildRecord.objects.filter(site=site)
        if builds.filter(status=BuildRecord.Status.RUNNING).exists():
            return 0  # a live worker builds: it covers what is pending
        state = SiteState.get(site)
        count = 0
        # a build that failed on this content waits for a fix (unless only its deploy to object
        # storage failed: that is tried again); one that succeeded but was not recorded live
        # (killed in between) is done again: it publishes nothing new and announces the items
        failed = (
            builds.filter(
                content_version__gte=state.content_version, status=BuildRecord.Status.FAILED
            )
            .exclude(errors__startswith=DeployError.PREFIX)
            .exists()
        )
        if state.content_version > state.built_version and not failed:
            build_site_task.enqueue(site.pk, "reprise après une interruption")
            count += 1
        if state.built_version and live_tree_lost(site):
            logger.warning(
                "%s: its live site is not in %s: rebuilt whole", site, site_paths(site).output
            )
            count += int(request_full_build(site, "site en ligne introuvable, reconstruction"))
        requested = state.rebuild_requested_at
        grace = dt.timedelta(seconds=self.settings["dead_after"])
        if (
            requested is not None
            and self.now - requested > grace
            and not full_build_started_since(site, requested)
        ):
            enqueue_full_build(
                site.pk, "reconstruction demandée, reprise", requested_at=requested.isoformat()
            )
            count += 1
        return count

    # 5
    def remove_orphan_trees(self) -> int:
        removed = 0
        for site in all_sites():
            paths = site_paths(site)
            store = OutputStore(paths.output, paths.builds)
            removed += len(store.remove_orphans(self.settings["orphan_min_age"]))
        return removed

    # 7
    def forget_dead_workers(self) -> int:
        dead = [w.pk for w in self.liveness.dead()]
        if not dead:
            return 0
        # their build leases first: once forgotten, a holder is judged by the lease's expiry
        BuildLease.objects.filter(holder__in=dead).update(holder="", token="", expires_at=self.now)
        return Worker.objects.filter(pk__in=dead).delete()[0]


def live_tree_lost(site: Site) -> bool:
    """Whether the site, served from its folder (not deployed to object storage), has no live
    tree there: its ``site/`` was lost, or this is a new machine that never had it."""
    if deploy_target(Association.for_site(site)) is not None:
        return False  # readers get the bucket; the local trees are only the builder's
    return not (site_paths(site).output / "index.html").exists()


def recover(now: dt.datetime | None = None) -> dict[str, int]:
    """Run every step of the recovery; returns what each did (-1: it failed, see the log)."""
    return Recovery(now).run()


@task(backend=BACKEND, queue_name="maintenance")
def recover_task() -> dict[str, Any]:
    """The recovery, enqueued by the clock every ``RELAIS_WORKERS["recovery_every"]``."""
    return recover()


# Why each publishing task may run again after its worker died:
rerunnable(
    export_page_task,
    "it writes the page's live version over whatever an earlier run left, and records it; "
    "a page no longer live is withdrawn instead",
)
rerunnable(
    withdraw_page_task,
    "it removes files that may already be gone, and does nothing for a page already withdrawn",
)
rerunnable(export_site_config_task, "it writes site.yaml from the settings as they are now")
rerunnable(
    build_site_task,
    "builds coalesce: one that finds the live site up to date does nothing, and a forced one "
    "already served by a later full build does not start another",
)
rerunnable(
    nightly_build_task,
    "a full build only rewrites the site from content/; nothing goes live twice",
)
rerunnable(
    publish_scheduled_task,
    "Wagtail publishes only the pages whose time has come and that are not live yet",
)
rerunnable(recover_task, "every step of the recovery looks at the state as it is")
