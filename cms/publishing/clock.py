"""The worker's clock: the periodic jobs Relais runs by itself, so nobody has to set up cron.

Every minute it enqueues Wagtail's scheduled publishing, once a night a full rebuild (past events
leave the "upcoming" lists), every hour the purge of ended rate-limit windows. Other apps add
their jobs to :data:`JOBS` with :func:`register` in their ``AppConfig.ready`` (syndication
resumes forgotten deliveries, statistics pull metrics).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections
from django.utils import timezone

from cms.core.tasks import purge_rate_counters

logger = logging.getLogger(__name__)


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
    from .tasks import nightly_build_task, publish_scheduled_task

    return [
        Job("publish_scheduled", every_minute, publish_scheduled_task.enqueue),
        Job("nightly_build", nightly, nightly_build_task.enqueue),
        Job("purge_rate_counters", every(3600), purge_rate_counters.enqueue),
        *JOBS,
    ]


class Clock(threading.Thread):
    def __init__(self, jobs: list[Job] | None = None, tick: float = 5.0):
        super().__init__(name="relais-clock", daemon=True)
        self.jobs = jobs if jobs is not None else default_jobs()
        self.tick = tick
        self.last: dict[str, dt.datetime] = {}
        self.stopped = threading.Event()

    def run_once(self, now: dt.datetime | None = None) -> list[str]:
        now = now or timezone.now()
        ran = []
        for job in self.jobs:
            if job.due(now, self.last.get(job.name)):
                try:
                    job.enqueue()
                    ran.append(job.name)
                except Exception:
                    logger.exception("Could not enqueue %s", job.name)
                self.last[job.name] = now
        return ran

    def run(self) -> None:
        while not self.stopped.is_set():
            close_old_connections()
            self.run_once()
            self.stopped.wait(self.tick)

    def stop(self) -> None:
        self.stopped.set()
