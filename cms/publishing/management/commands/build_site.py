from django.core.management.base import BaseCommand, CommandError

from cms.publishing.models import BuildRecord
from cms.publishing.tasks import run_build


class Command(BaseCommand):
    help = "Build the static site from content/ now and record the build for the admin."

    def handle(self, *args, **options):
        record = run_build("commande build_site", full=True)
        if record.status == BuildRecord.Status.FAILED:
            raise CommandError(record.errors)
        self.stdout.write(f"Site built in {record.seconds:.2f} s: {record.articles} items.")
