"""Which worker processes are alive: each one registers itself and keeps a heartbeat.

``manage.py relais_worker`` runs inside :func:`registered`: a :class:`~.models.Worker` row
(id, host, process id, start) is written when it starts, its heartbeat is written every few
seconds by a thread, and the row is removed when it stops cleanly. The same id is given to
``db_worker`` (``--worker-id``), so every task it claims names it, and to each build it runs.

A worker is dead when (:class:`Liveness`):

- its heartbeat is older than ``RELAIS_WORKERS["dead_after"]`` (it was killed, its machine
  stopped, or it lost the database), or
- it ran on this machine and its process is gone (a worker killed and restarted at once is
  found dead by its successor without waiting).

A process that never registered (``manage.py build_site``, a ``db_worker`` started by hand, an RQ
worker) cannot be judged: what it left running counts as abandoned only after
``unregistered_timeout``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

from django.db import close_old_connections
from django.utils import timezone

from . import conf
from .models import Worker

logger = logging.getLogger(__name__)

HOST = socket.gethostname()
_current = ""


def current_worker_id() -> str:
    """The id of this process's registration ("" outside a registered worker)."""
    return _current


def new_worker_id() -> str:
    """Unique across the pool, readable, and short enough for ``db_worker`` (64 characters)."""
    return f"{HOST[:40]}-{os.getpid()}-{secrets.token_hex(4)}"


def _read(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return ""


def machine_id() -> str:
    """What tells this machine apart: host name, boot, and process namespace (two containers
    of one host do not see each other's processes)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    key = f"{HOST}|{_read('/proc/sys/kernel/random/boot_id')}|{namespace}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    # a killed process not yet reaped by its parent is a zombie: it runs nothing
    state = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()[:1]
    return state != ["Z"]


class Liveness:
    """Which registered workers are alive, as seen now."""

    def __init__(self, now: dt.datetime | None = None):
        c = conf.workers()
        self.now = now or timezone.now()
        self.dead_after = dt.timedelta(seconds=c["dead_after"])
        self.unregistered_timeout = dt.timedelta(seconds=c["unregistered_timeout"])
        self.machine = machine_id()
        self.workers = {w.pk: w for w in Worker.objects.all()}

    def worker_is_dead(self, worker: Worker) -> bool:
        if worker.pk == _current:
            return False  # this very process, however late its heartbeat
        if self.now - worker.heartbeat_at > self.dead_after:
            return True
        if worker.machine != self.machine:
            return False
        # here: dead if its process is gone, or if its process id is now this process's
        return worker.pid == os.getpid() or not process_running(worker.pid)

    def is_dead(self, worker_id: str, since: dt.datetime | None) -> bool:
        """Whether the process ``worker_id`` that started something at ``since`` is gone."""
        worker = self.workers.get(worker_id)
        if worker is not None:
            return self.worker_is_dead(worker)
        # never registered, or its registration is gone: judge by age only
        return since is None or self.now - since > self.unregistered_timeout

    def dead(self) -> list[Worker]:
        return [w for w in self.workers.values() if self.worker_is_dead(w)]

    def alive(self) -> list[Worker]:
        return [w for w in self.workers.values() if not self.worker_is_dead(w)]


class Heartbeat(threading.Thread):
    """Writes the worker's heartbeat every ``interval`` seconds; registers it again if its row
    was removed (it was judged dead while paused: what it ran was re-run, which is harmless)."""

    def __init__(self, worker: Worker, interval: float):
        super().__init__(name="relais-heartbeat", daemon=True)
        self.worker = worker
        self.interval = interval
        self.stopped = threading.Event()

    def beat(self) -> None:
        now = timezone.now()
        if not Worker.objects.filter(pk=self.worker.pk).update(heartbeat_at=now):
            logger.warning("Worker %s was taken for dead: registering it again", self.worker.pk)
            self.worker.heartbeat_at = now
            self.worker.save(force_insert=True)

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                close_old_connections()
                self.beat()
            except Exception:  # a locked database: the next beat will do
                logger.exception("Heartbeat of worker %s failed", self.worker.pk)
        close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
        self.join(self.interval + 5)


@contextlib.contextmanager
def registered(role: str = Worker.Role.TASKS) -> Iterator[Worker]:
    """Register this process as a worker for the duration of the block."""
    global _current
    worker = Worker.objects.create(
        id=new_worker_id(), host=HOST[:255], machine=machine_id(), pid=os.getpid(), role=role
    )
    heartbeat = Heartbeat(worker, conf.workers()["heartbeat"])
    heartbeat.start()
    _current = worker.pk
    try:
        yield worker
    finally:
        _current = ""
        heartbeat.stop()
        Worker.objects.filter(pk=worker.pk).delete()
