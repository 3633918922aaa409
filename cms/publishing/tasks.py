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
from django_tasks import task
from wagtail.models import Page

from relais.build import BuildError

from . import export
from .builder import all_sites, site_builder
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
    state = SiteState.get(site_id)
    if (
        not force
        and state.built_version >= state.content_version
        and BuildRecord.objects.filter(
            site_id=site_id, status=BuildRecord.Status.SUCCEEDED
        ).exists()
    ):
        return None
    return run_build(site_id, trigger, full=force).pk


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


def run_build(site: SiteRef, trigger: str = "", full: bool = False) -> BuildRecord:
    """Publish the content changes of a site recorded since its last build (or everything,
    with ``full``), record the outcome, and announce the items that went live. The record names
    the worker that builds, so that the recovery can close it if that worker dies."""
    site_id = _id(site)
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
        builder = site_builder(site_id)
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
