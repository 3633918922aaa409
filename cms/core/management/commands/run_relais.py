"""``make run``: everything Relais needs, on one machine, with the demo association.

1. migrate the database (SQLite by default);
2. load the demo content if the database has no items yet, export it and build the site;
3. start the admin (http://127.0.0.1:8000/admin/), the static site
   (http://127.0.0.1:8001/) and the worker (tasks + clock), and print the demo login.
Ctrl+C stops all three.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cms.content.models import ItemPage
from cms.federation.models import Association

ROOT = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Run Relais with demo content: admin on :8000, static site on :8001, worker."

    def add_arguments(self, parser):
        parser.add_argument("--admin-port", type=int, default=8000)
        parser.add_argument("--site-port", type=int, default=8001)
        parser.add_argument("--no-demo", action="store_true")

    def sites(self) -> str:
        """Where each association's static site and sign-up page are."""
        lines = []
        for association in Association.objects.select_related("site").order_by("folder", "slug"):
            signup = f"{association.site.root_url}/adherer/"
            lines.append(
                f"  {association.site.site_name or association.slug}\n"
                f"               site {association.public_url}/   sign-up {signup}\n"
            )
        return "".join(lines)

    def handle(self, *args, admin_port: int, site_port: int, no_demo: bool, **options):
        Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)
        self.stdout.write("Preparing the database…")
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo and not ItemPage.objects.exists():
            self.stdout.write("Loading the demo association…")
            call_command("load_demo", stdout=self.stdout)
        elif not Path(settings.RELAIS_SITE_OUTPUT).exists():
            call_command("export_content", build=True, stdout=self.stdout)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "cms.settings.dev"),
            "PYTHONUNBUFFERED": "1",
        }
        python = sys.executable
        manage = str(ROOT / "manage.py")
        commands = {
            "admin": [python, manage, "runserver", f"127.0.0.1:{admin_port}", "--noreload"],
            "site": [python, "-m", "relais", "serve", "--port", str(site_port)],
            "worker": [
                python,
                manage,
                "relais_worker",
                "--queues",
                ",".join(q for q in settings.RELAIS_QUEUES if q != "rebuilds"),
            ],
            # full rebuilds in a worker of their own: never in the way of a publication
            "rebuilds": [python, manage, "relais_worker", "--queues", "rebuilds", "--no-clock"],
        }
        procs = {name: subprocess.Popen(cmd, cwd=ROOT, env=env) for name, cmd in commands.items()}
        time.sleep(1.5)
        self.stdout.write(
            self.style.SUCCESS(
                "\nRelais is running.\n"
                f"  Admin        http://127.0.0.1:{admin_port}/admin/   "
                "(login: admin / relais-demo; also redactrice, moderateur, and each association's "
                "secretary, e.g. secretaire-estv)\n"
                "  Workers      publishing, syndication and scheduled publishing (every minute);\n"
                "               full rebuilds in a second worker\n"
                + self.sites()
                + "Press Ctrl+C to stop.\n"
            )
        )
        stopping = False

        def stop(*_args) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping:
                for name, proc in procs.items():
                    if proc.poll() is not None:
                        self.stderr.write(
                            f"The {name} process stopped (exit {proc.returncode}); stopping Relais."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in procs.values():
                if proc.poll() is None:
                    proc.terminate()
            for proc in procs.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
