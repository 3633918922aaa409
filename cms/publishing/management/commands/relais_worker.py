"""The background worker: runs the queued tasks (export, build, syndication) and the clock.

With the database queue (the default) this one command is all a deployment needs. With
``RELAIS_TASK_BACKEND=rq``, run ``manage.py rqworker --job-class django_tasks_rq.backend.Job
publishing syndication maintenance`` for the
tasks and ``manage.py relais_worker --clock-only`` for the clock.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from cms.publishing.clock import Clock


class Command(BaseCommand):
    def warm_up(self) -> None:
        """Load the site model before the first task: adopting the live site takes a fraction
        of a full build, and the first publication after a restart is then incremental."""
        from cms.publishing.builder import site_builder
        from relais.build import BuildError

        try:
            result = site_builder().warm_up()
        except BuildError as exc:
            self.stderr.write(f"The site could not be built at start-up:\n{exc}")
            return
        self.stdout.write(
            f"Site model ready ({result.kind}, {result.seconds:.1f} s, {result.articles} items)."
        )

    help = "Run the Relais task worker with its clock (scheduled publishing, nightly rebuild)."

    def add_arguments(self, parser):
        parser.add_argument("--clock-only", action="store_true")
        parser.add_argument("--no-clock", action="store_true")
        parser.add_argument(
            "--interval", type=float, default=0.5, help="seconds between polls of an empty queue"
        )

    def handle(self, *args, clock_only: bool, no_clock: bool, interval: float, **options):
        clock = None if no_clock else Clock()
        backend = settings.TASKS["relais"]["BACKEND"]
        if clock_only:
            if clock is None:
                raise CommandError("--clock-only and --no-clock together run nothing.")
            self.stdout.write("Relais clock running (Ctrl+C to stop).")
            clock.run()
            return
        if backend != "django_tasks_db.DatabaseBackend":
            raise CommandError(
                f"The 'relais' task backend is {backend}: run its own worker (for RQ: manage.py "
                "rqworker --job-class django_tasks_rq.backend.Job publishing syndication "
                "maintenance) and 'relais_worker --clock-only'."
            )
        self.warm_up()
        if clock:
            clock.start()
        try:
            # Options go as command-line arguments: db_worker validates its defaults otherwise.
            call_command(
                "db_worker",
                "--backend",
                "relais",
                "--queue-name",
                ",".join(settings.RELAIS_QUEUES),
                "--interval",
                str(interval),
                "--no-reload",
                "--verbosity",
                str(options.get("verbosity", 1)),
            )
        finally:
            if clock:
                clock.stop()
