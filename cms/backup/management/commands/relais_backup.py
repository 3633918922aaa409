"""``manage.py relais_backup PATH``: the whole installation in one archive (cms.backup.archive)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.backup.archive import BackupError, back_up


class Command(BaseCommand):
    help = (
        "Write one archive (.tar.gz) of the installation: its database, the content folders of "
        "every association and the media files. Restore it with relais_restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to write, e.g. relais.tar.gz")

    def handle(self, *args, path: Path, **options):
        try:
            summary = back_up(path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Backed up to {path}: {summary.rows} rows, {summary.content_files} content files, "
            f"{summary.media_files} media files."
        )
