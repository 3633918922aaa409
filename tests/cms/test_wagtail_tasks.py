"""Wagtail's own tasks (its search index and reference index, updated at every save of a page)
run in the worker, not in the editor's Publish request, when the installation has a queue: a
page published in the admin is found by the admin's search once a real ``relais_worker`` has
run them; a worker killed in the middle of one leaves it to the recovery, which runs it again."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from modelsearch.tasks import insert_or_update_object_task
from wagtail.models import Page
from wagtail.tasks import update_reference_index_task

from cms.publishing.recovery import recover
from cms.publishing.tasks import export_page_task
from tests.cms.factories import make_item
from tests.cms.test_recovery import worker
from tests.cms.workers import WorkerProcess, wait_until
from tests.support import ROOT

TIMEOUT = 90


def wagtail_tasks(**filters):
    return DBTaskResult.objects.filter(backend_name="default", **filters)


@pytest.fixture
def wagtail_queue(settings):
    """Wagtail's tasks queued in the database, as ``cms.settings.base`` sets them up for a
    queue with ``RELAIS_WAGTAIL_TASKS=queue`` (the test settings run them at once)."""
    settings.TASKS = {
        **settings.TASKS,
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": [django_settings.WAGTAIL_TASKS_QUEUE],
        },
    }


def found_by_admin_search(title: str) -> bool:
    return Page.objects.filter(pk__in=[p.pk for p in Page.objects.search(title)]).exists()


def settings_with(**env: str) -> tuple[dict, str, list[str]]:
    show = (
        "import json; from cms.settings import base as b; "
        "print(json.dumps([b.TASKS, b.WAGTAIL_TASKS_QUEUE, sorted(b.RQ_QUEUES)]))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "RELAIS_WAGTAIL_TASKS"}
    done = subprocess.run(
        [sys.executable, "-c", show],
        cwd=ROOT,
        env={**environ, **env},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    tasks, queue, rq_queues = json.loads(done.stdout.splitlines()[-1])
    return tasks, queue, rq_queues


@pytest.mark.parametrize("backend", ["database", "rq", "immediate"])
def test_the_settings_queue_wagtails_tasks_when_asked_and_the_project_has_a_queue(backend):
    tasks, queue, rq_queues = settings_with(
        RELAIS_TASK_BACKEND=backend, RELAIS_WAGTAIL_TASKS="queue"
    )
    if backend == "immediate":  # the tests: Wagtail's tasks run at once, as the project's
        assert tasks["default"]["BACKEND"] == tasks["relais"]["BACKEND"]
        assert "QUEUES" not in tasks["default"]
        return
    assert tasks["default"] == {"BACKEND": tasks["relais"]["BACKEND"], "QUEUES": [queue]}
    assert queue not in tasks["relais"]["QUEUES"] and queue in rq_queues
    # without being asked (make run), they run at once, in the process that saves a page
    tasks, _queue, _rq = settings_with(RELAIS_TASK_BACKEND=backend)
    assert tasks["default"]["BACKEND"] == "django_tasks.backends.immediate.ImmediateBackend"


def test_a_publication_leaves_the_indexes_to_the_worker(
    shared_site, wagtail_queue, tmp_path, settings
):
    item = make_item(shared_site, title="Conférence hydrogène vert", slug="conference-hydrogene")
    # the publication queued its export, and Wagtail's index updates beside it, not done yet
    assert DBTaskResult.objects.filter(task_path=export_page_task.module_path).exists()
    queued = wagtail_tasks(status=TaskResultStatus.READY)
    assert queued.filter(task_path=insert_or_update_object_task.module_path).exists()
    assert queued.filter(task_path=update_reference_index_task.module_path).exists()
    assert not found_by_admin_search("hydrogène")

    worker = WorkerProcess(tmp_path, "indexer", "--no-clock")
    worker.env["RELAIS_WAGTAIL_TASKS"] = "queue"
    worker.start()
    try:
        wait_until(
            lambda: (
                not wagtail_tasks(
                    status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
                ).exists()
            ),
            TIMEOUT,
            "Wagtail's tasks run by the worker",
            worker.log,
        )
        assert "Wagtail's tasks default: 1 tasks at once." in worker.log()
    finally:
        worker.stop()
        worker.close()
    assert not wagtail_tasks().exclude(status=TaskResultStatus.SUCCESSFUL).exists()
    assert found_by_admin_search("hydrogène")
    # the page was saved three times (created, revision, published): its update ran once
    updates = wagtail_tasks(task_path=insert_or_update_object_task.module_path)
    assert updates.count() == 3
    path = insert_or_update_object_task.module_path
    assert worker.log().count(f"path={path} state=SUCCESSFUL") == 1
    ran = wagtail_tasks(status=TaskResultStatus.SUCCESSFUL, args_kwargs__args__2=str(item.pk))
    assert {r.task_path for r in ran} >= {
        insert_or_update_object_task.module_path,
        update_reference_index_task.module_path,
    }


def test_an_index_update_left_running_by_a_dead_worker_is_run_again(site_tree, wagtail_queue):
    item = make_item(site_tree, title="Forum des métiers", slug="forum-des-metiers")
    update = wagtail_tasks(
        status=TaskResultStatus.READY, task_path=insert_or_update_object_task.module_path
    ).first()
    assert update is not None
    update.claim(worker("dead", silent=True).pk)
    same = wagtail_tasks(
        status=TaskResultStatus.READY,
        task_path=insert_or_update_object_task.module_path,
        args_kwargs=update.args_kwargs,
    )
    waiting = set(same.values_list("pk", flat=True))  # each save of the page queued one
    assert recover()["rerun_abandoned_tasks"] == 1
    update.refresh_from_db()
    assert update.status == TaskResultStatus.FAILED
    assert "Worker dead stopped" in update.traceback
    assert len(set(same.values_list("pk", flat=True)) - waiting) == 1  # enqueued again
    assert not found_by_admin_search("métiers")  # a queue: nothing runs in this process
    assert item.live
