"""The worker's clock: the periodic jobs Relais runs by itself, so nobody has to set up cron.

Every minute it enqueues Wagtail's scheduled publishing, once a night a full rebuild (past events
leave the "upcoming" lists) and the pruning of the queue's history
(:mod:`cms.publishing.history`), every hour the purge of ended rate-limit windows, every few
minutes the recovery (:mod:`cms.publishing.recovery`).
Other apps add their jobs to :data:`JOBS` with :func:`register` in their ``AppConfig.ready``
(syndication resumes forgotten deliveries, statistics pull metrics, sign-ups are purged).

One clock per installation, however many workers run one: at each tick a clock must hold the
:class:`~.models.ClockLease` to do anything. Taking it is one ``UPDATE … WHERE holder = me OR
expires_at < now`` (or the ``INSERT`` of the first row), so two clocks never both hold it; the
holder renews it at every tick and releases it when it stops; when the holder dies, another
clock takes it once it has expired. When each job last ran is a :class:`~.models.ClockJob` row,
moved forward by a compare-and-set in the same transaction as the enqueue: a clock that takes
over knows what already ran (the nightly build is not run again at 03:05), and a job is
enqueued once per due time even if two clocks overlapped.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from cms.core.tasks import purge_rate_counters

from . import conf
from .history import prune_task_history_task
from .models import ClockJob, ClockLease
from .recovery import recover_task
from .tasks import nightly_build_task, publish_scheduled_task

logger = logging.getLogger(__name__)

LEASE = "clock"


@dataclass
class Job:
    name: str
    due: Callable[[dt.datetime, dt.datetime | None], bool]  # (now, last run) -> run now?
    enqueue: Callable[[], object]


def every(seconds: float) -> Callable[[dt.datetime, dt.datetime | None], bool]:
    """Due when ``seconds`` have passed since the last run (and at the first tick)."""

    def due(now: dt.datetime, last: dt.datetime | None) -> bool:
        return last is None or (now - last).total_seconds() >= seconds

    return due


every_minute = every(60)


def nightly(now: dt.datetime, last: dt.datetime | None) -> bool:
    local = timezone.localtime(now)
    return local.hour == 3 and (last is None or (now - last).total_seconds() > 3600)


class JobRegistry(list[Job]):
    def register(self, job: Job) -> Job:
        """Add ``job`` to every worker's clock (replacing a job of the same name)."""
        self[:] = [j for j in self if j.name != job.name]
        self.append(job)
        return job


JOBS = JobRegistry()
register = JOBS.register


def default_jobs() -> list[Job]:
    jobs = [
        Job("publish_scheduled", every_minute, publish_scheduled_task.enqueue),
        Job("nightly_build", nightly, nightly_build_task.enqueue),
        Job("purge_rate_counters", every(3600), purge_rate_counters.enqueue),
        Job("task_history", nightly, prune_task_history_task.enqueue),
    ]
    recovery_every = conf.workers()["recovery_every"]
    if recovery_every:
        jobs.append(Job("recovery", every(recovery_every), recover_task.enqueue))
    return [*jobs, *JOBS]


# -- the lease ------------------------------------------------------------------------------------


def take_lease(holder: str, now: dt.datetime, seconds: float) -> bool:
    """Take or renew the clock's lease for ``holder``; False while another holds it."""
    expires = now + dt.timedelta(seconds=seconds)
    free_or_mine = Q(holder=holder) | Q(holder="") | Q(expires_at__lt=now)
    if ClockLease.objects.filter(free_or_mine, name=LEASE).update(
        holder=holder, expires_at=expires
    ):
        return True
    if ClockLease.objects.filter(name=LEASE).exists():
        return False
    try:
        with transaction.atomic():
            ClockLease.objects.create(name=LEASE, holder=holder, expires_at=expires)
    except IntegrityError:  # another clock created it first
        return False
    return True


def release_lease(holder: str) -> None:
    ClockLease.objects.filter(name=LEASE, holder=holder).update(
        holder="", expires_at=timezone.now()
    )


def lease_holder(now: dt.datetime | None = None) -> str:
    """The worker whose clock runs the jobs now ("" when none does)."""
    lease = ClockLease.objects.filter(name=LEASE).first()
    if lease is None or lease.expires_at < (now or timezone.now()):
        return ""
    return lease.holder


# -- the clock ------------------------------------------------------------------------------------


class Clock(threading.Thread):
    """Runs the jobs that are due while ``holder`` holds the lease (``holder``: the worker's
    id, see :mod:`cms.publishing.workers`)."""

    def __init__(
        self,
        holder: str,
        jobs: list[Job] | None = None,
        tick: float | None = None,
        lease: float | None = None,
    ):
        super().__init__(name="relais-clock", daemon=True)
        c = conf.workers()
        self.holder = holder
        self.jobs = jobs if jobs is not None else default_jobs()
        self.tick = tick if tick is not None else c["clock_tick"]
        self.lease = lease if lease is not None else c["clock_lease"]
        self.stopped = threading.Event()

    def run_once(self, now: dt.datetime | None = None) -> list[str]:
        """Renew the lease, then enqueue the jobs that are due; returns their names."""
        now = now or timezone.now()
        if not take_lease(self.holder, now, self.lease):
            return []
        ran = []
        for job in self.jobs:
            try:
                if self._run_if_due(job, now):
                    ran.append(job.name)
            except Exception:  # the next tick tries again
                logger.exception("Could not enqueue %s", job.name)
        return ran

    def _run_if_due(self, job: Job, now: dt.datetime) -> bool:
        row, _created = ClockJob.objects.get_or_create(name=job.name)
        if not job.due(now, row.last_run_at):
            return False
        with transaction.atomic():
            claimed = ClockJob.objects.filter(name=job.name, last_run_at=row.last_run_at).update(
                last_run_at=now, last_run_by=self.holder
            )
            if not claimed:  # another clock ran it meanwhile
                return False
            job.enqueue()  # with the database queue, in the same transaction as the claim
        return True

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                close_old_connections()
                try:
                    self.run_once()
                except Exception:  # a locked database: the next tick tries again
                    logger.exception("Clock tick failed")
                self.stopped.wait(self.tick)
        finally:
            try:
                release_lease(self.holder)
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive() and self is not threading.current_thread():
            self.join(self.tick + 10)
