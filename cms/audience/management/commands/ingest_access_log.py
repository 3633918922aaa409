"""``manage.py ingest_access_log FILE [--format combined]``: count the page views of an access
log (plain or ``.gz``) into the site's audience. Run it again on the same log, or on the log
after it has grown, and only the new lines are counted."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cms.audience.accesslog import FORMATS, tally
from cms.audience.counting import record
from cms.audience.models import LogIngestion, PageViewCount


def open_log(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


class Command(BaseCommand):
    help = "Count the page views of a web server access log into the site's audience."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the access log (plain text or .gz)")
        parser.add_argument(
            "--format",
            default="combined",
            choices=sorted(FORMATS),
            help="log format (default: combined, as Apache and nginx write)",
        )

    def handle(self, *args, file: str, format: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(
                f"{path}: no such file. Give the path of the web server's "
                "access log (e.g. /var/log/nginx/access.log)."
            )
        try:
            with open_log(path) as fh:
                first = fh.readline()
                if not first:
                    self.stdout.write(f"{path}: empty, nothing to count.")
                    return
                fingerprint = hashlib.sha256(first).hexdigest()
                done = LogIngestion.objects.filter(first_line_sha256=fingerprint).first()
                start = done.position if done else 0
                fh.seek(start)
                data = fh.read()
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise CommandError(f"{path}: cannot read it: {exc}") from exc
        if done and start and not data:
            self.stdout.write(f"{path}: no new line since the last ingestion.")
            return
        # Only complete lines: a line being written is left for the next run.
        complete = data[: data.rfind(b"\n") + 1]
        lines = complete.decode("utf-8", errors="replace").splitlines()
        result = tally(lines, format)
        if result.lines and result.unreadable == result.lines:
            raise CommandError(
                f"{path}: no line is in the {format} log format. Set the web server to write "
                "the combined format (nginx and Apache do by default)."
            )
        with transaction.atomic():
            for (day, hit), views in result.views.items():
                record(hit, day, PageViewCount.Channel.LOG, views)
            ingestion = done or LogIngestion(first_line_sha256=fingerprint)
            ingestion.name = str(path)[-300:]
            ingestion.position = start + len(complete)
            ingestion.lines_read += result.lines
            ingestion.views_counted += result.counted
            ingestion.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {result.lines} line(s) read, {result.counted} page view(s) counted, "
                f"{result.ignored} ignored (robots, files, errors), {result.unreadable} unreadable."
            )
        )
