"""Running one queue's tasks concurrently inside a worker, in lanes, so that a slow task only
holds up the tasks of its own lanes.

An app declares a queue concurrent with :func:`run_concurrently`: how many threads the worker
gives it, and which **lanes** each of its tasks runs in (for a post: its network and its
account), with how many tasks of a lane may run at once. ``manage.py relais_worker`` then
drains that queue with a :class:`LaneRunner` (a pool of threads) instead of ``db_worker``'s one
task at a time; the other queues stay with ``db_worker``.

The runner starts the oldest ready tasks whose lanes all have room, as many as threads are
free, chosen in one read of the queue and claimed together; a task whose lanes are full stays
**in the queue** (not claimed), where another worker may take it. Claiming is the database
queue's own (``SELECT ... FOR UPDATE SKIP LOCKED`` and the task's ``claim``, exclusive
transaction on SQLite), and a task is run by ``db_worker``'s own code, so a claimed task names
this worker: when it dies, the recovery runs the task again (:mod:`cms.publishing.recovery`).
Each thread of the pool keeps its database connection from one task to the next
(:func:`keep_connections`). The lanes are this worker's schedule only: what several
workers could race on (a ledger entry, a rate budget) is guarded in the database by whoever
owns it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, connections
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DBWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

logger = logging.getLogger(__name__)

#: ``lanes(task_path, args, kwargs)``: the lanes of one queued task (empty: no lane).
LanesOf = Callable[[str, list[Any], dict[str, Any]], Sequence[str]]


@dataclass(frozen=True)
class ConcurrentQueue:
    queue: str
    #: How many tasks of the queue run at once in one worker (read when the worker starts).
    threads: Callable[[], int]
    lanes: LanesOf
    #: How many tasks of a lane may run at once in one worker.
    limit: Callable[[str], int]
    #: Identical tasks waiting when one starts are done by that one (see :meth:`LaneRunner._run`).
    coalesce: bool = False


CONCURRENT: dict[str, ConcurrentQueue] = {}


def run_concurrently(
    queue: str, *, threads: Callable[[], int], lanes: LanesOf, limit: Callable[[str], int]
) -> None:
    """Declare that the tasks of ``queue`` may run concurrently in a worker, in lanes."""
    CONCURRENT[queue] = ConcurrentQueue(queue, threads, lanes, limit)


def concurrent_queues(queues: Sequence[str]) -> list[ConcurrentQueue]:
    """The queues among ``queues`` that a worker runs with a :class:`LaneRunner` (more than
    one thread)."""
    return [CONCURRENT[q] for q in queues if q in CONCURRENT and CONCURRENT[q].threads() > 1]


def keep_connections() -> None:
    """Keep this thread's database connections for its next task, as a request thread keeps
    a persistent connection, unless they are unusable or left inside a transaction. With
    ``CONN_MAX_AGE`` 0 (SQLite's setting) Django would close them after every task: opening one
    again, with its pragmas, cost more than the queries of a post."""
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.settings_dict["CONN_MAX_AGE"] != 0:
            conn.close_if_unusable_or_obsolete()
        elif conn.in_atomic_block or conn.get_autocommit() != conn.settings_dict["AUTOCOMMIT"]:
            conn.close()
        elif conn.errors_occurred:
            if conn.is_usable():
                conn.errors_occurred = False
            else:
                conn.close()


class LaneRunner:
    """Drains one queue of the database backend ``backend`` with ``spec.threads()`` threads.

    :meth:`run` loops until :meth:`stop`; then it waits for the tasks it started (each one
    bounded by its own timeouts) and returns. ``interval`` is the wait between polls of a queue
    with nothing to start.

    The threads keep their database connections from one task to the next while the queue is
    busy; once nothing has run for ``IDLE_CLOSE`` seconds they close them (on PostgreSQL a
    worker would otherwise hold one connection per thread that ever posted, ``concurrency`` at
    the defaults, for good: two idle workers could fill a server's ``max_connections``)."""

    #: Seconds without a task before the threads close their database connections.
    IDLE_CLOSE = 30.0

    #: How many ready tasks are read at once, and at most per look for one whose lanes have
    #: room; how many known to wait are left out of the query.
    BATCH = 200
    SCAN = 5000
    EXCLUDED = 500

    def __init__(
        self,
        spec: ConcurrentQueue,
        worker_id: str,
        *,
        backend: str = "relais",
        interval: float = 0.5,
    ):
        self.spec = spec
        self.worker_id = worker_id
        self.backend = backend
        self.interval = interval
        self.threads = max(1, spec.threads())
        self.busy: Counter[str] = Counter()
        self.running = 0
        self.changed = threading.Condition()
        self.stopped = threading.Event()
        self._lanes: dict[str, tuple[str, ...]] = {}
        self._pool_threads: set[int] = set()  # every thread of the pool
        self._holding = False  # whether threads may hold connections (a task ran since)
        self._limits: dict[str, int] = {}
        # db_worker's own way of running a task and recording its result
        self._db_worker = DBWorker(
            queue_names=[spec.queue],
            interval=interval,
            batch=False,
            backend_name=backend,
            startup_delay=False,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )

    def stop(self) -> None:
        self.stopped.set()
        with self.changed:
            self.changed.notify_all()

    def run(self) -> None:
        logger.info(
            "Worker %s runs queue %s with %d threads", self.worker_id, self.spec.queue, self.threads
        )
        idle_since = time.monotonic()
        with ThreadPoolExecutor(
            self.threads,
            thread_name_prefix=f"relais-{self.spec.queue}",
            initializer=self._thread_started,
        ) as pool:
            while not self.stopped.is_set():
                try:
                    started = self.fill(pool)
                except Exception:  # the database is busy or gone: try again after a pause
                    logger.exception("Queue %s: could not read the tasks", self.spec.queue)
                    started = 0
                keep_connections()
                with self.changed:
                    busy = bool(started or self.running)
                    if not started and not self.stopped.is_set():
                        self.changed.wait(self.interval)
                now = time.monotonic()
                if busy:
                    idle_since = now
                elif self._holding and now - idle_since >= self.IDLE_CLOSE:
                    self._close_connections(pool)  # this thread keeps its own: it polls
            self._close_connections(pool)
        connections.close_all()

    def _thread_started(self) -> None:
        with self.changed:
            self._pool_threads.add(threading.get_ident())

    def _close_connections(self, pool: ThreadPoolExecutor) -> None:
        """Each thread of the pool closes its connections once the tasks started are done: one
        job per thread, held at a barrier until each thread has taken one."""
        with self.changed:
            count = len(self._pool_threads)
            self._holding = False
        if not count:
            return
        barrier = threading.Barrier(count)

        def close() -> None:
            connections.close_all()
            try:
                barrier.wait(timeout=30)
            except threading.BrokenBarrierError:
                pass

        for _ in range(count):
            pool.submit(close)

    # -- scheduling -------------------------------------------------------------------------------

    def _limit(self, lane: str) -> int:
        if lane not in self._limits:
            self._limits[lane] = max(1, self.spec.limit(lane))
        return self._limits[lane]

    def _free_threads(self) -> int:
        with self.changed:
            return self.threads - self.running

    def fill(self, pool: ThreadPoolExecutor) -> int:
        """Start ready tasks whose lanes have room while threads are free; how many started.

        The tasks to start are chosen in one read of the queue and claimed together, in one
        transaction: the queue is read and its write lock taken once per fill, not once per
        task (with many short tasks, claiming them one by one kept the threads waiting)."""
        free = self._free_threads()
        if free <= 0 or self.stopped.is_set():
            return 0
        picked = self._pick(free)
        if not picked:
            return 0
        claimed = self._claim([pk for pk, _lanes in picked])
        started = 0
        for pk, lanes in picked:
            result = claimed.get(pk)
            if result is None:  # taken by another worker meanwhile
                continue
            self._lanes.pop(str(pk), None)
            with self.changed:
                self.running += 1
                self.busy.update(lanes)
            pool.submit(self._run, result, lanes)
            started += 1
        return started

    def _lanes_of(self, pk: str, task_path: str, args_kwargs: dict[str, Any]) -> tuple[str, ...]:
        if pk not in self._lanes:
            args, kwargs = args_kwargs.get("args", []), args_kwargs.get("kwargs", {})
            try:
                self._lanes[pk] = tuple(self.spec.lanes(task_path, args, kwargs))
            except Exception:  # a task the lanes cannot place still runs, in no lane
                logger.exception("Queue %s: no lanes for task %s", self.spec.queue, pk)
                self._lanes[pk] = ()
        return self._lanes[pk]

    def _ready(self):
        return DBTaskResult.objects.ready().filter(
            backend_name=self.backend, queue_name=self.spec.queue
        )

    def _pick(self, free: int) -> list[tuple[Any, tuple[str, ...]]]:
        """Up to ``free`` of the oldest ready tasks whose lanes have room, counting the tasks
        picked before them. Tasks known to wait for a full lane are left out of the query (up
        to ``EXCLUDED``: a query has a bounded number of parameters), the others are read
        ``BATCH`` at a time, at most ``SCAN`` per call; a task's arguments are read only the
        first time it is seen (its lanes are kept)."""
        with self.changed:
            busy = Counter(self.busy)
        if len(self._lanes) > 50_000:  # tasks long gone
            self._lanes.clear()
        full = [pk for pk, lanes in self._lanes.items() if not self._room(busy, lanes)]
        # lanes full now stay closed for this look, even if one frees meanwhile: a younger
        # task of the lane must not pass the older ones left out of the query
        closed = {
            lane for pk in full for lane in self._lanes[pk] if busy[lane] >= self._limit(lane)
        }
        picked: list[tuple[Any, tuple[str, ...]]] = []
        ready = self._ready().exclude(pk__in=full[: self.EXCLUDED])
        for offset in range(0, self.SCAN, self.BATCH):
            rows = list(ready.values_list("pk", "task_path")[offset : offset + self.BATCH])
            unknown = [pk for pk, _path in rows if str(pk) not in self._lanes]
            if unknown:
                arguments = dict(
                    DBTaskResult.objects.filter(pk__in=unknown).values_list("pk", "args_kwargs")
                )
                for pk, task_path in rows:
                    if pk in arguments:
                        self._lanes_of(str(pk), task_path, arguments[pk] or {})
            for pk, _task_path in rows:
                if str(pk) not in self._lanes:  # gone from the queue between the two reads
                    continue
                lanes = self._lanes[str(pk)]
                if closed.intersection(lanes) or not self._room(busy, lanes):
                    closed.update(lane for lane in lanes if busy[lane] >= self._limit(lane))
                    continue
                picked.append((pk, lanes))
                busy.update(lanes)
                if len(picked) >= free:
                    return picked
            if len(rows) < self.BATCH:
                break
        return picked

    def _room(self, busy: Counter[str], lanes: Sequence[str]) -> bool:
        return all(busy[lane] < self._limit(lane) for lane in lanes)

    def _claim(self, pks: list[Any]) -> dict[Any, DBTaskResult]:
        """Claim for this worker those of ``pks`` still ready, in one transaction (rows locked
        by another worker are skipped, as ``db_worker`` does)."""
        ready = self._ready().filter(pk__in=pks)
        try:
            with exclusive_transaction(ready.db):
                results = list(ready.select_for_update(skip_locked=True))
                for result in results:
                    result.claim(self.worker_id)
        except OperationalError as exc:
            logger.warning("Queue %s: tasks not claimed (%s)", self.spec.queue, exc)
            return {}
        return {result.pk: result for result in results}

    # -- in a thread of the pool ----------------------------------------------------------------

    def _claim_twins(self, result: DBTaskResult) -> list[Any]:
        twins = (
            self._ready()
            .filter(task_path=result.task_path, args_kwargs=result.args_kwargs)
            .exclude(pk=result.pk)
        )
        try:
            with exclusive_transaction(twins.db):
                found = list(twins.select_for_update(skip_locked=True))
                for twin in found:
                    twin.claim(self.worker_id)
        except OperationalError as exc:  # they will run on their own
            logger.warning("Queue %s: identical tasks not claimed (%s)", self.spec.queue, exc)
            return []
        return [twin.pk for twin in found]

    def _finish_twins(self, result: DBTaskResult, twins: list[Any]) -> None:
        result.refresh_from_db()
        DBTaskResult.objects.filter(pk__in=twins, status=TaskResultStatus.RUNNING).update(
            status=result.status,
            started_at=result.started_at,
            finished_at=result.finished_at,
            return_value=result.return_value,
            exception_class_path=result.exception_class_path,
            traceback=result.traceback,
        )

    def _run(self, result: DBTaskResult, lanes: tuple[str, ...]) -> None:
        """Run one claimed task. In a queue that coalesces, the identical tasks waiting (same
        task, same arguments) are claimed with it and given its outcome: each was queued after
        what it is about was written (committed with it, or after it), so the run that starts
        now reads what every one of them would have read (Wagtail queues the same index update
        at each of the three saves of a new page). A worker that dies meanwhile leaves them
        running, like the task itself, for the recovery."""
        with self.changed:
            self._holding = True
        try:
            twins = self._claim_twins(result) if self.spec.coalesce else []
            self._db_worker.run_task(result)
            if twins:
                self._finish_twins(result, twins)
        except BaseException:  # run_task records the task's own errors; this is ours
            logger.exception("Queue %s: task %s could not be run", self.spec.queue, result.pk)
        finally:
            keep_connections()  # for this thread's next task, unless unusable
            with self.changed:
                self.running -= 1
                self.busy.subtract(lanes)
                self.changed.notify_all()
