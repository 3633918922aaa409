"""The background worker: runs the queued tasks (export, build, syndication) and the clock.

With the database queue (the default) or with Redis (``RELAIS_TASK_BACKEND=rq``) this one
command is all a deployment needs, once or several times (on one machine or several). With RQ it
runs RQ's worker in this process (``SimpleWorker``: the warm builders stay warm between tasks);
``manage.py rqworker --job-class django_tasks_rq.backend.Job publishing syndication maintenance
rebuilds`` with ``manage.py relais_worker --clock-only`` works too, but those RQ workers are not
registered: what one of them leaves when it dies waits for its lease to expire.

Phases of a worker's life:

1. **register**: a :class:`~cms.publishing.models.Worker` row with a heartbeat thread
   (:mod:`cms.publishing.workers`); its id is given to ``db_worker`` and to each build;
2. **recover**: what dead workers left unfinished is finished or run again
   (:mod:`cms.publishing.recovery`), before this worker takes any task;
3. **warm up**: the site model is loaded (the first publication is then incremental);
4. **work**: ``db_worker`` runs the tasks, one at a time, except those of the queues declared
   concurrent (:mod:`cms.publishing.lanes`: the posts to the networks), which a pool of threads
   runs in lanes (with RQ, RQ's worker runs them all, one at a time); a worker taking
   ``publishing`` also runs Wagtail's own tasks (search and reference indexes, queued by every
   save of a page: ``settings.WAGTAIL_TASKS_QUEUE``) in a thread of their own; the clock thread
   runs the periodic jobs while this worker holds the clock's lease (one clock per installation,
   :mod:`cms.publishing.clock`);
5. **stop**: on a clean stop the lease is released and the registration removed.
"""

from __future__ import annotations

import faulthandler
import signal
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cms.publishing.builder import recently_built_sites, warm_builders
from cms.publishing.clock import Clock
from cms.publishing.health import backend_name
from cms.publishing.lanes import ConcurrentQueue, LaneRunner, concurrent_queues
from cms.publishing.lease import take
from cms.publishing.models import Worker
from cms.publishing.recovery import WAGTAIL_BACKEND, recover, recover_task
from cms.publishing.tasks import ready_builder
from cms.publishing.workers import registered
from relais.buildconfig import BuildError

DATABASE = "django_tasks_db.DatabaseBackend"
RQ = "django_tasks_rq.RQBackend"


def wagtail_queue(queues: list[str], kind: str) -> str:
    """The queue of Wagtail's own tasks if this worker runs it (it takes ``publishing``, and
    those tasks wait in a queue of ``kind``: "database" or "rq"), else ""."""
    if "publishing" not in queues or backend_name(WAGTAIL_BACKEND) != kind:
        return ""
    return settings.WAGTAIL_TASKS_QUEUE


class Command(BaseCommand):
    help = "Run the Relais task worker with its clock (scheduled publishing, nightly rebuild)."

    def add_arguments(self, parser):
        parser.add_argument("--clock-only", action="store_true")
        parser.add_argument("--no-clock", action="store_true")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between polls of an empty queue"
        )
        parser.add_argument(
            "--queues",
            default=",".join(settings.RELAIS_QUEUES),
            help="the queues this worker takes, separated by commas (default: all of them); "
            "a second worker with --queues rebuilds keeps full rebuilds from holding up "
            "publications",
        )

    def handle(
        self, *args, clock_only: bool, no_clock: bool, interval: float, queues: str, **options
    ):
        backend = settings.TASKS["relais"]["BACKEND"]
        unknown = sorted(set(queues.split(",")) - set(settings.RELAIS_QUEUES))
        if unknown:
            raise CommandError(
                f"Unknown queue(s) {', '.join(unknown)}: use {', '.join(settings.RELAIS_QUEUES)}."
            )
        if clock_only and no_clock:
            raise CommandError("--clock-only and --no-clock together run nothing.")
        if not clock_only and backend not in (DATABASE, RQ):
            raise CommandError(
                f"The 'relais' task backend is {backend}, which has no worker: set "
                "RELAIS_TASK_BACKEND to 'database' or 'rq' to run tasks in the background."
            )
        # `kill -USR1 <pid>` prints where each thread of a worker that hangs stands
        faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=True)
        role = Worker.Role.CLOCK if clock_only else Worker.Role.TASKS
        with registered(role) as worker:
            self.stdout.write(f"Worker {worker.pk} registered.")
            if clock_only:
                self.run_clock(worker)
            else:
                self.recover()
                if "publishing" in queues.split(","):
                    self.warm_up()
                work = self.work_rq if backend == RQ else self.work
                work(worker, clock=not no_clock, interval=interval, queues=queues, **options)

    def recover(self) -> None:
        done = {name: n for name, n in recover().items() if n}
        if done:
            self.stdout.write(
                "Recovered: " + ", ".join(f"{name} {n}" for name, n in done.items()) + "."
            )

    def warm_up(self) -> None:
        """Load the site models before the first task: adopting a live site takes a fraction
        of a full build, and the first publication after a restart is then incremental. The
        sites that published last are warmed, as many as are kept warm."""
        for site in recently_built_sites(warm_builders()):
            lease = take(site.pk)
            if lease is None:  # another worker builds it: the first publication adopts it
                self.stdout.write(f"{site.site_name}: being built by another worker.")
                continue
            try:
                with lease:
                    result = ready_builder(site.pk, lease).warm_up()
            except BuildError as exc:
                self.stderr.write(
                    f"{site.site_name}: the site could not be built at start-up:\n{exc}"
                )
                continue
            self.stdout.write(
                f"Site model ready: {site.site_name} ({result.kind}, {result.seconds:.1f} s, "
                f"{result.articles} items)."
            )

    def run_clock(self, worker: Worker) -> None:
        # the task workers of RQ are not registered: the recovery runs on one of them
        recover_task.enqueue()
        self.stdout.write("Relais clock running (Ctrl+C to stop).")
        clock = Clock(worker.pk)
        # a service manager's stop: release the lease and the registration on the way out
        signal.signal(signal.SIGTERM, lambda *_args: clock.stopped.set())
        clock.run()

    def work(self, worker: Worker, clock: bool, interval: float, queues: str, **options) -> None:
        ticking = Clock(worker.pk) if clock else None
        if ticking:
            ticking.start()
        names = queues.split(",")
        runners = [
            LaneRunner(spec, worker.pk, interval=interval) for spec in concurrent_queues(names)
        ]
        wagtail = wagtail_queue(names, "database")
        if wagtail:  # one at a time, in order, beside the other queues
            one = ConcurrentQueue(wagtail, lambda: 1, lambda *_a: (), lambda _l: 1, coalesce=True)
            runners.append(LaneRunner(one, worker.pk, backend=WAGTAIL_BACKEND, interval=interval))
        threads = [
            threading.Thread(target=r.run, name=f"relais-{r.spec.queue}", daemon=True)
            for r in runners
        ]
        for runner, thread in zip(runners, threads, strict=True):
            what = "Wagtail's tasks" if runner.backend == WAGTAIL_BACKEND else "Queue"
            self.stdout.write(f"{what} {runner.spec.queue}: {runner.threads} tasks at once.")
            thread.start()
        rest = [q for q in names if q not in {r.spec.queue for r in runners}]
        try:
            if rest:
                self.run_db_worker(worker, interval, ",".join(rest), options.get("verbosity", 1))
            else:
                self.wait_for_stop()
        finally:
            for runner in runners:
                runner.stop()
            for thread in threads:  # the posts under way finish (each within its timeout)
                thread.join()
            if ticking:
                ticking.stop()

    def work_rq(self, worker: Worker, clock: bool, interval: float, queues: str, **options) -> None:
        """RQ's worker, in this process: no fork per task, so the warm builders stay warm and
        every task runs under this worker's registration (its builds name it). Stop it with
        SIGTERM sent to its process group (RQ's scheduler is its child)."""
        ticking = Clock(worker.pk) if clock else None
        if ticking:
            ticking.start()
        names = queues.split(",")
        wagtail = wagtail_queue(names, "rq")
        try:
            call_command(
                "rqworker",
                *names,
                *([wagtail] if wagtail else []),
                "--job-class",
                "django_tasks_rq.backend.Job",
                "--worker-class",
                "rq.worker.SimpleWorker",
                # deferred tasks (a post's retry, a delivery due later) need RQ's scheduler: one
                # of the workers runs it, in a child process
                "--with-scheduler",
                "--name",
                worker.pk,
                "--verbosity",
                str(options.get("verbosity", 1)),
            )
        finally:
            if ticking:
                ticking.stop()

    @staticmethod
    def wait_for_stop() -> None:
        """Only concurrent queues: wait for Ctrl+C or a service manager's stop."""
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_args: stop.set())
        while not stop.wait(1.0):
            pass

    @staticmethod
    def run_db_worker(worker: Worker, interval: float, queues: str, verbosity: int) -> None:
        # Options go as command-line arguments: db_worker validates its defaults otherwise.
        call_command(
            "db_worker",
            "--backend",
            "relais",
            "--queue-name",
            queues,
            "--interval",
            str(interval),
            "--worker-id",
            worker.pk,
            "--no-reload",
            "--no-startup-delay",
            "--verbosity",
            str(verbosity),
        )
