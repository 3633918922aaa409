"""Background tasks of the publishing pipeline, on the ``publishing`` queue of the ``relais``
task backend: export, withdraw, build, and the periodic jobs the worker runs by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.backends.immediate import ImmediateBackend
from wagtail.models import Page

from relais.buildconfig import BuildError
from relais.incremental import SiteBuilder

from . import conf, export
from .builder import all_sites, warm_builder
from .lease import Lease, acquire
from .models import BuildRecord, ContentChange, ExportRecord, SiteRef, SiteState
from .signals import items_live
from .workers import current_worker_id

logger = logging.getLogger(__name__)

REBUILDS = "rebuilds"


@task(backend="relais", queue_name="publishing")
def export_page_task(page_id: int) -> str | None:
    """Export the live version of a page, then build. A page that is no longer live is
    withdrawn instead (it was unpublished between the enqueue and now)."""
    page = Page.objects.filter(pk=page_id).specific().first()
    if page is None or not page.live:
        withdraw_page_task.call(page_id)
        return None
    record = export.export_page(page)
    build_site_task.enqueue(record.site_id, f"publication de « {page.title} »")
    return record.path


@task(backend="relais", queue_name="publishing")
def withdraw_page_task(page_id: int) -> str | None:
    record = export.withdraw_page(page_id)
    if record is None:
        return None
    build_site_task.enqueue(record.site_id, f"retrait de « {record.title} »")
    return record.path


@task(backend="relais", queue_name="publishing")
def export_site_config_task(site_id: int) -> None:
    export.export_site_config(site_id)
    build_site_task.enqueue(site_id, "réglages de l'association")


@task(backend="relais", queue_name="publishing")
def build_site_task(
    site_id: int, trigger: str = "", force: bool = False, requested_at: str | None = None
) -> int | None:
    """Publish the pending changes of a site unless a build since the last one already covers
    them; ``force`` rebuilds the whole site, unless it was requested at ``requested_at`` (ISO
    time) and a full build started since then serves the request."""
    if force and requested_at:
        if full_build_started_since(site_id, dt.datetime.fromisoformat(requested_at)):
            force = False
    if not force and _up_to_date(site_id):
        return None
    # one build per site at a time across all workers: a build that finds the site's lease
    # held waits a little, then goes to the back of the queue, so that the worker takes other
    # tasks meanwhile (a queue that runs tasks at once, in the caller, just waits)
    queued = not isinstance(task_backends[build_site_task.backend], ImmediateBackend)
    lease = acquire(site_id, wait=conf.workers()["build_wait"] if queued else None)
    if lease is None:
        build_site_task.using(queue_name=REBUILDS if force else build_site_task.queue_name).enqueue(
            site_id, trigger, force=force, requested_at=requested_at
        )
        logger.info(
            "Site %s is being built by another worker: build put back in the queue", site_id
        )
        return None
    with lease:
        # the build that held the lease may have published what this one was asked for
        if force and requested_at:
            if full_build_started_since(site_id, dt.datetime.fromisoformat(requested_at)):
                force = False
        if not force and _up_to_date(site_id):
            return None
        return run_build(site_id, trigger, full=force, lease=lease).pk


def _up_to_date(site_id: int) -> bool:
    state = SiteState.get(site_id)
    return (
        state.built_version >= state.content_version
        and BuildRecord.objects.filter(
            site_id=site_id, status=BuildRecord.Status.SUCCEEDED
        ).exists()
    )


def full_build_started_since(site: SiteRef, moment: dt.datetime) -> bool:
    """Whether a full build of the site started reading the content at or after ``moment``
    (one that was interrupted does not count: its request is still to serve)."""
    return (
        BuildRecord.objects.filter(site_id=_id(site), kind="full", started_at__gte=moment)
        .exclude(status=BuildRecord.Status.ABANDONED)
        .exists()
    )


def request_full_build(site: SiteRef, trigger: str) -> bool:
    """Ask for a full rebuild of a site; False when one asked before has not started yet (it
    will serve this request too). So ten requests in a row cost at most two full builds: the
    one that may be running, and one after it."""
    site_id = _id(site)
    with transaction.atomic():
        SiteState.get(site_id)
        state = SiteState.objects.select_for_update().get(site_id=site_id)
        pending = state.rebuild_requested_at
        if pending is not None and not full_build_started_since(site_id, pending):
            return False
        now = timezone.now()
        SiteState.objects.filter(site_id=site_id).update(rebuild_requested_at=now)
        transaction.on_commit(
            lambda: enqueue_full_build(site_id, trigger, requested_at=now.isoformat())
        )
    return True


def run_build(
    site: SiteRef, trigger: str = "", full: bool = False, lease: Lease | None = None
) -> BuildRecord:
    """Publish the content changes of a site recorded since its last build (or everything,
    with ``full``), record the outcome, and announce the items that went live. The record names
    the worker that builds, so that the recovery can close it if that worker dies.

    The build holds the site's build lease (``lease``, or one taken here, waiting as long as
    another build holds it)."""
    site_id = _id(site)
    if lease is None:
        with acquire(site_id, wait=None) as taken:
            return run_build(site_id, trigger, full, lease=taken)
    version = SiteState.get(site_id).content_version
    record = BuildRecord.objects.create(
        site_id=site_id,
        trigger=trigger[:300],
        content_version=version,
        kind="full" if full else "",
        worker=current_worker_id(),
    )
    changes = ContentChange.objects.filter(site_id=site_id, version__lte=version)
    started = time.perf_counter()
    try:
        builder = ready_builder(site_id, lease)
        if full:
            result = builder.full_build()
        else:
            # no recorded change (a forced rebuild, files edited by hand): compare everything
            result = builder.update(list(changes.values_list("path", flat=True)) or None)
    except BuildError as exc:
        record.status = BuildRecord.Status.FAILED
        record.errors = "\n".join(exc.errors)
        logger.error("Site build failed: %s", exc)
    except Exception as exc:
        record.status = BuildRecord.Status.FAILED
        record.errors = f"{type(exc).__name__}: {exc}"
        record.seconds = time.perf_counter() - started
        record.finished_at = timezone.now()
        record.save()
        raise
    else:
        record.status = BuildRecord.Status.SUCCEEDED
        record.kind = result.kind
        record.articles, record.files, record.deleted = (
            result.articles,
            result.written,
            result.deleted,
        )
        record.warnings = "\n".join(result.warnings)
        changes.delete()
    record.seconds = time.perf_counter() - started
    record.finished_at = timezone.now()
    record.save()
    if record.status == BuildRecord.Status.SUCCEEDED:
        _mark_live(record)
    return record


def ready_builder(site_id: int, lease: Lease) -> SiteBuilder:
    """The site's warm builder, made to adopt the live site again if another builder built it
    since (on another worker: its model no longer matches the live site), and named in the
    lease as the last one to build it."""
    builder, name = warm_builder(site_id)
    if lease.previous_builder != name:
        builder.forget()
    lease.mark_builder(name)
    return builder


def _mark_live(build: BuildRecord) -> None:
    now = build.finished_at or timezone.now()
    with transaction.atomic():
        SiteState.objects.filter(
            site_id=build.site_id, built_version__lt=build.content_version
        ).update(built_version=build.content_version)
        pending = list(
            ExportRecord.objects.select_for_update().filter(
                site_id=build.site_id,
                withdrawn=False,
                live_at__isnull=True,
                content_version__lte=build.content_version,
            )
        )
        first_live_ids = []
        for record in pending:
            if record.first_live_at is None:
                first_live_ids.append(record.page_id)
            record.live_at = now
            record.first_live_at = record.first_live_at or now
            record.save(update_fields=["live_at", "first_live_at"])
    if pending:
        page_ids = [r.page_id for r in pending]
        transaction.on_commit(
            lambda: items_live.send(
                sender=BuildRecord, page_ids=page_ids, first_live_ids=first_live_ids, build=build
            )
        )


@task(backend="relais", queue_name="maintenance")
def publish_scheduled_task() -> None:
    """Wagtail's scheduled publishing, run by the worker's clock every minute."""
    call_command("publish_scheduled")


@task(backend="relais", queue_name="maintenance")
def nightly_build_task() -> None:
    """Rebuild every site once a day from scratch: past events leave the "upcoming" lists, and
    files edited by hand in the content folders are picked up. Each site is its own task, so
    that one site's rebuild never holds up another's publications for long."""
    for site in all_sites():
        enqueue_full_build(site.pk, "reconstruction quotidienne")


def enqueue_full_build(site_id: int, trigger: str, requested_at: str | None = None) -> None:
    """A full rebuild of a site, on the queue of rebuilds (see ``RELAIS_QUEUES``): a worker
    of its own takes them, and publications of other sites go on meanwhile."""
    build_site_task.using(queue_name=REBUILDS).enqueue(
        site_id, trigger, force=True, requested_at=requested_at
    )


def _id(site: SiteRef) -> int:
    return site if isinstance(site, int) else site.pk
