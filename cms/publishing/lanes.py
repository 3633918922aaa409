"""Running one queue's tasks concurrently inside a worker, in lanes, so that a slow task only
holds up the tasks of its own lanes.

An app declares a queue concurrent with :func:`run_concurrently`: how many threads the worker
gives it, and which **lanes** each of its tasks runs in (for a post: its network and its
account), with how many tasks of a lane may run at once. ``manage.py relais_worker`` then
drains that queue with a :class:`LaneRunner` (a pool of threads) instead of ``db_worker``'s one
task at a time; the other queues stay with ``db_worker``.

The runner starts the oldest ready task whose lanes all have room, while a thread is free; a
task whose lanes are full stays **in the queue** (not claimed), where another worker may take
it. Claiming is the database queue's own (``SELECT ... FOR UPDATE SKIP LOCKED`` and the task's
``claim``, exclusive transaction on SQLite), and a task is run by ``db_worker``'s own code, so a
claimed task names this worker: when it dies, the recovery runs the task again
(:mod:`cms.publishing.recovery`). The lanes are this worker's schedule only: what several
workers could race on (a ledger entry, a rate budget) is guarded in the database by whoever
owns it.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import OperationalError, close_old_connections, connections
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


class LaneRunner:
    """Drains one queue of the database backend ``backend`` with ``spec.threads()`` threads.

    :meth:`run` loops until :meth:`stop`; then it waits for the tasks it started (each one
    bounded by its own timeouts) and returns. ``interval`` is the wait between polls of a queue
    with nothing to start."""

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
        with ThreadPoolExecutor(
            self.threads, thread_name_prefix=f"relais-{self.spec.queue}"
        ) as pool:
            while not self.stopped.is_set():
                close_old_connections()
                try:
                    started = self.fill(pool)
                except Exception:  # the database is busy or gone: try again after a pause
                    logger.exception("Queue %s: could not read the tasks", self.spec.queue)
                    started = 0
                close_old_connections()
                with self.changed:
                    if not started and not self.stopped.is_set():
                        self.changed.wait(self.interval)
        close_old_connections()

    # -- scheduling -------------------------------------------------------------------------------

    def _limit(self, lane: str) -> int:
        if lane not in self._limits:
            self._limits[lane] = max(1, self.spec.limit(lane))
        return self._limits[lane]

    def _has_room(self, lanes: Sequence[str]) -> bool:
        return all(self.busy[lane] < self._limit(lane) for lane in lanes)

    def _free_threads(self) -> int:
        with self.changed:
            return self.threads - self.running

    def fill(self, pool: ThreadPoolExecutor) -> int:
        """Start ready tasks whose lanes have room while threads are free; how many started."""
        started = 0
        while self._free_threads() > 0 and not self.stopped.is_set():
            found = self._next()
            if found is None:
                break
            result, lanes = found
            with self.changed:
                self.running += 1
                self.busy.update(lanes)
            pool.submit(self._run, result, lanes)
            started += 1
        return started

    def _lanes_of(self, pk: str, task_path: str, args_kwargs: dict[str, Any]) -> tuple[str, ...]:
        if pk not in self._lanes:
            if len(self._lanes) > 50_000:  # tasks long gone
                self._lanes.clear()
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

    def _next(self) -> tuple[DBTaskResult, tuple[str, ...]] | None:
        """The oldest ready task whose lanes have room, claimed for this worker. Tasks known to
        wait for a full lane are left out of the query (up to ``EXCLUDED``: a query has a
        bounded number of parameters), the others are read ``BATCH`` at a time, at most
        ``SCAN`` per call."""
        with self.changed:
            full = [pk for pk, lanes in self._lanes.items() if not self._has_room(lanes)]
            # lanes full now stay closed for this look, even if one frees meanwhile: a younger
            # task of the lane must not pass the older ones left out of the query
            closed = {
                lane
                for pk in full
                for lane in self._lanes[pk]
                if self.busy[lane] >= self._limit(lane)
            }
        ready = self._ready().exclude(pk__in=full[: self.EXCLUDED])
        for offset in range(0, self.SCAN, self.BATCH):
            candidates = list(
                ready.values_list("pk", "task_path", "args_kwargs")[offset : offset + self.BATCH]
            )
            for pk, task_path, args_kwargs in candidates:
                key = str(pk)
                lanes = self._lanes_of(key, task_path, args_kwargs or {})
                with self.changed:
                    if closed.intersection(lanes) or not self._has_room(lanes):
                        closed.update(lane for lane in lanes if not self._has_room([lane]))
                        continue
                result = self._claim(pk)
                if result is not None:
                    self._lanes.pop(key, None)
                    return result, lanes
            if len(candidates) < self.BATCH:
                break
        return None

    def _claim(self, pk: Any) -> DBTaskResult | None:
        ready = self._ready().filter(pk=pk)
        try:
            with exclusive_transaction(ready.db):
                result = ready.get_locked()
                if result is not None:
                    result.claim(self.worker_id)
        except OperationalError as exc:
            logger.warning("Queue %s: task %s not claimed (%s)", self.spec.queue, pk, exc)
            return None
        return result

    # -- in a thread of the pool ----------------------------------------------------------------

    def _run(self, result: DBTaskResult, lanes: tuple[str, ...]) -> None:
        try:
            close_old_connections()
            self._db_worker.run_task(result)
        except BaseException:  # run_task records the task's own errors; this is ours
            logger.exception("Queue %s: task %s could not be run", self.spec.queue, result.pk)
        finally:
            connections.close_all()  # this thread's connection: not left to the pool's next task
            with self.changed:
                self.running -= 1
                self.busy.subtract(lanes)
                self.changed.notify_all()
