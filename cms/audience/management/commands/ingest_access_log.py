"""``manage.py ingest_access_log FILE [--site IDENTIFIER] [--format combined]``: count the page
views of an access log (plain or ``.gz``) into an association's audience. Run it again on the
same log, or on the log after it has grown, and only the new lines are counted.

``--site`` names the association by its identifier (``Association.slug``); it may be left out
on an installation with a single association. When the association's site is served in a
folder of a shared host (``RELAIS_SITE_URL/<folder>``), only the lines under that folder count,
so the same shared log can be read once for each association."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cms.audience.accesslog import FORMATS, SiteAt, tally
from cms.audience.counting import record
from cms.audience.models import LogIngestion, PageViewCount
from cms.federation.models import Association


def open_log(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")


class Command(BaseCommand):
    help = "Count the page views of a web server access log into an association's audience."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the access log (plain text or .gz)")
        parser.add_argument(
            "--site",
            default="",
            help="the association whose site the log is of, by its identifier (needed when "
            "the installation has several)",
        )
        parser.add_argument(
            "--format",
            default="combined",
            choices=sorted(FORMATS),
            help="log format (default: combined, as Apache and nginx write)",
        )

    def association(self, slug: str) -> Association:
        known = Association.objects.select_related("site").order_by("slug")
        if slug:
            found = known.filter(slug=slug).first()
            if found is None:
                raise CommandError(
                    f"No association has the identifier {slug!r}: give one of "
                    f"{', '.join(a.slug for a in known) or '(none yet)'} with --site."
                )
            return found
        if known.count() == 1:
            return known.get()
        raise CommandError(
            "This installation has several associations: say whose site the log is of with "
            f"--site (one of {', '.join(a.slug for a in known)})."
        )

    def handle(self, *args, file: str, format: str, site: str = "", **options):
        association = self.association(site)
        site_at = SiteAt(association.public_url, association.output_dir)
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
                done = LogIngestion.objects.filter(
                    site=association.site, first_line_sha256=fingerprint
                ).first()
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
        result = tally(lines, format, site_at)
        if result.lines and result.unreadable == result.lines:
            raise CommandError(
                f"{path}: no line is in the {format} log format. Set the web server to write "
                "the combined format (nginx and Apache do by default)."
            )
        with transaction.atomic():
            for (day, hit), views in result.views.items():
                record(hit, day, PageViewCount.Channel.LOG, views, site=association.site)
            ingestion = done or LogIngestion(site=association.site, first_line_sha256=fingerprint)
            ingestion.name = str(path)[-300:]
            ingestion.position = start + len(complete)
            ingestion.lines_read += result.lines
            ingestion.views_counted += result.counted
            ingestion.save()
        self.stdout.write(
            self.style.SUCCESS(
                f"{path} ({association.slug}): {result.lines} line(s) read, "
                f"{result.counted} page view(s) counted, "
                f"{result.ignored} ignored (robots, files, errors), {result.unreadable} unreadable."
            )
        )
