"""``manage.py relais_health``: the installation's health (cms.publishing.health), for people or,
with ``--json``, for a monitoring script; exits with 1 when the installation is unhealthy."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cms.publishing.health import Report, check


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def as_text(report: Report) -> str:
    lines = [
        f"{'healthy' if report.healthy else 'UNHEALTHY'} at {_when(report.checked_at)} "
        f"(queue backend: {report.backend})"
    ]
    lines += [f"  problem [{f.code}]: {f.message}" for f in report.problems]
    lines += [f"  warning [{f.code}]: {f.message}" for f in report.warnings]
    lines.append(f"workers: {len(report.alive)} alive, {len(report.dead)} dead")
    for w in report.workers:
        state = "alive" if w.alive else "DEAD"
        lines.append(
            f"  {w.id} on {w.host} ({w.role}), {state}, last heartbeat {_when(w.heartbeat_at)}"
        )
    lines.append(f"clock held by: {report.clock_holder or '-'}")
    lines.append("queues:")
    for q in report.queues:
        oldest = "-" if q.oldest_waiting_s is None else f"{q.oldest_waiting_s:.0f} s"
        running = "" if q.running is None else f", {q.running} running"
        lines.append(f"  {q.name}: {q.waiting} waiting{running}, oldest waiting {oldest}")
    lines.append("sites:")
    for s in report.sites:
        took = "-" if s.last_build_seconds is None else f"{s.last_build_seconds:.2f} s"
        behind = " (live site behind its content)" if s.behind else ""
        lines.append(
            f"  {s.name}: last build {s.last_build_status or 'never'} at "
            f"{_when(s.last_build_started_at)} in {took}, content v{s.content_version}, "
            f"live v{s.live_version}{behind}"
        )
    for name, count in report.figures.items():
        lines.append(f"{name}: {count}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Show the health of the installation: workers, queues, the clock, each site's last "
        "build, failing posts. Exits with 1 when unhealthy (see README, Health)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print the report as JSON"
        )

    def handle(self, *args, as_json: bool = False, **options):
        report = check()
        if as_json:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_text(report))
        if not report.healthy:
            raise CommandError(
                "unhealthy: " + ", ".join(f.code for f in report.problems), returncode=1
            )
