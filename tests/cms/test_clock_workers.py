"""One clock per installation, with two real worker processes: only the holder of the lease
runs the periodic jobs; when it is killed, the other one takes over within the lease, without
running again what the dead one ran."""

from __future__ import annotations

import time

from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cms.publishing.clock import lease_holder
from cms.publishing.models import ClockJob, Worker
from cms.publishing.tasks import publish_scheduled_task
from tests.cms.workers import wait_until


def registered(worker) -> str:
    row = Worker.objects.filter(pid=worker.pid).first()
    return row.pk if row else ""


def test_two_workers_run_one_clock_and_the_survivor_takes_over(shared_site, workers):
    first = workers("first")
    first_id = wait_until(lambda: registered(first), 60, "the first worker to start", first.log)
    wait_until(lambda: lease_holder() == first_id, 60, "the first clock to tick", first.log)
    second = workers("second")
    second_id = wait_until(lambda: registered(second), 60, "the second worker", second.log)
    wait_until(
        lambda: "Site model ready" in second.log_path.read_text(),
        60,
        "the second worker to be working",
        second.log,
    )
    time.sleep(2)  # several ticks of both clocks (0.5 s)

    scheduled = DBTaskResult.objects.filter(task_path=publish_scheduled_task.module_path)
    first_run = scheduled.order_by("enqueued_at").first().enqueued_at
    minutes = int((timezone.now() - first_run).total_seconds() // 60)
    assert scheduled.count() == 1 + minutes  # every minute, once: not once per worker
    assert lease_holder() == first_id
    ran = ClockJob.objects.exclude(last_run_at=None)
    assert {"publish_scheduled", "recovery"} <= set(ran.values_list("name", flat=True))
    assert set(ran.values_list("last_run_by", flat=True)) == {first_id}

    first.kill()  # SIGKILL: the lease is not released
    wait_until(lambda: lease_holder() == second_id, 30, "the second clock to take over", second.log)
    wait_until(
        lambda: ClockJob.objects.get(name="recovery").last_run_by == second_id,
        30,
        "the second clock to run the recovery",
        second.log,
    )
    # the survivor's recovery found the first worker dead and forgot it
    wait_until(
        lambda: not Worker.objects.filter(pk=first_id).exists(),
        30,
        "the dead worker to be forgotten",
        second.log,
    )
    # what the dead clock ran is not run again before it is due
    job = ClockJob.objects.get(name="publish_scheduled")
    minutes = int((timezone.now() - first_run).total_seconds() // 60)
    assert scheduled.count() == 1 + minutes
    assert job.last_run_by == (first_id if minutes == 0 else second_id)

    second.stop()  # a clean stop releases the lease and the registration
    assert lease_holder() == ""
    assert not Worker.objects.exists()
