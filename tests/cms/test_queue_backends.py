"""The opt-in queue backend: Redis through django-tasks-rq, run by an RQ worker."""

from __future__ import annotations

import os

import pytest

from tests.cms.factories import make_item

pytestmark = pytest.mark.redis


@pytest.fixture
def rq_backend(settings):
    import django_rq

    url = os.environ["RELAIS_TEST_REDIS_URL"]
    settings.RQ_QUEUES = {
        name: {"URL": url, "DEFAULT_TIMEOUT": 600} for name in settings.RELAIS_QUEUES
    }
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.RELAIS_QUEUES},
    }
    connection = django_rq.get_connection("publishing")
    connection.flushdb()
    yield django_rq
    connection.flushdb()


def test_publish_through_redis_queue(
    rq_backend, site_tree, site_output, content_dir, django_capture_on_commit_callbacks
):
    from rq import SimpleWorker

    with django_capture_on_commit_callbacks(execute=True):
        make_item(site_tree)
    queue = rq_backend.get_queue("publishing")
    assert queue.count == 1  # the export waits in Redis
    assert not (content_dir / "actualites" / "nomination-lea-martin.md").exists()
    worker = rq_backend.get_worker(
        "publishing",
        "maintenance",
        worker_class=SimpleWorker,
        job_class="django_tasks_rq.backend.Job",
    )
    worker.work(burst=True)  # runs the export, which queues the build, which runs too
    assert (content_dir / "actualites" / "nomination-lea-martin.md").exists()
    assert (site_output / "actualites" / "nomination-lea-martin" / "index.html").exists()
    assert queue.count == 0
