"""``manage.py relais_restore PATH``: an archive of relais_backup into an empty installation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.backup.archive import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive written by relais_backup into this installation: its database "
        "(migrated), content folder and media storage must be empty, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive written by relais_backup")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace what the database, the content folder and the media storage hold",
        )

    def handle(self, *args, path: Path, force: bool = False, **options):
        try:
            summary = restore(path, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {path}: {summary.rows} rows, {summary.content_files} content files, "
            f"{summary.media_files} media files. Build the sites with manage.py build_site "
            "(or let a worker do it)."
        )
