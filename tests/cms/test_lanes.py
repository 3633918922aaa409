"""The lane runner: a queue's tasks run concurrently, at most ``limit`` of a lane at once, and a
task whose lane is full never holds up the tasks of other lanes queued behind it."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connections
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks_db.models import DBTaskResult

from cms.publishing.lanes import ConcurrentQueue, LaneRunner

EVENTS: list[tuple[str, str, int]] = []
_lock = threading.Lock()


@task(backend="relais", queue_name="maintenance")
def note(lane: str, n: int, seconds: float) -> None:
    with _lock:
        EVENTS.append(("start", lane, n))
    time.sleep(seconds)
    with _lock:
        EVENTS.append(("end", lane, n))


@pytest.fixture
def database_queue(transactional_db, settings):
    settings.TASKS = {
        **settings.TASKS,
        "relais": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": settings.RELAIS_QUEUES},
    }
    EVENTS.clear()


def run_until_done(runner: LaneRunner, timeout: float = 60) -> None:
    thread = threading.Thread(target=runner.run)
    thread.start()
    deadline = time.monotonic() + timeout
    try:
        while DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists():
            assert time.monotonic() < deadline, list(DBTaskResult.objects.values("status"))
            time.sleep(0.05)
    finally:
        runner.stop()
        thread.join(30)


def test_tasks_behind_a_full_lane_run_first_and_a_lane_runs_one_at_a_time(database_queue):
    for n in range(4):  # first in the queue: four tasks of a slow lane
        note.enqueue("slow", n, 0.4)
    for n in range(3):
        note.enqueue("fast", n, 0.0)
    spec = ConcurrentQueue(
        "maintenance",
        threads=lambda: 4,
        lanes=lambda path, args, kwargs: (f"lane:{args[0]}",),
        limit=lambda lane: 1,
    )
    runner = LaneRunner(spec, "worker-test", interval=0.05)
    # read the queue one task at a time, leaving out one known to wait: the fast tasks are
    # found past the slow ones still in the query
    runner.BATCH, runner.EXCLUDED = 1, 1
    run_until_done(runner)
    slow = [(kind, n) for kind, lane, n in EVENTS if lane == "slow"]
    # one at a time, in the queue's order
    assert slow == [(kind, n) for n in range(4) for kind in ("start", "end")]
    first_slow_end = EVENTS.index(("end", "slow", 0))
    fast_ends = [EVENTS.index(("end", "fast", n)) for n in range(3)]
    assert all(i < first_slow_end for i in fast_ends)  # not held up by the slow lane
    assert {r.worker_ids[-1] for r in DBTaskResult.objects.all()} == {"worker-test"}


def test_a_coalescing_queue_runs_identical_waiting_tasks_once(database_queue):
    for _ in range(3):  # the same work queued three times (three saves of one page)
        note.enqueue("index", 7, 0.0)
    note.enqueue("index", 8, 0.0)  # other arguments: other work
    later = note.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue("index", 7, 0.0)
    spec = ConcurrentQueue(
        "maintenance",
        threads=lambda: 1,
        lanes=lambda *_args: (),
        limit=lambda lane: 1,
        coalesce=True,
    )
    runner = LaneRunner(spec, "worker-test", interval=0.05)
    thread = threading.Thread(target=runner.run)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        ready = DBTaskResult.objects.ready()
        while ready.exists() or DBTaskResult.objects.filter(status="RUNNING").exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        runner.stop()
        thread.join(30)
    assert sorted(n for kind, _lane, n in EVENTS if kind == "start") == [7, 8]  # 7 ran once
    done = DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL)
    assert done.count() == 4  # each of the three has the outcome of the run
    assert all(r.finished_at and r.worker_ids == ["worker-test"] for r in done)
    assert DBTaskResult.objects.get(pk=later.id).status == TaskResultStatus.READY


HELD: list = []


@task(backend="relais", queue_name="maintenance")
def hold(seconds: float) -> None:
    """Use this thread's database connection, and say which one it is."""
    DBTaskResult.objects.exists()
    with _lock:
        HELD.append(connections["default"])
    time.sleep(seconds)


def test_idle_threads_close_their_database_connections(database_queue):
    HELD.clear()
    for _ in range(3):
        hold.enqueue(0.3)  # at once: three threads, three connections
    spec = ConcurrentQueue(
        "maintenance", threads=lambda: 3, lanes=lambda *_args: (), limit=lambda lane: 3
    )
    runner = LaneRunner(spec, "worker-test", interval=0.05)
    runner.IDLE_CLOSE = 0.5
    thread = threading.Thread(target=runner.run)
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert len({id(c) for c in HELD}) == 3
        # kept between tasks while the queue is busy, closed once it has been idle a while
        while any(c.connection is not None for c in HELD):
            assert time.monotonic() < deadline, [c.connection for c in HELD]
            time.sleep(0.05)
        # the threads go on: a later task opens its connection again
        hold.enqueue(0.0)
        while DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists():
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        runner.stop()
        thread.join(30)
    assert len(HELD) == 4
