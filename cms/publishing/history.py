"""The queue's history: the database queue keeps a row for every task it ran (its result, or
the error that stopped it), which the admin's health page and the recovery read while they are
recent. Nothing else removes them, and every publication adds some (an export, a build, its
posts, Wagtail's index updates): the clock's job ``task_history`` deletes each night the
finished rows older than ``RELAIS_WORKERS["task_history_days"]`` (failed ones are kept as long,
not longer). Tasks waiting or running are never touched. RQ keeps its own results for a time of
its own (``result_ttl``)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from . import conf
from .recovery import BACKEND, database_backends

logger = logging.getLogger(__name__)

FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


def prune_task_history(now: dt.datetime | None = None) -> int:
    """Delete the finished tasks of the database queues older than the history kept; how
    many were deleted."""
    days = float(conf.workers()["task_history_days"])
    backends = database_backends()
    if days <= 0 or not backends:
        return 0
    before = (now or timezone.now()) - dt.timedelta(days=days)
    deleted, _per_model = DBTaskResult.objects.filter(
        backend_name__in=backends, status__in=FINISHED, finished_at__lt=before
    ).delete()
    if deleted:
        logger.info("Task history: %d finished task(s) older than %g days deleted", deleted, days)
    return deleted


@task(backend=BACKEND, queue_name="maintenance")
def prune_task_history_task() -> int:
    return prune_task_history()
