"""The queue's history is pruned each night: finished tasks older than the history kept go,
recent ones, waiting ones and running ones stay (``cms.publishing.history``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from cms.publishing.clock import default_jobs, nightly
from cms.publishing.history import prune_task_history
from cms.publishing.tasks import publish_scheduled_task

DAY = dt.timedelta(days=1)


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.RELAIS_QUEUES},
    }


def queued(status: str, finished_days_ago: float | None) -> str:
    result = DBTaskResult.objects.get(pk=publish_scheduled_task.enqueue().id)
    finished = None if finished_days_ago is None else timezone.now() - finished_days_ago * DAY
    DBTaskResult.objects.filter(pk=result.pk).update(status=status, finished_at=finished)
    return str(result.pk)


def test_finished_tasks_older_than_the_history_are_deleted(db, database_queue, settings):
    old_done = queued(TaskResultStatus.SUCCESSFUL, 31)
    old_failed = queued(TaskResultStatus.FAILED, 45)
    recent_done = queued(TaskResultStatus.SUCCESSFUL, 29)
    recent_failed = queued(TaskResultStatus.FAILED, 1)
    waiting = queued(TaskResultStatus.READY, None)
    running = queued(TaskResultStatus.RUNNING, None)

    assert prune_task_history() == 2
    left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert left == {recent_done, recent_failed, waiting, running}
    assert not {old_done, old_failed} & left
    assert prune_task_history() == 0  # twice is harmless

    settings.RELAIS_WORKERS = {"task_history_days": 7}
    assert prune_task_history() == 1  # the task finished 29 days ago
    settings.RELAIS_WORKERS = {"task_history_days": 0}  # keep them all
    queued(TaskResultStatus.SUCCESSFUL, 400)
    assert prune_task_history() == 0


def test_with_the_immediate_backend_there_is_no_history_to_prune(db):
    publish_scheduled_task.enqueue()  # runs at once, nothing is stored
    assert prune_task_history() == 0


def test_the_clock_prunes_each_night():
    job = next(j for j in default_jobs() if j.name == "task_history")
    assert job.due is nightly
