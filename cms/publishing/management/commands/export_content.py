"""Write every live item, page and the association settings into ``content/``."""

from django.core.management.base import BaseCommand
from wagtail.models import Page

from cms.content.models import InfoPage, ItemPage
from cms.publishing import export
from cms.publishing.models import BuildRecord, ExportRecord
from cms.publishing.tasks import run_build


class Command(BaseCommand):
    help = "Export all live items to content/ (and build the site with --build)."

    def add_arguments(self, parser):
        parser.add_argument("--build", action="store_true", help="build the site afterwards")

    def handle(self, *args, build: bool = False, **options):
        export.export_site_config()
        pages = [p.specific for p in Page.objects.live().type(ItemPage, InfoPage)]
        live_ids = set()
        for page in pages:
            export.export_page(page)
            live_ids.add(page.pk)
        stale = ExportRecord.objects.filter(withdrawn=False).exclude(page_id__in=live_ids)
        for record in stale:
            export.withdraw_page(record.page_id)
        self.stdout.write(f"Exported {len(pages)} page(s), withdrew {len(stale)}.")
        if build:
            record = run_build("export complet", full=True)
            if record.status == BuildRecord.Status.FAILED:
                self.stderr.write(record.errors)
                raise SystemExit(1)
            self.stdout.write(
                f"Site built in {record.seconds:.2f} s: {record.articles} items, "
                f"{record.files} files."
            )
